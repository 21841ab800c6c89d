// Durations as users write them ("250ms", "5s", "1m30s", Prometheus/Go style) and back.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sidecar {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;
using TimePoint = Clock::time_point;

// Parses "1h30m", "5s", "250ms", "100us", "1.5s"; a bare "0" is zero. Units: ns us ms s m h d.
// Returns nullopt for anything else (negative values, empty strings, unknown units).
std::optional<Duration> ParseDuration(std::string_view text);

// The shortest exact form: "5s", "250ms", "1m30s", "0s".
std::string FormatDuration(Duration duration);

inline double ToSeconds(Duration duration) {
  return std::chrono::duration<double>(duration).count();
}

inline Duration FromSeconds(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace sidecar
