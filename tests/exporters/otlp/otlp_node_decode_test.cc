// The OTLP encodings checked by an independent decoder: the OpenTelemetry project's generated
// protobuf root (npm @opentelemetry/otlp-transformer 0.217), run with Node. The packages are
// installed with npm at test time into the build tree (never committed). Without node or npm
// the test fails and says what is missing.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "exporters/otlp/otlp_encode.h"

namespace sidecar::exporters::otlp {
namespace {

using Json = nlohmann::json;

std::string Run(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  *status = pclose(pipe);
  return out;
}

// The folder with the decoder and its node_modules, installed once (flock keeps parallel test
// processes from installing at the same time).
std::string DecoderDir() {
  const std::string binary = AGENT_BINARY;
  const std::string build = binary.substr(0, binary.rfind("/bin/"));
  const std::string dir = build + "/otlp-node";
  const std::string source = std::string(AGENT_SOURCE_DIR) + "/tests/exporters/otlp/node";
  int status = 0;
  const std::string node = Run("node --version", &status);
  INFO("node: " << node);
  if (status != 0) FAIL("node is missing: install Debian's nodejs (deploy/install-deps.sh --test)");
  Run("npm --version", &status);
  if (status != 0) FAIL("npm is missing: install Debian's npm (deploy/install-deps.sh --test)");
  const std::string install =
      "mkdir -p '" + dir + "' && cp '" + source + "/package.json' '" + source + "/decode.js' '" +
      dir + "/' && cd '" + dir +
      "' && flock .lock sh -c 'test -f node_modules/@opentelemetry/"
      "otlp-transformer/package.json || npm install --no-audit --no-fund --loglevel=error'";
  const std::string output = Run(install, &status);
  INFO(output);
  if (status != 0) FAIL("npm install of @opentelemetry/otlp-transformer@0.217.0 failed");
  return dir;
}

Json Decode(const std::string& dir, const std::string& mode, const std::string& body) {
  const std::string file = dir + "/body." + mode;
  std::ofstream(file, std::ios::binary) << body;
  int status = 0;
  const std::string out = Run("node '" + dir + "/decode.js' " + mode + " '" + file + "'", &status);
  INFO(out);
  REQUIRE(status == 0);
  return Json::parse(out);
}

ExportRequest MakeRequest() {
  Aggregator aggregator(1700000000000000000ull);
  ProbeRun run;
  run.probe = "db";
  run.type = "postgres";
  run.labels = {{"team", "core"}};
  run.unix_ms = 1700000060000;
  run.points = {{"probe_success", PointKind::kGauge, {}, 1},
                {"probe_duration_seconds", PointKind::kDuration, {}, 0.004},
                {"pg_xact_commit_total", PointKind::kCounter, {{"db", "orders"}}, 12345},
                {"probe_http_duration_seconds", PointKind::kGauge, {{"phase", "tls"}}, 0.25}};
  aggregator.Add(run);
  run.unix_ms += 15000;
  run.points[1].value = 0.75;
  run.points[2].value = 12400;
  aggregator.Add(run);
  ExportRequest request;
  request.resource = {{"service.name", "orders"}, {"cloud.platform", "aws_ecs"}};
  request.scope_version = "0.1.0";
  request.metrics = aggregator.Take();
  return request;
}

Json Attrs(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  Json out = Json::array();
  for (const auto& [k, v] : pairs) out.push_back({{"key", k}, {"value", {{"stringValue", v}}}});
  return out;
}

// What the official decoder must read back from either encoding: two runs of one probe give
// one point per series, the later one (histograms cumulative over both).
Json Expected() {
  const Json base = Attrs({{"team", "core"}, {"probe", "db"}, {"type", "postgres"}});
  auto with = [&base](const char* k, const char* v) {
    Json a = base;
    a.push_back({{"key", k}, {"value", {{"stringValue", v}}}});
    return a;
  };
  return Json::parse(R"({"resourceMetrics":[{"resource":{"attributes":[]},"scopeMetrics":[{
      "scope":{"name":"sidecar-agent","version":"0.1.0"},"metrics":[]}]}]})")
      .patch(Json::array(
          {{{"op", "replace"},
            {"path", "/resourceMetrics/0/resource/attributes"},
            {"value", Attrs({{"service.name", "orders"}, {"cloud.platform", "aws_ecs"}})}},
           {{"op", "replace"},
            {"path", "/resourceMetrics/0/scopeMetrics/0/metrics"},
            {"value",
             {{{"name", "probe_success"},
               {"gauge",
                {{"dataPoints",
                  {{{"timeUnixNano", "1700000075000000000"},
                    {"asDouble", 1},
                    {"attributes", base}}}}}}},
              {{"name", "probe_duration_seconds"},
               {"unit", "s"},
               {"histogram",
                {{"aggregationTemporality", 2},
                 {"dataPoints",
                  {{{"startTimeUnixNano", "1700000000000000000"},
                    {"timeUnixNano", "1700000075000000000"},
                    {"count", "2"},
                    {"sum", 0.004 + 0.75},
                    {"bucketCounts",
                     {"0", "0", "1", "0", "0", "0", "0", "0", "0", "1", "0", "0", "0", "0", "0"}},
                    {"explicitBounds",
                     {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}},
                    {"attributes", base},
                    {"min", 0.004},
                    {"max", 0.75}}}}}}},
              {{"name", "pg_xact_commit_total"},
               {"sum",
                {{"aggregationTemporality", 2},
                 {"isMonotonic", true},
                 {"dataPoints",
                  {{{"startTimeUnixNano", "1700000000000000000"},
                    {"timeUnixNano", "1700000075000000000"},
                    {"asDouble", 12400},
                    {"attributes", with("db", "orders")}}}}}}},
              {{"name", "probe_http_duration_seconds"},
               {"unit", "s"},
               {"gauge",
                {{"dataPoints",
                  {{{"timeUnixNano", "1700000075000000000"},
                    {"asDouble", 0.25},
                    {"attributes", with("phase", "tls")}}}}}}}}}}}));
}

