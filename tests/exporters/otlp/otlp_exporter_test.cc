#include "exporters/otlp/otlp_exporter.h"

#include <zlib.h>

#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/version.h"
#include "tests/exporters/exporter_test_util.h"
#include "tests/exporters/otlp/scripted_http_server.h"
#include "tests/support/agent_process.h"
#include "tests/support/https_test_server.h"
#include "tests/support/test_env.h"

namespace sidecar::exporters::otlp {
namespace {

using exporters::testing::LoadExporters;
using exporters::testing::WaitFor;
using testing::ScriptedAnswer;
using testing::ScriptedHttpServer;

constexpr uint64_t kPoints = 2;

ProbeRun Run(int i = 0) {
  ProbeRun run;
  run.probe = "db";
  run.type = "postgres";
  run.unix_ms = 1700000000000 + i;
  run.points = {{"probe_success", PointKind::kGauge, {}, 1},
                {"probe_duration_seconds", PointKind::kDuration, {}, 0.01}};
  return run;
}

ExporterPtr Make(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  auto loaded =
      LoadExporters("exporters:\n  - type: otlp\n    interval: 20ms\n" + yaml, std::move(env));
  INFO(exporters::testing::Errors(loaded));
  REQUIRE(loaded.ok());
  return std::move(loaded.config.exporters.at(0).exporter);
}

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST_CASE("OtlpExporter: 503 with Retry-After is retried, then the points count as sent",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer server({{503, "Retry-After: 0\r\n", "", false}, {200, "", "", false}});
  ExporterPtr exporter = Make("    endpoint: " + server.url() + "\n");
  exporter->Start();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kPoints; }));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/v1/metrics");
  CHECK(requests[0].headers.at("content-type") == "application/x-protobuf");
  CHECK(requests[0].headers.at("user-agent") == std::string("agent/") + kAgentVersion);
  CHECK(requests[0].headers.count("expect") == 0);
  CHECK(requests[0].body == requests[1].body);
  // A plain http:// collector is reached with the agent's own client, not libcurl.
  CHECK_FALSE(dynamic_cast<OtlpExporter&>(*exporter).options().use_curl);
  CHECK(exporter->Stats().errors == 1);
  CHECK(exporter->Stats().dropped == 0);
  CHECK(exporter->Stats().last_error.find("HTTP 503") != std::string::npos);
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("OtlpExporter: 429 without Retry-After backs off exponentially before retrying",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer server({{429, "", "", false}, {429, "", "", false}, {200, "", "", false}});
  ExporterPtr exporter = Make("    endpoint: " + server.url() + "\n    initial_backoff: 100ms\n");
  exporter->Start();
  const auto start = std::chrono::steady_clock::now();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kPoints; }));
  // Waits of at least 50 ms and 100 ms (100 ms and 200 ms, jittered down to half at most).
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
  CHECK(server.requests().size() == 3);
  CHECK(exporter->Stats().errors == 2);
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("OtlpExporter: 400 is never retried, its points are dropped",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer server({{400, "", "bad request", false}, {200, "", "", false}});
  ExporterPtr exporter = Make("    endpoint: " + server.url() + "\n");
  exporter->Start();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return exporter->Stats().dropped == kPoints; }));
  exporter->Stop(std::chrono::milliseconds(100));
  CHECK(server.requests().size() == 1);
  CHECK(exporter->Stats().sent == 0);
  CHECK(exporter->Stats().errors == 1);
}

TEST_CASE("OtlpExporter: a hung collector is cut by the timeout and given up on",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer server({{0, "", "", true}});
  ExporterPtr exporter = Make("    endpoint: " + server.url() +
                              "\n    timeout: 200ms\n    max_attempts: 2\n"
                              "    initial_backoff: 10ms\n");
  exporter->Start();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return exporter->Stats().dropped == kPoints; }));
  CHECK(server.requests().size() == 2);
  CHECK(exporter->Stats().errors == 2);
  CHECK(exporter->Stats().last_error.find("no answer within 200ms") != std::string::npos);
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("OtlpExporter: runs are aggregated as they come, so a small queue loses none",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer server({{200, "", "", false}});
  auto loaded = LoadExporters(
      "exporters:\n  - type: otlp\n    interval: 2s\n    queue_size: 4\n"
      "    protocol: http/json\n    endpoint: " +
      server.url() + "\n");
  REQUIRE(loaded.ok());
  ExporterPtr exporter = std::move(loaded.config.exporters.at(0).exporter);
  exporter->Start();
  // 40 runs in about 0.2 s, ten times the queue, all within one export interval: paced as
  // probes finish, not as fast as the loop can go.
  for (int i = 0; i < 40; ++i) {
    exporter->Offer(Run(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // One point per series: the last probe_success, the histogram of all 40 durations.
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kPoints; }));
  CHECK(exporter->Stats().dropped == 0);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);  // one export for the interval
  const auto body = nlohmann::json::parse(requests[0].body);
  int histograms = 0;
  for (const auto& metric : body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]) {
    if (!metric.contains("histogram")) continue;
    ++histograms;
    REQUIRE(metric["histogram"]["dataPoints"].size() == 1);
    CHECK(metric["histogram"]["dataPoints"][0]["count"] == "40");
  }
  CHECK(histograms == 1);
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("OtlpExporter: with the collector hung the queue stays bounded and a stop is prompt",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer server({{0, "", "", true}});
  ExporterPtr exporter =
      Make("    endpoint: " + server.url() + "\n    timeout: 30s\n    queue_size: 5\n");
  exporter->Start();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return server.requests().size() == 1; }));  // now hung in the POST
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 100; ++i) exporter->Offer(Run(i));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
  CHECK(exporter->Stats().dropped == 95 * kPoints);  // the oldest runs, beyond the 5 queued
  const auto stop_start = std::chrono::steady_clock::now();
  exporter->Stop(std::chrono::milliseconds(200));
  CHECK(std::chrono::steady_clock::now() - stop_start < std::chrono::seconds(1));
  CHECK(exporter->Stats().dropped == 101 * kPoints);
}

