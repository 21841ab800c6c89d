// Integration tests of the http probe against local HTTPS servers (tests/support/
// https_test_server.h) that answer like the providers do, and against misbehaving peers.
#include "probes/http/http_probe.h"

#include <catch2/catch.hpp>
#include <mutex>

#include "agent/common/redact.h"
#include "probes/http/http_metrics.h"
#include "tests/probes/http/http_test_util.h"
#include "tests/support/https_test_server.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::http {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::RequireEnv;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

constexpr const char* kSentinelKey = "sk-ant-api03-SENTINEL-never-print-me";

TestResponse Json(int status, std::string body,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  TestResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  response.headers.emplace_back("Content-Type", "application/json");
  return response;
}

// The secret must not show in anything the agent prints about a result.
void CheckNoSecret(const Probe& probe, const ProbeResult& result, const std::string& secret) {
  CHECK(probe.Target().find(secret) == std::string::npos);
  CHECK(result.reason.find(secret) == std::string::npos);
  for (const Sample& sample : result.samples) {
    for (const auto& [name, value] : sample.labels) CHECK(value.find(secret) == std::string::npos);
  }
}

std::string ClaudeEntry(const HttpsTestServer& server, const std::string& host = "127.0.0.1") {
  return "    preset: claude\n    base_url: " + server.Url("", host) + "\n";
}

Env ClaudeEnv() {
  return {{"ANTHROPIC_API_KEY", kSentinelKey}, {"SSL_CERT_FILE", RequireEnv("AGENT_TEST_TLS_CA")}};
}

TEST_CASE(
    "HttpProbe: the claude preset lists models with Anthropic's headers and reports "
    "timing, TLS and rate-limit samples",
    "[http][integration]") {
  HttpsTestServer server([](const TestRequest&) {
    return Json(200,
                R"({"data":[{"type":"model","id":"claude-x","display_name":"X",)"
                R"("created_at":"2025-02-19T00:00:00Z"}],"has_more":true,"first_id":"claude-x",)"
                R"("last_id":"claude-x"})",
                {{"request-id", "req_011"},
                 {"anthropic-ratelimit-requests-limit", "50"},
                 {"anthropic-ratelimit-requests-remaining", "49"},
                 {"anthropic-ratelimit-requests-reset", "2026-11-22T05:10:00Z"},
                 {"anthropic-ratelimit-tokens-remaining", "40000"}});
  });
  Harness harness;
  ProbePtr probe = MakeProbe(ClaudeEntry(server, "localhost"), ClaudeEnv());
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].target == "/v1/models?limit=1");
  CHECK(requests[0].headers.at("x-api-key") == kSentinelKey);
  CHECK(requests[0].headers.at("anthropic-version") == "2023-06-01");
  CHECK(requests[0].headers.count("authorization") == 0);
  CHECK(requests[0].headers.count("origin") == 0);

  REQUIRE(FindSample(result, kHttpStatusCode));
  CHECK(FindSample(result, kHttpStatusCode)->value == 200);
  for (const char* phase : {"resolve", "connect", "tls", "processing", "transfer"}) {
    INFO(phase);
    REQUIRE(FindSample(result, kHttpDurationSeconds, phase));
    CHECK(FindSample(result, kHttpDurationSeconds, phase)->value >= 0);
  }
  CHECK(FindSample(result, kHttpDurationSeconds, "tls")->value > 0);
  CHECK(FindSample(result, kHttpSsl)->value == 1);
  CHECK(FindSample(result, kHttpVersion)->value == Approx(1.1));
  CHECK(FindSample(result, kHttpRedirects)->value == 0);
  CHECK(FindSample(result, kHttpContentLength)->value > 0);
  REQUIRE(FindSample(result, kSslEarliestCertExpiry));
  CHECK(FindSample(result, kSslEarliestCertExpiry)->value ==
        Approx(server.cert_not_after()).margin(5));
  REQUIRE(FindSample(result, kTlsVersionInfo));
  CHECK(FindSample(result, kTlsVersionInfo)->labels[0].second == "TLS 1.3");
  REQUIRE(FindSample(result, kRateLimitRemaining, "requests"));
  CHECK(FindSample(result, kRateLimitRemaining, "requests")->value == 49);
  CHECK(FindSample(result, kRateLimitLimit, "requests")->value == 50);
  CHECK(FindSample(result, kRateLimitReset, "requests")->value == Approx(1795324200.0));
  CHECK(FindSample(result, kRateLimitRemaining, "tokens")->value == 40000);
  CheckNoSecret(*probe, result, kSentinelKey);
}

