// Number and duration literals as Prometheus 2.42 reads them (Go's strconv.ParseInt/ParseFloat,
// prometheus/common's model.ParseDuration) and prints durations (model.Duration.String()).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <string>

#include "agent/promql/lexer.h"

namespace sidecar::promql {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 16;
}

bool AllOf(std::string_view s, std::string_view valid) {
  for (char c : s) {
    if (valid.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// strconv.ParseInt(text, 0, 64) for what the lexer produces: 0x hex, 0 octal, decimal.
bool ParseGoInt(std::string_view text, int64_t* out) {
  uint64_t base = 10;
  std::string_view digits = text;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits = text.substr(2);
    if (!AllOf(digits, "0123456789abcdefABCDEF")) return false;
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    digits = text.substr(1);
    if (!AllOf(digits, "01234567")) return false;
  } else if (text.empty() || !AllOf(digits, "0123456789")) {
    return false;
  }
  uint64_t value = 0;
  for (char c : digits) {
    const auto d = static_cast<uint64_t>(DigitValue(c));
    if (value > (static_cast<uint64_t>(INT64_MAX) - d) / base) return false;
    value = value * base + d;
  }
  *out = static_cast<int64_t>(value);
  return true;
}

// Go's decimal float syntax (the lexer never produces a sign or a hex float with an exponent).
bool IsDecimalFloat(std::string_view s) {
  size_t i = 0;
  size_t mantissa_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

bool ParseNumber(std::string_view text, double* value, std::string* error) {
  int64_t integer = 0;
  if (ParseGoInt(text, &integer)) {
    *value = static_cast<double>(integer);
    return true;
  }
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "inf") {
    *value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower == "nan") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const std::string prefix = "strconv.ParseFloat: parsing " + GoQuote(text) + ": ";
  if (!IsDecimalFloat(text)) {
    *error = prefix + "invalid syntax";
    return false;
  }
  const std::string copy(text);
  *value = std::strtod(copy.c_str(), nullptr);
  if (std::isinf(*value)) {
    *error = prefix + "value out of range";
    return false;
  }
  return true;
}

bool ParseDurationMs(std::string_view text, int64_t* ms, std::string* error) {
  struct Unit {
    std::string_view suffix;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"y", 1000LL * 60 * 60 * 24 * 365},
      {"w", 1000LL * 60 * 60 * 24 * 7},
      {"d", 1000LL * 60 * 60 * 24},
      {"h", 1000LL * 60 * 60},
      {"m", 1000LL * 60},
      {"s", 1000},
      {"ms", 1},
  };
  if (text == "0") {
    *ms = 0;
    return true;
  }
  // Matches ^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$ unit by unit, adding up in
  // nanoseconds with the same overflow rule as Prometheus.
  const std::string invalid = "not a valid duration string: " + GoQuote(text);
  constexpr int64_t kNsPerMs = 1000000;
  size_t pos = 0;
  size_t unit = 0;
  int64_t total_ns = 0;
  bool overflow = false;
  while (pos < text.size()) {
    size_t digits_end = pos;
    while (digits_end < text.size() && IsDigit(text[digits_end])) {
      ++digits_end;
    }
    if (digits_end == pos) {
      *error = invalid;
      return false;
    }
    size_t suffix_end = digits_end;
    while (suffix_end < text.size() && !IsDigit(text[suffix_end])) {
      ++suffix_end;
    }
    const std::string_view suffix = text.substr(digits_end, suffix_end - digits_end);
    while (unit < std::size(kUnits) && kUnits[unit].suffix != suffix) ++unit;
    if (unit == std::size(kUnits)) {
      *error = invalid;
      return false;
    }
    // strconv.Atoi saturates, so any count this long is out of range.
    uint64_t count = 0;
    for (size_t i = pos; i < digits_end; ++i) {
      count = count > UINT64_MAX / 20 ? UINT64_MAX / 20 : count * 10 + (text[i] - '0');
    }
    const uint64_t limit = static_cast<uint64_t>(INT64_MAX / kUnits[unit].ms / kNsPerMs);
    if (count > limit) overflow = true;
    if (!overflow) {
      const int64_t term = static_cast<int64_t>(count) * kUnits[unit].ms * kNsPerMs;
      if (term > INT64_MAX - total_ns) {
        overflow = true;
      } else {
        total_ns += term;
      }
    }
    ++unit;
    pos = suffix_end;
  }
  if (overflow) {
    *error = "duration out of range";
    return false;
  }
  *ms = total_ns / kNsPerMs;
  return true;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  const auto unit = [&](std::string_view suffix, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    if (const int64_t v = ms / mult; v > 0) {
      out += std::to_string(v);
      out += suffix;
      ms -= v * mult;
    }
  };
  // Years and weeks only when exact, as Prometheus prints 90d rather than 12w6d.
  unit("y", 1000LL * 60 * 60 * 24 * 365, true);
  unit("w", 1000LL * 60 * 60 * 24 * 7, true);
  unit("d", 1000LL * 60 * 60 * 24, false);
  unit("h", 1000LL * 60 * 60, false);
  unit("m", 1000LL * 60, false);
  unit("s", 1000, false);
  unit("ms", 1, false);
  return out;
}

}  // namespace sidecar::promql
