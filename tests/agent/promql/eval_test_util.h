// Table-driven evaluator tests in promtool's unit-test shape: a fixture of input series in the
// expanding notation ("0+10x30", "1 _ stale 4"), loaded at a fixed interval from time 0, and
// cases of expression, evaluation time and expected samples (or error).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/promql/engine.h"
#include "agent/promql/eval_internal.h"
#include "agent/promql/parser.h"
#include "agent/promql/storage.h"

namespace sidecar::promql {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

struct Want {
  std::string labels;  // as Go prints them: {__name__="x", job="a"}; {} for a scalar
  double value;
};

struct Case {
  std::string expr;
  std::string time;  // "5m", "1h30m"
  std::vector<Want> want;
  std::string error;  // when not empty, the evaluation fails with this message
};

struct Fixture {
  std::string interval;
  std::vector<std::pair<std::string, std::string>> series;  // selector, values
  std::vector<Case> cases;
};

inline int64_t DurationMs(std::string_view text) {
  int64_t total = 0;
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
      ++digits;
    }
    int64_t n = std::stoll(std::string(text.substr(0, digits)));
    text.remove_prefix(digits);
    int64_t unit = 1;
    if (text.starts_with("ms")) {
      text.remove_prefix(2);
    } else {
      char u = text[0];
      text.remove_prefix(1);
      unit = u == 's' ? 1000 : u == 'm' ? 60000 : u == 'h' ? 3600000 : 86400000;
    }
    total += n * unit;
  }
  return total;
}

// promtool's expanding notation: "a+bxn" is a, a+b, ... (n+1 values, summed step by step),
// "axn" n+1 copies, "_" a missed scrape, "_xn" n of them, "stale" a staleness marker.
inline std::vector<std::optional<double>> ExpandValues(const std::string& text) {
  std::vector<std::optional<double>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string token = text.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    if (token == "stale") {
      out.emplace_back(StaleNaN());
      continue;
    }
    size_t x = token.find('x');
    if (x == std::string::npos) {
      if (token == "_") {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::strtod(token.c_str(), nullptr));
      }
      continue;
    }
    std::string left = token.substr(0, x);
    int times = std::stoi(token.substr(x + 1));
    if (left == "_") {
      for (int i = 0; i < times; ++i) out.emplace_back(std::nullopt);
      continue;
    }
    size_t op = std::string::npos;
    for (size_t i = 1; i < left.size(); ++i) {
      if ((left[i] == '+' || left[i] == '-') && left[i - 1] != 'e' && left[i - 1] != 'E') op = i;
    }
    double value = std::strtod(left.substr(0, op).c_str(), nullptr);
    double step = op == std::string::npos ? 0 : std::strtod(left.substr(op).c_str(), nullptr);
    out.emplace_back(value);
    for (int i = 1; i <= times; ++i) {
      value += step;
      out.emplace_back(value);
    }
  }
  return out;
}

inline void LoadFixture(const Fixture& fixture, MemoryStorage& storage) {
  int64_t interval = DurationMs(fixture.interval);
  for (const auto& [selector, values] : fixture.series) {
    Labels labels;
    ParseError error;
    INFO(selector);
    REQUIRE(ParseSeriesLabels(selector, &labels, &error));
    auto expanded = ExpandValues(values);
    for (size_t i = 0; i < expanded.size(); ++i) {
      if (!expanded[i]) continue;
      REQUIRE(storage.Append(labels, static_cast<int64_t>(i) * interval, *expanded[i]).ok());
    }
  }
}

inline std::vector<Want> ResultSamples(const Value& value) {
  std::vector<Want> out;
  if (const auto* scalar = std::get_if<Scalar>(&value)) {
    out.push_back({"{}", scalar->v});
  } else if (const auto* vector = std::get_if<Vector>(&value)) {
    for (const auto& s : *vector) out.push_back({internal::GoLabelsString(s.metric), s.v});
  }
  std::sort(out.begin(), out.end(),
            [](const Want& a, const Want& b) { return a.labels < b.labels; });
  return out;
}

inline bool SameValue(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
}

inline std::string Dump(const std::vector<Want>& samples) {
  std::string out;
  for (const auto& s : samples) {
    char value[32];
    std::snprintf(value, sizeof(value), "%.17g", s.value);
    out += "\n    " + s.labels + " " + value;
  }
  return out;
}

inline bool SameSamples(const std::vector<Want>& got, const std::vector<Want>& want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].labels != want[i].labels || !SameValue(got[i].value, want[i].value)) return false;
  }
  return true;
}

// The two series in "found duplicate series ... [A, B]" come in storage order, which promtool
// does not fix (its test storage creates series in hash order): accept them either way.
inline bool SameError(const std::string& got, const std::string& want) {
  if (got == want) return true;
  size_t open = want.find(": [{");
  size_t close = want.find("}];");
  size_t split = want.find("}, {", open);
  if (open == std::string::npos || close == std::string::npos || split == std::string::npos) {
    return false;
  }
  std::string first = want.substr(open + 3, split + 1 - (open + 3));
  std::string second = want.substr(split + 3, close + 1 - (split + 3));
  return got == want.substr(0, open + 3) + second + ", " + first + want.substr(close + 1);
}

inline void RunFixture(const Fixture& fixture) {
  MemoryStorage storage;
  LoadFixture(fixture, storage);
  for (const auto& c : fixture.cases) {
    ParseError parse_error;
    ExprPtr expr = ParseExpr(c.expr, &parse_error);
    if (expr == nullptr) {
      FAIL_CHECK(c.expr << ": parse error: " << parse_error.message);
      continue;
    }
    auto result = Evaluate(*expr, storage, DurationMs(c.time));
    if (!c.error.empty()) {
      if (result.ok()) {
        FAIL_CHECK(c.expr << " at " << c.time << ": want error " << c.error);
      } else if (!SameError(result.status().message(), c.error)) {
        FAIL_CHECK(c.expr << " at " << c.time << ":\n  got error  " << result.status().message()
                          << "\n  want error " << c.error);
      }
      continue;
    }
    if (!result.ok()) {
      FAIL_CHECK(c.expr << " at " << c.time << ": error " << result.status().message());
      continue;
    }
    std::vector<Want> got = ResultSamples(*result);
    std::vector<Want> want = c.want;
    std::sort(want.begin(), want.end(),
              [](const Want& a, const Want& b) { return a.labels < b.labels; });
    if (!SameSamples(got, want)) {
      FAIL_CHECK(c.expr << " at " << c.time << ":\n  got:" << Dump(got)
                        << "\n  want:" << Dump(want));
    }
  }
}

}  // namespace sidecar::promql
