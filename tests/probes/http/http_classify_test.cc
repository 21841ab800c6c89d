// Table tests of the http probe's pure functions: status ranges, verdicts, curl errors and the
// providers' rate-limit headers.
#include "probes/http/http_classify.h"

#include <catch2/catch.hpp>
#include <cerrno>

namespace sidecar::probes::http {
namespace {

TEST_CASE("HttpClassify: status ranges accept codes, ranges and 2xx", "[http]") {
  auto ranges = ParseStatusRanges({"200-204", "301", "4xx"});
  REQUIRE(ranges.ok());
  CHECK(StatusMatches(ranges.value(), 200));
  CHECK(StatusMatches(ranges.value(), 204));
  CHECK_FALSE(StatusMatches(ranges.value(), 205));
  CHECK(StatusMatches(ranges.value(), 301));
  CHECK(StatusMatches(ranges.value(), 429));
  CHECK_FALSE(StatusMatches(ranges.value(), 500));
  for (const char* bad : {"2x", "abc", "300-200", "99", "200-", "1000"}) {
    INFO(bad);
    CHECK_FALSE(ParseStatusRanges({bad}).ok());
  }
}

TEST_CASE("HttpClassify: answers are classified the way an operator reads them", "[http]") {
  struct Row {
    int code;
    Headers headers;
    std::string error_type;
    Verdict verdict;
    std::string failure;
    std::string reason;
  };
  const Row rows[] = {
      {401,
       {},
       "authentication_error",
       Verdict::kUnhealthy,
       "auth",
       "credentials rejected (HTTP 401, authentication_error)"},
      {403, {}, "", Verdict::kUnhealthy, "auth", "credentials rejected (HTTP 403)"},
      {429,
       {{"retry-after", "30"}},
       "rate_limit_error",
       Verdict::kDegraded,
       "rate_limited",
       "rate limited (HTTP 429, rate_limit_error, retry after 30s)"},
      {429,
       {},
       "insufficient_quota",
       Verdict::kDegraded,
       "rate_limited",
       "quota exhausted (HTTP 429, insufficient_quota)"},
      {403,
       {{"x-ratelimit-remaining", "0"}},
       "",
       Verdict::kDegraded,
       "rate_limited",
       "rate limited (HTTP 403)"},
      {529,
       {},
       "overloaded_error",
       Verdict::kUnhealthy,
       "provider_error",
       "provider overloaded (HTTP 529, overloaded_error)"},
      {500,
       {},
       "api_error",
       Verdict::kUnhealthy,
       "provider_error",
       "provider error (HTTP 500, api_error)"},
      {503, {}, "", Verdict::kUnhealthy, "provider_error", "provider error (HTTP 503)"},
      {404,
       {},
       "not_found_error",
       Verdict::kUnhealthy,
       "status",
       "unexpected status (HTTP 404, not_found_error)"},
  };
  for (const Row& row : rows) {
    INFO(row.code << " " << row.error_type);
    const Outcome outcome = ClassifyStatus(row.code, row.headers, row.error_type);
    CHECK(outcome.verdict == row.verdict);
    CHECK(outcome.failure == row.failure);
    CHECK(outcome.reason == row.reason);
  }
}

TEST_CASE("HttpClassify: the error type is read from each provider's error body", "[http]") {
  CHECK(
      ErrorTypeFromBody(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})") ==
      "overloaded_error");
  CHECK(
      ErrorTypeFromBody(
          R"({"error":{"message":"You exceeded","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})") ==
      "insufficient_quota");
  CHECK(
      ErrorTypeFromBody(
          R"({"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_***"}})") ==
      "invalid_request_error");
  CHECK(ErrorTypeFromBody(R"({"message":"Bad credentials","status":"401"})").empty());
  CHECK(ErrorTypeFromBody("<html>").empty());
  // Bounded and restricted: a hostile body cannot smuggle text into the reason.
  CHECK(ErrorTypeFromBody(R"({"error":{"type":"a b\nc sk-ant-123"}})") == "abcsk-ant-123");
}

