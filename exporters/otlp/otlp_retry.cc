#include "exporters/otlp/otlp_retry.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <string>

namespace sidecar::exporters::otlp {

bool IsRetryable(int status) {
  return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
}

std::optional<Duration> ParseRetryAfter(std::string_view value,
                                        std::chrono::system_clock::time_point now) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (when <= now) return Duration::zero();
  return std::chrono::duration_cast<Duration>(when - now);
}

Duration Backoff(int attempt, Duration initial, Duration max, double random01) {
  Duration wait = initial;
  for (int i = 1; i < attempt && wait < max; ++i) wait *= 2;
  wait = std::min(wait, max);
  return std::chrono::duration_cast<Duration>(wait * (0.5 + 0.5 * random01));
}

}  // namespace sidecar::exporters::otlp
