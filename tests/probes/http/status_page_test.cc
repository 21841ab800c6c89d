// The status-page option of the http probe: parsing Statuspage documents, and the indicator
// exported beside a probe's own result (never deciding it).
#include "probes/http/status_page.h"

#include <catch2/catch.hpp>
#include <mutex>

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

TEST_CASE("StatusPage: Statuspage indicators, including undocumented ones", "[http]") {
  const std::string doc =
      R"({"page":{"id":"kctbh9vrtdwd","name":"GitHub"},"status":{"indicator":"major","description":"Partial System Outage"}})";
  CHECK(ParseStatusIndicator(doc) == "major");
  CHECK(ParseStatusIndicator(R"({"status":{"indicator":"maintenance"}})") == "maintenance");
  CHECK(ParseStatusIndicator(R"({"largestatus":"up"})").empty());
  CHECK(ParseStatusIndicator("<html>").empty());
  CHECK(IndicatorValue("none") == 0);
  CHECK(IndicatorValue("minor") == 1);
  CHECK(IndicatorValue("maintenance") == 1);
  CHECK(IndicatorValue("major") == 2);
  CHECK(IndicatorValue("critical") == 3);
  CHECK(IndicatorValue("weird") == -1);
  CHECK(PresetStatusPage("claude") == "https://status.claude.com/api/v2/status.json");
  CHECK(PresetStatusPage("github") == "https://www.githubstatus.com/api/v2/status.json");
  CHECK(PresetStatusPage("openai").empty());
}

TEST_CASE("StatusPage: status_page config", "[http]") {
  auto parsed = ParseProbe("    preset: stripe\n    status_page: true\n",
                           {{"STRIPE_SECRET_KEY", "sk_test_status"}});
  CHECK(parsed.probe == nullptr);
  CHECK_THAT(parsed.errors, Catch::Contains("no known Statuspage for stripe"));
  parsed = ParseProbe("    url: https://x.test/\n    status_page: maybe\n");
  CHECK_THAT(parsed.errors, Catch::Contains("expected true, false or a URL"));
  parsed = ParseProbe("    preset: github\n    status_page: true\n");
  CHECK(parsed.errors.empty());
}

TEST_CASE("StatusPage: the indicator labels a failure and never decides it",
          "[http][integration]") {
  std::mutex mutex;
  std::string indicator = "none";
  bool silent_page = false;
  HttpsTestServer page(
      [&](const TestRequest&) {
        std::lock_guard<std::mutex> lock(mutex);
        TestResponse response;
        if (silent_page) {
          response.mode = TestResponse::Mode::kTarpit;
          return response;
        }
        response.body = R"({"page":{"id":"x"},"status":{"indicator":")" + indicator +
                        R"(","description":"d"}})";
        return response;
      },
      HttpsTestServer::Cert::kValid, /*tls=*/false);
  int api_status = 200;
  HttpsTestServer api([&](const TestRequest&) {
    std::lock_guard<std::mutex> lock(mutex);
    TestResponse response;
    response.status = api_status;
    response.body = "{}";
    return response;
  });
  Harness harness;
  ProbePtr probe = MakeProbe("    preset: github\n    base_url: " + api.Url("") +
                                 "\n    status_page: " + page.Url("/api/v2/status.json") + "\n",
                             {{"SSL_CERT_FILE", RequireEnv("AGENT_TEST_TLS_CA")}});
  ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  REQUIRE(FindSample(result, kStatusPageIndicator));
  CHECK(FindSample(result, kStatusPageIndicator)->value == 0);

  {
    std::lock_guard<std::mutex> lock(mutex);
    indicator = "major";
    api_status = 503;
  }
  result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "provider_error");
  CHECK(result.reason == "provider error (HTTP 503) (provider status page: major)");
  CHECK(FindSample(result, kStatusPageIndicator)->value == 2);

  {
    std::lock_guard<std::mutex> lock(mutex);
    indicator = "critical";
    api_status = 200;
  }
  result = harness.Run(*probe);
  CHECK(result.verdict == Verdict::kHealthy);  // the page does not decide the verdict
  CHECK(result.reason.empty());
  CHECK(FindSample(result, kStatusPageIndicator)->value == 3);

  // A status page that never answers does not hold the probe's own result back for long.
  {
    std::lock_guard<std::mutex> lock(mutex);
    silent_page = true;
  }
  const TimePoint start = Clock::now();
  result = harness.Run(*probe, 10s);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(Clock::now() - start < 5s);
  CHECK(FindSample(result, kStatusPageIndicator)->value == 3);  // the last known indicator
  CHECK(page.requests().size() >= 4);
}

}  // namespace
}  // namespace sidecar::probes::http