TEST_CASE("OtlpExporter: JSON, gzip, headers, ECS resource attributes and partial success",
          "[exporters][otlp][integration]") {
  const std::string task = R"({"Cluster":"arn:aws:ecs:us-west-2:1:cluster/prod",
      "TaskARN":"arn:aws:ecs:us-west-2:1:task/prod/abc123","Family":"api","Revision":"7",
      "AvailabilityZone":"us-west-2a","LaunchType":"FARGATE"})";
  ScriptedHttpServer server(
      {{200, "", task, false},
       {200, "Content-Type: application/json\r\n",
        R"({"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"too old"}})", false}});
  ExporterPtr exporter = Make(
      "    protocol: http/json\n    compression: gzip\n"
      "    headers: {x-api-key: \"${OTLP_KEY}\"}\n",
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", server.url() + "/otlp/"},
       {"OTLP_KEY", "sentinel-key-4711"},
       {"OTEL_SERVICE_NAME", "orders"},
       {"ECS_CONTAINER_METADATA_URI_V4", server.url() + "/v4/c1"}});
  exporter->Start();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kPoints; }));
  REQUIRE(WaitFor([&] { return exporter->Stats().dropped == 1; }));
  exporter->Stop(std::chrono::milliseconds(100));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].path == "/v4/c1/task");
  CHECK(requests[1].path == "/otlp/v1/metrics");
  CHECK(requests[1].headers.at("content-type") == "application/json");
  CHECK(requests[1].headers.at("content-encoding") == "gzip");
  CHECK(requests[1].headers.at("x-api-key") == "sentinel-key-4711");
  const auto body = nlohmann::json::parse(Gunzip(requests[1].body));
  std::map<std::string, std::string> resource;
  for (const auto& kv : body["resourceMetrics"][0]["resource"]["attributes"]) {
    resource[kv["key"]] = kv["value"]["stringValue"];
  }
  CHECK(resource["service.name"] == "orders");
  CHECK(resource["cloud.provider"] == "aws");
  CHECK(resource["cloud.platform"] == "aws_ecs");
  CHECK(resource["aws.ecs.task.family"] == "api");
  CHECK(resource["aws.ecs.task.revision"] == "7");
  CHECK(resource["aws.ecs.launchtype"] == "fargate");
  CHECK(resource["cloud.availability_zone"] == "us-west-2a");
  const ExporterStats stats = exporter->Stats();
  CHECK(stats.last_error.find("too old") != std::string::npos);
  CHECK(stats.last_error.find("sentinel-key-4711") == std::string::npos);
}

TEST_CASE("OtlpExporter: with http_proxy set, exports go through libcurl and the proxy",
          "[exporters][otlp][integration]") {
  ScriptedHttpServer proxy({{200, "", "", false}});
  ExporterPtr exporter = Make("    endpoint: http://collector.invalid:4318\n",
                              {{"http_proxy", proxy.url()}, {"no_proxy", "localhost"}});
  const OtlpOptions& options = dynamic_cast<OtlpExporter&>(*exporter).options();
  CHECK(options.use_curl);
  CHECK(options.proxy == proxy.url());
  CHECK(options.no_proxy == "localhost");
  exporter->Start();
  exporter->Offer(Run());
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kPoints; }));
  exporter->Stop(std::chrono::milliseconds(100));
  const auto requests = proxy.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "http://collector.invalid:4318/v1/metrics");  // a proxy's form
  CHECK(requests[0].headers.at("user-agent") == std::string("agent/") + kAgentVersion);

  // Upper-case HTTP_PROXY is not a proxy for http:// (as in libcurl); https:// needs libcurl.
  ExporterPtr direct = Make("    endpoint: http://collector:4318\n", {{"HTTP_PROXY", proxy.url()}});
  CHECK_FALSE(dynamic_cast<OtlpExporter&>(*direct).options().use_curl);
  ExporterPtr tls = Make("    endpoint: https://collector:4318\n");
  CHECK(dynamic_cast<OtlpExporter&>(*tls).options().use_curl);
}