TEST_CASE("HttpClassify: transfer errors get their own failure kind", "[http]") {
  struct Row {
    CURLcode code;
    std::string text;
    std::string failure;
  };
  const Row rows[] = {
      {CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: nowhere.invalid", "resolve"},
      {CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 1: Connection refused",
       "connect"},
      {CURLE_OPERATION_TIMEDOUT, "Operation timed out after 200 milliseconds", "timeout"},
      {CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: certificate has expired",
       "cert_expired"},
      {CURLE_PEER_FAILED_VERIFICATION,
       "SSL: no alternative certificate subject name matches target host name 'localhost'",
       "hostname_mismatch"},
      {CURLE_PEER_FAILED_VERIFICATION,
       "SSL certificate problem: unable to get local issuer certificate", "tls"},
      {CURLE_SSL_CONNECT_ERROR, "OpenSSL SSL_connect: SSL_ERROR_SYSCALL", "tls"},
      {CURLE_RECV_ERROR, "Recv failure: Connection reset by peer", "reset"},
      {CURLE_FILESIZE_EXCEEDED, "", "body_too_large"},
      {CURLE_GOT_NOTHING, "Empty reply from server", "protocol"},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    const Outcome outcome = ClassifyCurlError(row.code, row.text);
    CHECK(outcome.verdict == Verdict::kUnhealthy);
    CHECK(outcome.failure == row.failure);
  }
  CHECK(ClassifyCurlError(CURLE_COULDNT_CONNECT, "Failed: Connection refused").reason ==
        "connect: connection refused");
  CHECK(
      ClassifyCurlError(CURLE_COULDNT_CONNECT, "Couldn't connect to server", ECONNREFUSED).reason ==
      "connect: connection refused");
  CHECK(ClassifyCurlError(CURLE_RECV_ERROR, "Recv failure", ECONNRESET).failure == "reset");
}

TEST_CASE("HttpClassify: time formats of the providers' reset headers", "[http]") {
  CHECK(ParseRfc3339("2026-11-22T05:10:00Z") == Approx(1795324200.0));
  CHECK(ParseRfc3339("2026-11-22T06:10:00+01:00") == Approx(1795324200.0));
  CHECK(ParseRfc3339("2026-11-22T05:10:00.5Z") == Approx(1795324200.5));
  CHECK_FALSE(ParseRfc3339("yesterday"));
  CHECK(ParseGoDurationSeconds("6m0s") == Approx(360.0));
  CHECK(ParseGoDurationSeconds("1s") == Approx(1.0));
  CHECK(ParseGoDurationSeconds("12ms") == Approx(0.012));
  CHECK(ParseGoDurationSeconds("1h2m3.5s") == Approx(3723.5));
  CHECK(ParseGoDurationSeconds("0") == Approx(0.0));
  CHECK_FALSE(ParseGoDurationSeconds("6 minutes"));
  CHECK_FALSE(ParseGoDurationSeconds(""));
}

const RateLimit* Find(const std::vector<RateLimit>& limits, const std::string& kind) {
  for (const RateLimit& limit : limits) {
    if (limit.kind == kind) return &limit;
  }
  return nullptr;
}

TEST_CASE("HttpClassify: Anthropic rate-limit headers, RFC 3339 resets", "[http]") {
  const Headers headers{{"anthropic-ratelimit-requests-limit", "50"},
                        {"anthropic-ratelimit-requests-remaining", "49"},
                        {"anthropic-ratelimit-requests-reset", "2026-11-22T05:10:00Z"},
                        {"anthropic-ratelimit-input-tokens-limit", "40000"},
                        {"anthropic-ratelimit-input-tokens-remaining", "39000"},
                        {"anthropic-ratelimit-tokens-remaining", "48000"},
                        {"request-id", "req_1"}};
  const auto limits = ParseRateLimits(headers, 0);
  REQUIRE(Find(limits, "requests"));
  CHECK(*Find(limits, "requests")->limit == 50);
  CHECK(*Find(limits, "requests")->remaining == 49);
  CHECK(*Find(limits, "requests")->reset_unix_seconds == Approx(1795324200.0));
  REQUIRE(Find(limits, "input_tokens"));
  CHECK(*Find(limits, "input_tokens")->remaining == 39000);
  REQUIRE(Find(limits, "tokens"));
  CHECK_FALSE(Find(limits, "tokens")->limit);
}

TEST_CASE("HttpClassify: OpenAI rate-limit headers, Go duration resets", "[http]") {
  const Headers headers{
      {"x-ratelimit-limit-requests", "10000"},     {"x-ratelimit-remaining-requests", "9999"},
      {"x-ratelimit-reset-requests", "6ms"},       {"x-ratelimit-limit-tokens", "2000000"},
      {"x-ratelimit-remaining-tokens", "1999000"}, {"x-ratelimit-reset-tokens", "6m0s"}};
  const auto limits = ParseRateLimits(headers, 1000.0);
  REQUIRE(Find(limits, "requests"));
  CHECK(*Find(limits, "requests")->remaining == 9999);
  CHECK(*Find(limits, "requests")->reset_unix_seconds == Approx(1000.006));
  REQUIRE(Find(limits, "tokens"));
  CHECK(*Find(limits, "tokens")->limit == 2000000);
  CHECK(*Find(limits, "tokens")->reset_unix_seconds == Approx(1360.0));
  CHECK(limits.size() == 2);
}

TEST_CASE("HttpClassify: GitHub rate-limit headers and /rate_limit body", "[http]") {
  const Headers headers{{"x-ratelimit-limit", "5000"},
                        {"x-ratelimit-remaining", "4990"},
                        {"x-ratelimit-used", "10"},
                        {"x-ratelimit-reset", "1795324200"},
                        {"x-ratelimit-resource", "core"}};
  const auto limits = ParseRateLimits(headers, 0);
  REQUIRE(limits.size() == 1);
  CHECK(limits[0].kind == "core");
  CHECK(*limits[0].remaining == 4990);
  CHECK(*limits[0].reset_unix_seconds == 1795324200);

  const auto body = ParseGithubRateLimitBody(
      R"({"resources":{"core":{"limit":5000,"used":1,"remaining":4999,"reset":1691591363},
          "search":{"limit":30,"used":0,"remaining":30,"reset":1691591091}},
          "rate":{"limit":5000,"used":1,"remaining":4999,"reset":1691591363}})");
  REQUIRE(Find(body, "core"));
  CHECK(*Find(body, "core")->remaining == 4999);
  REQUIRE(Find(body, "search"));
  CHECK(*Find(body, "search")->limit == 30);
  CHECK(ParseGithubRateLimitBody("not json").empty());
}

}  // namespace
}  // namespace sidecar::probes::http