TEST_CASE("OTLP encoders: the OpenTelemetry decoder reads every metric, point and attribute",
          "[exporters][otlp][node]") {
  const std::string dir = DecoderDir();
  const ExportRequest request = MakeRequest();
  const Json expected = Expected();

  const Json proto = Decode(dir, "proto", EncodeProtobuf(request));
  CHECK(proto["problems"].empty());
  CHECK(proto["request"] == expected);
  if (proto["request"] != expected) {
    UNSCOPED_INFO(Json::diff(expected, proto["request"]).dump(1));
  }

  const std::string json_body = EncodeJson(request);
  const Json json = Decode(dir, "json", json_body);
  CHECK(json["problems"] == Json::array());
  CHECK(json["request"] == expected);
  // The JSON mapping's own rules, on the raw body.
  const Json raw = Json::parse(json_body);
  const Json& sum = raw["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][2]["sum"];
  CHECK(sum["aggregationTemporality"] == 2);
  CHECK(sum["dataPoints"][0]["timeUnixNano"] == "1700000075000000000");
}

TEST_CASE("OTLP encoders: partial_success is read from protobuf and JSON answers",
          "[exporters][otlp]") {
  // ExportMetricsServiceResponse{partial_success{rejected_data_points: 3, error_message: "bad"}}
  const std::string proto = std::string(
      "\x0a\x07\x08\x03\x12\x03"
      "bad",
      9);
  auto partial = DecodePartialSuccessProtobuf(proto);
  REQUIRE(partial);
  CHECK(partial->rejected_data_points == 3);
  CHECK(partial->error_message == "bad");
  CHECK_FALSE(DecodePartialSuccessProtobuf(""));
  CHECK_FALSE(DecodePartialSuccessProtobuf(std::string("\x0a\x00", 2)));  // set but empty
  CHECK_FALSE(DecodePartialSuccessProtobuf("\xff\xff"));
  partial = DecodePartialSuccessJson(R"({"partialSuccess":{"rejectedDataPoints":"2",
                                          "errorMessage":"dup"}})");
  REQUIRE(partial);
  CHECK(partial->rejected_data_points == 2);
  CHECK(partial->error_message == "dup");
  CHECK_FALSE(DecodePartialSuccessJson("{}"));
  CHECK_FALSE(DecodePartialSuccessJson(R"({"partialSuccess":{}})"));
}

}  // namespace
}  // namespace sidecar::exporters::otlp