TEST_CASE("OtlpExporter: an https collector with its own CA and mutual TLS",
          "[exporters][otlp][integration]") {
  sidecar::testing::HttpsTestServer server([](const sidecar::testing::TestRequest&) {
    return sidecar::testing::TestResponse{};  // 200
  });
  server.RequireClientCert();
  std::string dir = sidecar::testing::WriteTempFile("placeholder", "");
  dir.resize(dir.rfind('/'));
  const auto [cert, key] = sidecar::testing::WriteClientCertificate(dir);
  const std::string ca = sidecar::testing::RequireEnv("AGENT_TEST_TLS_CA");
  const std::string endpoint =
      "    endpoint: " + server.Url("", "localhost") + "\n    max_attempts: 1\n    timeout: 5s\n";
  const auto sent = [](ExporterPtr& exporter) {
    exporter->Start();
    exporter->Offer(Run());
    REQUIRE(WaitFor([&] { return exporter->Stats().sent + exporter->Stats().dropped > 0; }));
    exporter->Stop(std::chrono::milliseconds(100));
    return exporter->Stats();
  };

  SECTION("the CA from OTEL_EXPORTER_OTLP_CERTIFICATE and a client certificate: sent") {
    ExporterPtr exporter =
        Make(endpoint + "    tls: {cert_file: " + cert + ", key_file: " + key + "}\n",
             {{"OTEL_EXPORTER_OTLP_CERTIFICATE", ca}});
    CHECK(dynamic_cast<OtlpExporter&>(*exporter).options().use_curl);
    const ExporterStats stats = sent(exporter);
    INFO(stats.last_error);
    CHECK(stats.sent == kPoints);
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].target == "/v1/metrics");
  }
  SECTION("the client certificate from the environment, the CA from the config: sent") {
    ExporterPtr exporter = Make(endpoint + "    tls: {ca_file: " + ca + "}\n",
                                {{"OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE", cert},
                                 {"OTEL_EXPORTER_OTLP_CLIENT_KEY", key}});
    const ExporterStats stats = sent(exporter);
    INFO(stats.last_error);
    CHECK(stats.sent == kPoints);
  }
  SECTION("no client certificate: the server refuses, the points are dropped") {
    ExporterPtr exporter = Make(endpoint, {{"OTEL_EXPORTER_OTLP_CERTIFICATE", ca}});
    const ExporterStats stats = sent(exporter);
    CHECK(stats.dropped == kPoints);
    CHECK(stats.errors == 1);
    CHECK(server.requests().empty());
  }
  SECTION("the system's CAs do not trust the test CA") {
    ExporterPtr exporter =
        Make(endpoint + "    tls: {cert_file: " + cert + ", key_file: " + key + "}\n");
    const ExporterStats stats = sent(exporter);
    CHECK(stats.dropped == kPoints);
    CHECK(stats.last_error.find("certificate") != std::string::npos);
    CHECK(server.requests().empty());
  }
  SECTION("a file that cannot be read is a config error") {
    auto loaded =
        LoadExporters("exporters:\n  - type: otlp\n    tls: {ca_file: /nonexistent/ca.crt}\n", {});
    CHECK(exporters::testing::Errors(loaded).find(
              "exporters[0].tls.ca_file: cannot read '/nonexistent/ca.crt': No such file or "
              "directory") != std::string::npos);
    loaded =
        LoadExporters("exporters:\n  - type: otlp\n", {{"OTEL_EXPORTER_OTLP_CLIENT_KEY", key}});
    CHECK(exporters::testing::Errors(loaded).find("needs cert_file") != std::string::npos);
  }
}

TEST_CASE("OtlpExporter: OTEL_* variables and config mistakes", "[exporters][otlp]") {
  ExporterPtr exporter = Make("", {{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://c:4318/m"},
                                   {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318"},
                                   {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                                   {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
                                   {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%3Db,x=y"}});
  const OtlpOptions& options = dynamic_cast<OtlpExporter&>(*exporter).options();
  CHECK(options.url == "http://c:4318/m");
  CHECK(options.timeout == std::chrono::milliseconds(2500));
  CHECK(options.json);
  CHECK(options.headers ==
        std::vector<std::pair<std::string, std::string>>{{"api-key", "a=b"}, {"x", "y"}});
  auto loaded = LoadExporters(R"(exporters:
  - type: otlp
    protocol: grpc
    compression: zstd
    endpoint: collector:4318
)",
                              {{"OTEL_METRIC_EXPORT_INTERVAL", "soon"}});
  const std::string errors = exporters::testing::Errors(loaded);
  CHECK(errors.find("exporters[0].protocol: expected http/protobuf or http/json, got 'grpc'") !=
        std::string::npos);
  CHECK(errors.find("compression: expected gzip or none, got 'zstd'") != std::string::npos);
  CHECK(errors.find("endpoint: expected an http:// or https:// URL") != std::string::npos);
  CHECK(errors.find("OTEL_METRIC_EXPORT_INTERVAL: expected milliseconds, got 'soon'") !=
        std::string::npos);
}

}  // namespace
}  // namespace sidecar::exporters::otlp
