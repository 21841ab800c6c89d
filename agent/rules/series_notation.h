// promtool's expanding notation for unit-test input series ("values" in a test file), with the
// grammar and quirks of Prometheus 2.42's series-description lexer and parser:
//   1 2 3          plain numbers (decimal, exponent, Inf, NaN; a leading 0 reads as octal)
//   1+2x3          1 3 5 7: a start, then 3 further samples stepping by +2 (or -2 in 1-2x3)
//   1x3            1 1 1 1: shorthand for 1+0x3
//   _  _x3         one or three missing samples (no point at that step)
//   stale          a staleness marker
// Items are separated by whitespace; anything else is an error with its position.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar::rules {

// One step of an input series: a value, or nothing at that step.
struct SeriesValue {
  bool omitted = false;
  double value = 0;  // promql::StaleNaN() for `stale`
};

struct SeriesNotationError {
  int offset = 0;       // byte offset into the text where the problem starts
  std::string message;  // promtool's wording: bad number syntax: "1"
};

// Refused beyond this many steps in one series (promtool would try to allocate them all).
inline constexpr size_t kMaxSeriesValues = size_t{1} << 22;

// Expands `text`. Returns false with `*error` filled on a syntax error.
bool ExpandSeriesValues(std::string_view text, std::vector<SeriesValue>* values,
                        SeriesNotationError* error);

}  // namespace sidecar::rules