TEST_CASE("HttpProbe: the claude preset never requests anything but the models list",
          "[http][integration]") {
  // The server tries to steer the probe to the Messages API; the probe never follows.
  HttpsTestServer server([](const TestRequest&) {
    TestResponse response;
    response.status = 307;
    response.headers = {{"Location", "/v1/messages"}};
    return response;
  });
  Harness harness;
  ProbePtr probe = MakeProbe(ClaudeEntry(server), ClaudeEnv());
  for (int i = 0; i < 3; ++i) {
    const ProbeResult result = harness.Run(*probe);
    CHECK(result.verdict == Verdict::kUnhealthy);
    CHECK(result.reason == "unexpected status (HTTP 307)");
  }
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  for (const TestRequest& request : requests) {
    CHECK(request.method == "GET");
    CHECK(request.target == "/v1/models?limit=1");
    CHECK(request.body.empty());
  }
  // And a config that asks for more is refused before any request is made.
  auto parsed = ParseProbe(
      ClaudeEntry(server) + "    method: POST\n    url: " + server.Url("/v1/messages") + "\n",
      ClaudeEnv());
  CHECK(parsed.probe == nullptr);
  CHECK(server.requests().size() == 3);
}

TEST_CASE("HttpProbe: provider answers are classified, and the key appears in no reason",
          "[http][integration]") {
  struct Row {
    std::string preset;
    TestResponse response;
    Verdict verdict;
    std::string failure;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"claude",
       Json(
           401,
           R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_1"})"),
       Verdict::kUnhealthy, "auth", "credentials rejected (HTTP 401, authentication_error)"},
      {"claude",
       Json(
           429,
           R"({"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}})",
           {{"retry-after", "17"}, {"anthropic-ratelimit-requests-remaining", "0"}}),
       Verdict::kDegraded, "rate_limited",
       "rate limited (HTTP 429, rate_limit_error, retry after 17s)"},
      {"claude",
       Json(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
       Verdict::kUnhealthy, "provider_error", "provider overloaded (HTTP 529, overloaded_error)"},
      {"claude",
       Json(500,
            R"({"type":"error","error":{"type":"api_error","message":"Internal server error"}})"),
       Verdict::kUnhealthy, "provider_error", "provider error (HTTP 500, api_error)"},
      {"openai",
       Json(401,
            std::string(R"({"error":{"message":"Incorrect API key provided: )") + kSentinelKey +
                R"(.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"),
       Verdict::kUnhealthy, "auth", "credentials rejected (HTTP 401, invalid_api_key)"},
      {"openai",
       Json(
           429,
           R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})"),
       Verdict::kDegraded, "rate_limited", "quota exhausted (HTTP 429, insufficient_quota)"},
      {"openai",
       Json(
           503,
           R"({"error":{"message":"The engine is currently overloaded","type":"server_error","param":null,"code":null}})"),
       Verdict::kUnhealthy, "provider_error", "provider error (HTTP 503, server_error)"},
      {"stripe",
       Json(
           401,
           R"({"error":{"message":"Invalid API Key provided: sk_test_***","type":"invalid_request_error"}})",
           {{"Request-Id", "req_abc"}}),
       Verdict::kUnhealthy, "auth", "credentials rejected (HTTP 401, invalid_request_error)"},
      {"stripe",
       Json(
           403,
           R"({"error":{"message":"The provided key does not have the required permissions","type":"invalid_request_error"}})"),
       Verdict::kUnhealthy, "auth", "credentials rejected (HTTP 403, invalid_request_error)"},
      {"github",
       Json(
           403,
           R"({"message":"API rate limit exceeded","documentation_url":"https://docs.github.com/rest","status":"403"})",
           {{"x-ratelimit-limit", "60"},
            {"x-ratelimit-remaining", "0"},
            {"x-ratelimit-reset", "1795324200"},
            {"x-ratelimit-resource", "core"}}),
       Verdict::kDegraded, "rate_limited", "rate limited (HTTP 403)"},
      {"github",
       Json(
           401,
           R"({"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"})"),
       Verdict::kUnhealthy, "auth", "credentials rejected (HTTP 401)"},
  };
  std::mutex mutex;
  TestResponse current;
  HttpsTestServer server([&](const TestRequest&) {
    std::lock_guard<std::mutex> lock(mutex);
    return current;
  });
  const Env env{{"ANTHROPIC_API_KEY", kSentinelKey},
                {"OPENAI_API_KEY", kSentinelKey},
                {"STRIPE_SECRET_KEY", kSentinelKey},
                {"GITHUB_TOKEN", kSentinelKey},
                {"SSL_CERT_FILE", RequireEnv("AGENT_TEST_TLS_CA")}};
  Harness harness;
  for (const Row& row : rows) {
    INFO(row.preset << " " << row.response.status);
    {
      std::lock_guard<std::mutex> lock(mutex);
      current = row.response;
    }
    ProbePtr probe =
        MakeProbe("    preset: " + row.preset + "\n    base_url: " + server.Url("") + "\n", env);
    const ProbeResult result = harness.Run(*probe);
    CHECK(result.verdict == row.verdict);
    CHECK(result.failure == row.failure);
    CHECK(result.reason == row.reason);
    CHECK(FindSample(result, kHttpStatusCode)->value == row.response.status);
    CheckNoSecret(*probe, result, kSentinelKey);
  }
}

