// When the OTLP exporter retries, per the OTLP/HTTP specification: only 429, 502, 503 and 504
// (and a failed connection or a timeout) are retried, with exponential backoff and random
// jitter, or after Retry-After (seconds or an HTTP-date) when the answer has one. Pure.
// Thread-safe (pure functions).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "agent/common/duration.h"

namespace sidecar::exporters::otlp {

// status 0 means no HTTP answer (connect failure, timeout).
bool IsRetryable(int status);

// Retry-After: delta seconds or an IMF-fixdate, relative to `now` (unix time).
std::optional<Duration> ParseRetryAfter(std::string_view value,
                                        std::chrono::system_clock::time_point now);

// Backoff before attempt `attempt` (1 = the first retry): initial * 2^(attempt-1), capped at
// `max`, then scaled by a jitter factor in [0.5, 1.0) from `random01` in [0, 1).
Duration Backoff(int attempt, Duration initial, Duration max, double random01);

}  // namespace sidecar::exporters::otlp
