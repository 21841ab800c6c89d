// Pure functions of the http probe, no I/O: expected-status ranges, the verdict of a status
// code the way an operator reads it, the failure kind of a libcurl error, and the providers'
// rate-limit headers. Table-tested in tests/probes/http/http_classify_test.cc.
// Thread-safe (no shared state).
#pragma once

#include <curl/curl.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/common/status.h"
#include "probes/probe.h"

namespace sidecar::probes::http {

// Response headers, names lower-cased; the last value wins.
using Headers = std::map<std::string, std::string>;

using StatusRanges = std::vector<std::pair<int, int>>;  // inclusive
// "200", "200-299", "2xx" -> ranges; an error names the bad element.
Result<StatusRanges> ParseStatusRanges(const std::vector<std::string>& items);
bool StatusMatches(const StatusRanges& ranges, int code);

// The verdict of an HTTP answer that did not match the expected codes (or, for presets, of any
// answer): 401/403 credentials rejected (unhealthy, "auth"), 429 rate limited (degraded,
// "rate_limited", retry-after in the reason), 529 provider overloaded and 5xx provider error
// (unhealthy, "provider_error"), anything else "status". `error_type` is the provider's error
// type or code from the JSON body (e.g. "insufficient_quota"), shown in the reason.
struct Outcome {
  Verdict verdict;
  std::string failure;
  std::string reason;
};
Outcome ClassifyStatus(int code, const Headers& headers, const std::string& error_type);

// The provider's error type from an error body: Anthropic {"error":{"type"}}, OpenAI
// {"error":{"code"|"type"}}, Stripe {"error":{"type"}}. Empty when there is none. Bounded and
// restricted to [A-Za-z0-9_.-], so it can never carry an echoed key.
std::string ErrorTypeFromBody(const std::string& body);

// The failure kind and reason of a transfer that ended without an answer: resolve, connect,
// reset, tls, cert_expired, hostname_mismatch, timeout, body_too_large, protocol. `os_errno` is
// CURLINFO_OS_ERRNO (libcurl's text says "Couldn't connect to server" for a refusal).
Outcome ClassifyCurlError(CURLcode code, const std::string& error_buffer, int os_errno = 0);

struct RateLimit {
  std::string kind;
  std::optional<double> limit;
  std::optional<double> remaining;
  std::optional<double> reset_unix_seconds;
};
// Reads Anthropic (anthropic-ratelimit-*-{limit,remaining,reset}, RFC 3339 resets), OpenAI
// (x-ratelimit-{limit,remaining,reset}-*, Go durations from now) and GitHub (x-ratelimit-*,
// epoch seconds, x-ratelimit-resource) headers. `now_unix` converts durations to timestamps.
std::vector<RateLimit> ParseRateLimits(const Headers& headers, double now_unix);
// GitHub's GET /rate_limit body: resources.<name>.{limit,remaining,reset}.
std::vector<RateLimit> ParseGithubRateLimitBody(const std::string& body);

// "2026-11-22T05:10:00Z", "...+01:00", fractional seconds allowed.
std::optional<double> ParseRfc3339(const std::string& text);
// Go durations: "6m0s", "1s", "12ms", "1h2m3.5s".
std::optional<double> ParseGoDurationSeconds(const std::string& text);

}  // namespace sidecar::probes::http
