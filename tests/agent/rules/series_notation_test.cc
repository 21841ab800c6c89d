#include "agent/rules/series_notation.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "agent/promql/value.h"

namespace sidecar::rules {
namespace {

// The expansion written back as text: "1 _ stale 2", values in %g.
std::string Render(const std::vector<SeriesValue>& values) {
  std::string out;
  for (const SeriesValue& v : values) {
    if (!out.empty()) out += ' ';
    if (v.omitted) {
      out += '_';
    } else if (promql::IsStaleNaN(v.value)) {
      out += "stale";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", v.value);
      out += buf;
    }
  }
  return out;
}

TEST_CASE("ExpandSeriesValues: expands promtool's notation as Prometheus 2.42 does",
          "[rules][unittest]") {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"", ""},
      {"   ", ""},
      {"1 2 3", "1 2 3"},
      {"-2+4x3", "-2 2 6 10"},
      {" 1-2x4", "1 -1 -3 -5 -7"},
      {"1x4", "1 1 1 1 1"},
      {"1 _x3 stale", "1 _ _ _ stale"},
      {"_", "_"},
      {"_x0", ""},
      {"1x0", "1"},
      {"+3-1x1", "3 2"},
      {"-1+0.5x2", "-1 -0.5 0"},
      {"1e2 1. .5 1E-1", "100 1 0.5 0.1"},
      {"010 08 0", "8 8 0"},  // a leading 0 reads as octal, as Go's ParseInt(s, 0, 64)
      {"inf -Inf +INF", "inf -inf inf"},
      {"nan NaN", "nan nan"},
      {"1e3x2", "1000 1000 1000"},
      {"0x10", "0 0 0 0 0 0 0 0 0 0 0"},
      {"1\t2\n3 ", "1 2 3"},
      {"10+10x2 30+20x5", "10 20 30 30 50 70 90 110 130"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::vector<SeriesValue> values;
    SeriesNotationError error;
    REQUIRE(ExpandSeriesValues(c.text, &values, &error));
    CHECK(Render(values) == c.want);
  }
}

TEST_CASE("ExpandSeriesValues: a step is accumulated, not multiplied, as in Prometheus",
          "[rules][unittest]") {
  std::vector<SeriesValue> values;
  SeriesNotationError error;
  REQUIRE(ExpandSeriesValues("0+0.1x3", &values, &error));
  REQUIRE(values.size() == 4);
  CHECK(values[3].value == 0.1 + 0.1 + 0.1);
}

TEST_CASE("ExpandSeriesValues: refuses what promtool refuses, with its wording and position",
          "[rules][unittest]") {
  struct Case {
    const char* text;
    int offset;
    const char* message;
  };
  const Case cases[] = {
      {"1 foo", 2, "unexpected identifier \"foo\" in series values, expected number or \"stale\""},
      {"stalex2", 0,
       "unexpected identifier \"stalex2\" in series values, expected number or \"stale\""},
      {"Stale", 0,
       "unexpected identifier \"Stale\" in series values, expected number or \"stale\""},
      {"1x", 2, "unexpected end of input in series values"},
      {"1+2", 3, "unexpected end of input in series values"},
      {"1+2 3", 3, "unexpected \" \" in series values"},
      {"1+2\t3", 3, "unexpected \"\\t\" in series values"},
      {"1_x2", 0, "bad number syntax: \"1\""},
      {"1a", 0, "bad number syntax: \"1\""},
      {"1 #", 2, "unexpected character in series sequence: '#'"},
      {"1 \"2\"", 2, "unexpected character in series sequence: '\"'"},
      {"1x1.5", 2,
       "invalid repetition in series values: strconv.ParseUint: parsing \"1.5\": invalid syntax"},
      {"1e400", 0,
       "error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range"},
      {"1 2 x3", 4, "unexpected \"x\""},
      {"_ x3", 2, "unexpected \"x\""},
      {"1 sum", 2, "unexpected <aggr:sum>"},
      {"1 by", 2, "unexpected <by>"},
      {"1x3x4", 3, "unexpected \"x\""},
      {"1x99999999999", 0, "too many samples in series values (at most 4194304)"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::vector<SeriesValue> values;
    SeriesNotationError error;
    CHECK_FALSE(ExpandSeriesValues(c.text, &values, &error));
    CHECK(error.message == c.message);
    if (std::string(c.message).find("too many") == std::string::npos) {
      CHECK(error.offset == c.offset);
    }
    CHECK(values.empty());
  }
}

}  // namespace
}  // namespace sidecar::rules
