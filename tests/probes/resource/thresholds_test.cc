#include "probes/resource/thresholds.h"

#include <catch2/catch.hpp>

#include <chrono>

#include "tests/probes/resource/resource_test_support.h"

namespace sidecar::probes::resource {
namespace {

using std::chrono::seconds;
using testing::ConfigEntry;

const Thresholds kDefaults{0.85, 0.95, Duration::zero()};

TEST_CASE("ParseFraction: takes fractions and percentages", "[resource]") {
  struct Case {
    const char* text;
    double fraction;
  };
  const Case cases[] = {{"0.8", 0.8},  {"80%", 0.8},     {"85.5%", 0.855}, {"1", 1.0},
                        {"100%", 1.0}, {" 0.95 ", 0.95}, {"0.001", 0.001}};
  for (const Case& c : cases) {
    INFO(c.text);
    const auto parsed = ParseFraction(c.text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == Approx(c.fraction));
  }
}

TEST_CASE("ParseFraction: says why a level is refused", "[resource]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"120%", "120% is more than 100%"},
      {"80", "expected a fraction from 0 to 1 or a percentage such as 80%, got '80'"},
      {"1.5", "expected a fraction from 0 to 1 or a percentage such as 1.5%, got '1.5'"},
      {"0", "must be above 0, got '0'"},
      {"0%", "must be above 0, got '0%'"},
      {"-0.5", "must be above 0, got '-0.5'"},
      {"high", "expected a fraction such as 0.8 or a percentage such as 80%, got 'high'"},
      {"%", "expected a fraction such as 0.8 or a percentage such as 80%, got '%'"},
      {"80 %", "expected a fraction such as 0.8 or a percentage such as 80%, got '80 %'"},
      {"nan", "expected a fraction such as 0.8 or a percentage such as 80%, got 'nan'"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto parsed = ParseFraction(c.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message() == c.message);
  }
}

TEST_CASE("ReadThresholds: the type's defaults apply when nothing is configured", "[resource]") {
  ConfigEntry entry("{}");
  const auto thresholds = ReadThresholds(entry.node(), kDefaults);
  REQUIRE(thresholds);
  CHECK(thresholds->degraded_above == 0.85);
  CHECK(thresholds->unhealthy_above == 0.95);
  CHECK(thresholds->sustain == Duration::zero());
  CHECK(entry.Errors().empty());
}

TEST_CASE("ReadThresholds: reads levels, none and for", "[resource]") {
  ConfigEntry entry("degraded_above: 70%\nunhealthy_above: none\nfor: 2m\n");
  const auto thresholds = ReadThresholds(entry.node(), kDefaults);
  REQUIRE(thresholds);
  CHECK(thresholds->degraded_above == Approx(0.7));
  CHECK_FALSE(thresholds->unhealthy_above.has_value());
  CHECK(thresholds->sustain == std::chrono::minutes(2));
  CHECK(entry.Errors().empty());
}

TEST_CASE("ReadThresholds: config errors are precise", "[resource]") {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"{degraded_above: 0.9, unhealthy_above: 0.8}\n",
       "test.yaml:1:18: degraded_above: degraded_above 90% must be below unhealthy_above 80%"},
      {"{degraded_above: 0.9, unhealthy_above: 90%}\n",
       "test.yaml:1:18: degraded_above: degraded_above 90% must be below unhealthy_above 90%"},
      {"{degraded_above: 0.97}\n",
       "test.yaml:1:18: degraded_above: degraded_above 97% must be below unhealthy_above 95% "
       "(this type's default: raise it too, or set unhealthy_above: none)"},
      {"{unhealthy_above: 120%}\n", "test.yaml:1:19: unhealthy_above: 120% is more than 100%"},
      {"{degraded_above: 80}\n",
       "test.yaml:1:18: degraded_above: expected a fraction from 0 to 1 or a percentage such as "
       "80%, got '80'"},
      {"{for: soon}\n",
       "test.yaml:1:7: for: expected a duration such as 5s, 250ms or 1m30s, got 'soon'"},
      {"{degraded_above: 0.8, unhealthy_abve: 0.9}\n",
       "test.yaml:1:23: unknown key 'unhealthy_abve' (did you mean 'unhealthy_above'?)"},
      {"{warning: 0.8}\n", "test.yaml:1:2: unknown key 'warning'"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    ConfigEntry entry(c.yaml);
    ReadThresholds(entry.node(), kDefaults);
    CHECK(entry.Errors() == std::vector<std::string>{c.error});
  }
}

TEST_CASE("SustainedLevel: with for 0 the first run at a level counts", "[resource]") {
  SustainedLevel level(Thresholds{0.85, 0.95, Duration::zero()});
  const TimePoint t0{};
  CHECK(level.Update(0.5, t0).verdict == Verdict::kHealthy);
  CHECK(level.Update(0.85, t0).verdict == Verdict::kDegraded);  // at the level counts
  const Assessment unhealthy = level.Update(0.95, t0);
  CHECK(unhealthy.verdict == Verdict::kUnhealthy);
  CHECK(unhealthy.threshold == 0.95);
  CHECK(level.Update(0.8499, t0).verdict == Verdict::kHealthy);
}

TEST_CASE("SustainedLevel: a level counts only once held for `for`", "[resource]") {
  SustainedLevel level(Thresholds{0.85, 0.95, seconds(120)});
  const TimePoint t0{};
  CHECK(level.Update(0.97, t0).verdict == Verdict::kHealthy);  // a spike does not flip health
  CHECK(level.Update(0.97, t0 + seconds(60)).verdict == Verdict::kHealthy);
  const Assessment held = level.Update(0.97, t0 + seconds(120));
  CHECK(held.verdict == Verdict::kUnhealthy);
  CHECK(held.held == seconds(120));
  // Down to degraded: that streak began at t0, so it has held long enough already.
  const Assessment degraded = level.Update(0.9, t0 + seconds(150));
  CHECK(degraded.verdict == Verdict::kDegraded);
  CHECK(degraded.held == seconds(150));
  // Back above unhealthy_above: a new streak has to build up again.
  CHECK(level.Update(0.99, t0 + seconds(160)).verdict == Verdict::kDegraded);
  CHECK(level.Update(0.99, t0 + seconds(280)).verdict == Verdict::kUnhealthy);
}

TEST_CASE("SustainedLevel: falling below degraded_above resets the streak at once", "[resource]") {
  SustainedLevel level(Thresholds{0.85, 0.95, seconds(60)});
  const TimePoint t0{};
  CHECK(level.Update(0.9, t0).verdict == Verdict::kHealthy);
  CHECK(level.Update(0.9, t0 + seconds(60)).verdict == Verdict::kDegraded);
  CHECK(level.Update(0.5, t0 + seconds(61)).verdict == Verdict::kHealthy);  // not held back
  CHECK(level.Update(0.9, t0 + seconds(62)).verdict == Verdict::kHealthy);
  CHECK(level.Update(0.9, t0 + seconds(121)).verdict == Verdict::kHealthy);
  CHECK(level.Update(0.9, t0 + seconds(122)).verdict == Verdict::kDegraded);
}

TEST_CASE("SustainedLevel: a level turned off never fires", "[resource]") {
  SustainedLevel degraded_only(Thresholds{0.9, std::nullopt, Duration::zero()});
  CHECK(degraded_only.Update(1.0, TimePoint{}).verdict == Verdict::kDegraded);
  SustainedLevel unhealthy_only(Thresholds{std::nullopt, 0.9, seconds(10)});
  CHECK(unhealthy_only.Update(0.95, TimePoint{}).verdict == Verdict::kHealthy);
  CHECK(unhealthy_only.Update(0.95, TimePoint{} + seconds(10)).verdict == Verdict::kUnhealthy);
  SustainedLevel none(Thresholds{std::nullopt, std::nullopt, Duration::zero()});
  CHECK(none.Update(1.0, TimePoint{}).verdict == Verdict::kHealthy);
}

TEST_CASE("DescribeLevel and the formats read well in a reason", "[resource]") {
  CHECK(DescribeLevel({Verdict::kUnhealthy, 0.95, std::chrono::milliseconds(120500)}) ==
        "(unhealthy above 95%) for 2m");
  CHECK(DescribeLevel({Verdict::kDegraded, 0.855, std::chrono::milliseconds(999)}) ==
        "(degraded above 85.5%)");
  CHECK(FormatPercent(0.97) == "97%");
  CHECK(FormatPercent(0.9749) == "97.5%");
  CHECK(FormatPercent(1.0) == "100%");
  CHECK(FormatBytes(536870912) == "512MiB");
  CHECK(FormatBytes(1610612736) == "1.5GiB");
  CHECK(FormatBytes(100) == "100B");
  CHECK(FormatBytes(4030656.0 * 1024) == "3.8GiB");
}

}  // namespace
}  // namespace sidecar::probes::resource
