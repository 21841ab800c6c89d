// The metrics the http probe reports, named as blackbox_exporter names them so existing
// dashboards work, plus the providers' rate-limit headroom. All pass promtool check metrics.
// Immutable; thread-safe.
#pragma once

#include "probes/probe.h"

namespace sidecar::probes::http {

inline constexpr MetricDef kHttpStatusCode{"probe_http_status_code",
                                           "Response HTTP status code of the last response."};
// Label phase: resolve | connect | tls | processing | transfer, summed over redirects.
inline constexpr MetricDef kHttpDurationSeconds{
    "probe_http_duration_seconds", "Duration of each phase of the HTTP request, in seconds."};
inline constexpr MetricDef kHttpContentLength{"probe_http_content_length",
                                              "Length of the response body, in bytes."};
inline constexpr MetricDef kHttpRedirects{"probe_http_redirects", "Number of redirects followed."};
inline constexpr MetricDef kHttpSsl{"probe_http_ssl",
                                    "Whether the final response was received over TLS (1/0)."};
inline constexpr MetricDef kHttpVersion{"probe_http_version",
                                        "HTTP version of the last response (1.1, 2)."};
inline constexpr MetricDef kSslEarliestCertExpiry{
    "probe_ssl_earliest_cert_expiry",
    "Earliest notAfter of the server's certificate chain, as Unix time in seconds."};
// Value 1; label version ("TLS 1.3").
inline constexpr MetricDef kTlsVersionInfo{"probe_tls_version_info",
                                           "The TLS version the connection negotiated."};

// Rate-limit headroom from the provider's response headers (and GitHub's /rate_limit body).
// Label kind: requests | tokens | input_tokens | output_tokens (Anthropic, OpenAI), or the
// GitHub resource (core, search, graphql, ...).
inline constexpr MetricDef kRateLimitRemaining{
    "probe_api_ratelimit_remaining", "Requests or tokens left in the provider's rate limit."};
inline constexpr MetricDef kRateLimitLimit{"probe_api_ratelimit_limit",
                                           "Size of the provider's rate limit."};
inline constexpr MetricDef kRateLimitReset{
    "probe_api_ratelimit_reset_timestamp_seconds",
    "When the provider's rate limit is replenished, as Unix time in seconds."};

}  // namespace sidecar::probes::http