TEST_CASE("HttpProbe: the github preset sends a User-Agent and exports the quota of its body",
          "[http][integration]") {
  HttpsTestServer server([](const TestRequest&) {
    return Json(
        200,
        R"({"resources":{"core":{"limit":5000,"used":3,"remaining":4997,"reset":1795324200},)"
        R"("search":{"limit":30,"used":0,"remaining":30,"reset":1795320660}},)"
        R"("rate":{"limit":5000,"used":3,"remaining":4997,"reset":1795324200}})",
        {{"x-ratelimit-limit", "5000"},
         {"x-ratelimit-remaining", "4997"},
         {"x-ratelimit-reset", "1795324200"},
         {"x-ratelimit-resource", "core"}});
  });
  Harness harness;
  ProbePtr probe = MakeProbe("    preset: github\n    base_url: " + server.Url("") + "\n",
                             {{"SSL_CERT_FILE", RequireEnv("AGENT_TEST_TLS_CA")}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "/rate_limit");
  CHECK(requests[0].headers.at("user-agent") == "sidecar-agent");
  CHECK(requests[0].headers.count("authorization") == 0);
  CHECK(FindSample(result, kRateLimitRemaining, "core")->value == 4997);
  CHECK(FindSample(result, kRateLimitLimit, "search")->value == 30);
  CHECK(FindSample(result, kRateLimitReset, "search")->value == 1795320660);
  int core_samples = 0;
  for (const Sample& sample : result.samples) {
    if (sample.metric == &kRateLimitRemaining && sample.labels[0].second == "core") ++core_samples;
  }
  CHECK(core_samples == 1);  // the body and the headers do not make duplicate series
}

TEST_CASE("HttpProbe: the openai preset exports its rate-limit headers", "[http][integration]") {
  HttpsTestServer server([](const TestRequest&) {
    return Json(
        200,
        R"({"object":"list","data":[{"id":"gpt-x","object":"model","created":1,"owned_by":"system"}]})",
        {{"x-request-id", "req_9"},
         {"x-ratelimit-limit-requests", "10000"},
         {"x-ratelimit-remaining-requests", "9999"},
         {"x-ratelimit-reset-requests", "6ms"},
         {"x-ratelimit-limit-tokens", "2000000"},
         {"x-ratelimit-remaining-tokens", "1999000"},
         {"x-ratelimit-reset-tokens", "6m0s"}});
  });
  Harness harness;
  ProbePtr probe =
      MakeProbe("    preset: openai\n", {{"OPENAI_API_KEY", kSentinelKey},
                                         {"OPENAI_BASE_URL", server.Url("/v1")},
                                         {"SSL_CERT_FILE", RequireEnv("AGENT_TEST_TLS_CA")}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  REQUIRE(server.requests().size() == 1);
  CHECK(server.requests()[0].target == "/v1/models");
  CHECK(server.requests()[0].headers.at("authorization") == std::string("Bearer ") + kSentinelKey);
  CHECK(FindSample(result, kRateLimitRemaining, "tokens")->value == 1999000);
  CHECK(FindSample(result, kRateLimitLimit, "requests")->value == 10000);
  const double now = static_cast<double>(std::time(nullptr));
  CHECK(FindSample(result, kRateLimitReset, "tokens")->value == Approx(now + 360).margin(30));
}

TEST_CASE("HttpProbe: a redirect to another host never carries the credentials",
          "[http][integration]") {
  HttpsTestServer other([](const TestRequest&) { return Json(200, R"({"status":"up"})"); });
  HttpsTestServer origin([&other](const TestRequest& request) {
    TestResponse response;
    response.status = request.target == "/same" ? 302 : 302;
    response.headers = {
        {"Location", request.target == "/same" ? "/start" : other.Url("/landing", "localhost")}};
    if (request.target == "/start") {
      response.headers = {{"Location", other.Url("/landing", "localhost")}};
    }
    return response;
  });
  Harness harness;
  ProbePtr probe = MakeProbe("    url: " + origin.Url("/same") +
                                 "\n"
                                 "    headers: {X-Api-Key: '${KEY}', X-Trace: visible}\n"
                                 "    bearer_token: ${TOKEN}\n"
                                 "    json: [{pointer: /status, equals: up}]\n"
                                 "    tls: {ca_file: " +
                                 RequireEnv("AGENT_TEST_TLS_CA") + "}\n",
                             {{"KEY", kSentinelKey}, {"TOKEN", "bearer-sentinel-token"}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(FindSample(result, kHttpRedirects)->value == 2);
  const auto first = origin.requests();
  REQUIRE(first.size() == 2);  // /same, then /start on the same origin: credentials kept
  for (const TestRequest& request : first) {
    CHECK(request.headers.at("x-api-key") == kSentinelKey);
    CHECK(request.headers.at("authorization") == "Bearer bearer-sentinel-token");
  }
  const auto landed = other.requests();
  REQUIRE(landed.size() == 1);
  CHECK(landed[0].target == "/landing");
  CHECK(landed[0].headers.count("x-api-key") == 0);
  CHECK(landed[0].headers.count("authorization") == 0);
  CHECK(landed[0].headers.at("x-trace") == "visible");
  for (const auto& [name, value] : landed[0].headers) {
    CHECK(value.find(kSentinelKey) == std::string::npos);
    CHECK(value.find("bearer-sentinel-token") == std::string::npos);
  }
  CheckNoSecret(*probe, result, "bearer-sentinel-token");
}

TEST_CASE("HttpProbe: a tarpit is abandoned at the deadline and nothing is left behind",
          "[http][integration]") {
  HttpsTestServer tarpit([](const TestRequest&) { return TestResponse{}; });
  tarpit.set_silent(true);
  Harness harness;
  constexpr int kProbes = 50;
  std::vector<ProbePtr> probes;
  int completions = 0;
  for (int i = 0; i < kProbes; ++i) {
    probes.push_back(MakeProbe("    url: " + tarpit.Url("/") +
                               "\n    tls: {ca_file: " + RequireEnv("AGENT_TEST_TLS_CA") + "}\n"));
  }
  // As the scheduler does: start with a deadline, Cancel() when it passes. The probes' own
  // libcurl timeout is the same deadline; whichever comes first, each ends exactly once.
  const TimePoint deadline = Clock::now() + 200ms;
  for (auto& probe : probes) {
    probe->Start(ProbeContext{&harness.loop, &harness.resolver, deadline},
                 [&completions](ProbeResult result) {
                   ++completions;
                   CHECK(result.failure == "timeout");
                 });
  }
  while (Clock::now() < deadline) harness.loop.RunOnce(5ms);
  for (auto& probe : probes) probe->Cancel();
  const int at_deadline = completions;
  harness.RunFor(300ms);
  CHECK(completions == at_deadline);  // nothing is called after Cancel()
  // Every connection the probes opened is closed (generous bound for a loaded machine).
  const TimePoint bound = Clock::now() + 10s;
  while ((tarpit.closed() < tarpit.accepted() || tarpit.accepted() < kProbes) &&
         Clock::now() < bound) {
    harness.loop.RunOnce(10ms);
  }
  CHECK(tarpit.accepted() == kProbes);
  CHECK(tarpit.closed() == tarpit.accepted());
}

TEST_CASE("HttpProbe: without a Cancel the probe times out by itself near its deadline",
          "[http][integration]") {
  HttpsTestServer drip([](const TestRequest&) {
    TestResponse response;
    response.mode = TestResponse::Mode::kDrip;
    response.body = std::string(200, 'd');
    response.drip_interval = 20ms;
    return response;
  });
  Harness harness;
  ProbePtr probe = MakeProbe("    url: " + drip.Url("/") +
                             "\n    tls: {ca_file: " + RequireEnv("AGENT_TEST_TLS_CA") + "}\n");
  const TimePoint start = Clock::now();
  const ProbeResult result = harness.Run(*probe, 300ms);
  INFO(Describe(result));
  CHECK(result.failure == "timeout");
  CHECK(Clock::now() - start < 3s);  // generous: the point is that it does not wait for 4 s
}

TEST_CASE("HttpProbe: a huge body is cut at max_body_size", "[http][integration]") {
  bool chunked = GENERATE(false, true);
  HttpsTestServer huge([chunked](const TestRequest&) {
    TestResponse response;
    response.mode = TestResponse::Mode::kHuge;
    response.huge_bytes = 30u << 20;
    response.chunked = chunked;
    return response;
  });
  Harness harness;
  ProbePtr probe = MakeProbe("    url: " + huge.Url("/") + "\n    max_body_size: 65536\n" +
                             "    tls: {ca_file: " + RequireEnv("AGENT_TEST_TLS_CA") + "}\n");
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "body_too_large");
}

TEST_CASE("HttpProbe: certificate and connection failures have their own kinds",
          "[http][integration]") {
  const std::string ca = RequireEnv("AGENT_TEST_TLS_CA");
  auto ok = [](const TestRequest&) { return Json(200, "{}"); };
  Harness harness;
  {
    HttpsTestServer expired(ok, HttpsTestServer::Cert::kExpired);
    ProbePtr probe = MakeProbe("    url: " + expired.Url("/", "localhost") +
                               "\n    tls: {ca_file: " + ca + "}\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.failure == "cert_expired");
    CHECK(result.reason == "tls: certificate has expired");
  }
  {
    HttpsTestServer wrong(ok, HttpsTestServer::Cert::kWrongHost);
    ProbePtr probe =
        MakeProbe("    url: " + wrong.Url("/", "localhost") + "\n    tls: {ca_file: " + ca + "}\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.failure == "hostname_mismatch");
    // ... and the same server is accepted when asked to skip verification.
    // ... and accepted when tls.server_name names the certificate's host.
    ProbePtr named = MakeProbe("    url: " + wrong.Url("/") + "\n    tls: {ca_file: " + ca +
                               ", server_name: wrong.example.test}\n");
    const ProbeResult named_result = harness.Run(*named);
    INFO(Describe(named_result));
    CHECK(named_result.verdict == Verdict::kHealthy);
    CHECK(wrong.requests().back().headers.at("host") ==
          "wrong.example.test:" + std::to_string(wrong.port()));
    ProbePtr lax = MakeProbe("    url: " + wrong.Url("/", "localhost") +
                             "\n    tls: {insecure_skip_verify: true}\n");
    CHECK(harness.Run(*lax).verdict == Verdict::kHealthy);
  }
  {
    HttpsTestServer untrusted(ok);
    ProbePtr probe = MakeProbe("    url: " + untrusted.Url("/") + "\n");  // system CAs only
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.failure == "tls");
  }
  {
    int port = 0;
    {
      HttpsTestServer gone(ok, HttpsTestServer::Cert::kValid, /*tls=*/false);
      port = gone.port();
    }
    ProbePtr probe = MakeProbe("    url: http://127.0.0.1:" + std::to_string(port) + "/\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.failure == "connect");
    CHECK(result.reason == "connect: connection refused");
  }
  {
    ProbePtr probe = MakeProbe("    url: https://nosuchhost.example.invalid/\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.failure == "resolve");
  }
}

TEST_CASE("HttpProbe: body and JSON checks, expected codes, keep-alive across runs",
          "[http][integration]") {
  HttpsTestServer server([](const TestRequest& request) {
    if (request.target == "/missing") return Json(404, R"({"status":"gone"})");
    return Json(200, R"({"status":"up","checks":{"db":"ok"},"count":3})");
  });
  const std::string tls = "    tls: {ca_file: " + RequireEnv("AGENT_TEST_TLS_CA") + "}\n";
  Harness harness;
  struct Row {
    std::string keys;
    Verdict verdict;
    std::string reason;
  };
  const Row rows[] = {
      {"    body_contains: '\"up\"'\n", Verdict::kHealthy, ""},
      {"    body_contains: down\n", Verdict::kUnhealthy, "body does not contain the expected text"},
      {"    body_regex: '\"db\":\\s*\"ok\"'\n", Verdict::kHealthy, ""},
      {"    body_regex: 'fail'\n", Verdict::kUnhealthy, "body does not match body_regex"},
      {"    json: [{pointer: /checks/db, equals: ok}, {pointer: /count, equals: '3'}]\n",
       Verdict::kHealthy, ""},
      {"    json: [{pointer: /checks/cache}]\n", Verdict::kUnhealthy,
       "JSON field /checks/cache is missing"},
      {"    json: [{pointer: /status, equals: down}]\n", Verdict::kUnhealthy,
       "JSON field /status is not 'down'"},
  };
  for (const Row& row : rows) {
    INFO(row.keys);
    ProbePtr probe = MakeProbe("    url: " + server.Url("/health") + "\n" + row.keys + tls);
    const ProbeResult result = harness.Run(*probe);
    CHECK(result.verdict == row.verdict);
    CHECK(result.reason == row.reason);
  }
  ProbePtr missing = MakeProbe("    url: " + server.Url("/missing") + "\n" + tls);
  CHECK(harness.Run(*missing).reason == "unexpected status (HTTP 404)");
  ProbePtr expected404 =
      MakeProbe("    url: " + server.Url("/missing") + "\n    valid_status_codes: ['404']\n" + tls);
  CHECK(harness.Run(*expected404).verdict == Verdict::kHealthy);

  // Keep-alive: the second run reuses the connection; no new handshake is counted.
  const int accepted_before = server.accepted();
  ProbePtr probe = MakeProbe("    url: " + server.Url("/health") + "\n" + tls);
  const ProbeResult first = harness.Run(*probe);
  const ProbeResult second = harness.Run(*probe);
  CHECK(first.verdict == Verdict::kHealthy);
  CHECK(second.verdict == Verdict::kHealthy);
  CHECK(server.accepted() == accepted_before + 1);
  CHECK(FindSample(first, kHttpDurationSeconds, "tls")->value > 0);
  CHECK(FindSample(second, kHttpDurationSeconds, "tls")->value == 0);
  // The TLS facts are still reported on the reused connection.
  CHECK(FindSample(second, kSslEarliestCertExpiry) != nullptr);
}

}  // namespace
}  // namespace sidecar::probes::http
