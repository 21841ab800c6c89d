#include "agent/common/duration.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace sidecar {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t nanos;
};

// Longest suffixes first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"µs", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"d", 86'400'000'000'000},
};

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text == "0") {
    return Duration::zero();
  }
  if (text.empty()) {
    return std::nullopt;
  }
  long double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t number_start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (i == number_start) {
      return std::nullopt;
    }
    const std::string number(text.substr(number_start, i - number_start));
    char* end = nullptr;
    const long double value = std::strtold(number.c_str(), &end);
    if (end != number.c_str() + number.size()) {
      return std::nullopt;
    }
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(i, candidate.suffix.size()) == candidate.suffix) {
        // "m" must not swallow the "m" of "ms".
        if (candidate.suffix == "m" && text.substr(i, 2) == "ms") {
          continue;
        }
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) {
      return std::nullopt;
    }
    i += unit->suffix.size();
    total += value * static_cast<long double>(unit->nanos);
  }
  // About 292 years fits in int64 nanoseconds; anything near that is a typo.
  if (!std::isfinite(static_cast<double>(total)) || total > 1e18L) {
    return std::nullopt;
  }
  return Duration(static_cast<int64_t>(std::llround(static_cast<double>(total))));
}

std::string FormatDuration(Duration duration) {
  int64_t ns = duration.count();
  if (ns == 0) {
    return "0s";
  }
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  if (ns % 1'000'000'000 != 0 && ns < 1'000'000'000) {
    if (ns % 1'000'000 == 0) {
      return out + std::to_string(ns / 1'000'000) + "ms";
    }
    if (ns % 1'000 == 0) {
      return out + std::to_string(ns / 1'000) + "us";
    }
    return out + std::to_string(ns) + "ns";
  }
  const int64_t hours = ns / 3'600'000'000'000;
  ns %= 3'600'000'000'000;
  const int64_t minutes = ns / 60'000'000'000;
  ns %= 60'000'000'000;
  if (hours > 0) {
    out += std::to_string(hours) + "h";
  }
  if (minutes > 0) {
    out += std::to_string(minutes) + "m";
  }
  if (ns > 0) {
    if (ns % 1'000'000'000 == 0) {
      out += std::to_string(ns / 1'000'000'000) + "s";
    } else {
      out += std::to_string(ns / 1'000'000) + "ms";
      if (hours > 0 || minutes > 0) {
        // Rare mixed form such as 1m0.5s: keep it exact in milliseconds.
        out = std::to_string(duration.count() / 1'000'000) + "ms";
      }
    }
  }
  return out;
}

}  // namespace sidecar
