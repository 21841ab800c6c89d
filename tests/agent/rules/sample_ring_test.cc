#include "agent/rules/sample_ring.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace sidecar::rules {
namespace {

using promql::LabelMatcher;
using promql::Labels;
using promql::MakeLabels;

Labels Series(const std::string& name, const std::string& probe) {
  return MakeLabels({{"__name__", name}, {"probe", probe}});
}

promql::Matchers NameIs(const std::string& name) {
  return {LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", name).value()};
}

TEST_CASE("SampleRing: keeps only the retention window of each series", "[rules][ring]") {
  SampleRing ring(60'000);
  for (int i = 0; i <= 20; ++i) ring.Append(Series("up", "db"), i * 15'000, i);
  promql::Matrix all = ring.Select(NameIs("up"), 0, 1'000'000);
  REQUIRE(all.size() == 1);
  // Newest at 300 s; the window is [240 s, 300 s].
  REQUIRE(all[0].points.size() == 5);
  CHECK(all[0].points.front().t == 240'000);
  CHECK(all[0].points.back().v == 20);
}

TEST_CASE("SampleRing: selects by name, matchers and time window, both ends inclusive",
          "[rules][ring]") {
  SampleRing ring(600'000);
  for (int i = 0; i < 5; ++i) {
    ring.Append(Series("probe_success", "db"), i * 10'000, 1);
    ring.Append(Series("probe_success", "cache"), i * 10'000, 0);
    ring.Append(Series("probe_duration_seconds", "db"), i * 10'000, 0.5);
  }
  promql::Matchers matchers = NameIs("probe_success");
  matchers.push_back(LabelMatcher::Make(LabelMatcher::Type::kRegexMatch, "probe", "d.").value());
  promql::Matrix got = ring.Select(matchers, 10'000, 30'000);
  REQUIRE(got.size() == 1);
  CHECK(promql::GetLabel(got[0].metric, "probe") == "db");
  CHECK(got[0].points.size() == 3);

  promql::Matchers by_label = {
      LabelMatcher::Make(LabelMatcher::Type::kEqual, "probe", "db").value()};
  CHECK(ring.Select(by_label, 0, 40'000).size() == 2);
  CHECK(ring.Select(NameIs("absent_metric"), 0, 40'000).empty());
}

TEST_CASE("SampleRing: a series missing from a scrape gets a staleness marker", "[rules][ring]") {
  SampleRing ring(600'000);
  ring.AppendScrape({{Series("up", "a"), 0, 1}, {Series("up", "b"), 0, 1}}, 1'000);
  ring.AppendScrape({{Series("up", "a"), 0, 1}}, 2'000);
  promql::Matrix got = ring.Select(NameIs("up"), 0, 3'000);
  REQUIRE(got.size() == 2);
  for (const promql::Series& series : got) {
    const bool is_b = promql::GetLabel(series.metric, "probe") == "b";
    REQUIRE(series.points.size() == 2);
    CHECK(promql::IsStaleNaN(series.points[1].v) == is_b);
  }
  // A marker is written once, not on every later scrape.
  ring.AppendScrape({{Series("up", "a"), 0, 1}}, 3'000);
  got = ring.Select(NameIs("up"), 0, 4'000);
  for (const promql::Series& series : got) {
    if (promql::GetLabel(series.metric, "probe") == "b") CHECK(series.points.size() == 2);
  }
}

TEST_CASE("SampleRing: an older point is ignored and one at the same time replaces the last",
          "[rules][ring]") {
  SampleRing ring(600'000);
  ring.Append(Series("up", "a"), 2'000, 1);
  ring.Append(Series("up", "a"), 1'000, 5);
  ring.Append(Series("up", "a"), 2'000, 7);
  promql::Matrix got = ring.Select(NameIs("up"), 0, 3'000);
  REQUIRE(got.size() == 1);
  REQUIRE(got[0].points.size() == 1);
  CHECK(got[0].points[0].v == 7);
}

TEST_CASE("SampleRing: series that left the window are forgotten with their memory",
          "[rules][ring]") {
  SampleRing ring(60'000);
  for (int i = 0; i < 100; ++i) ring.Append(Series("x", std::to_string(i)), 0, i);
  CHECK(ring.series_count() == 100);
  const size_t full = ring.memory_bytes();
  CHECK(full > 0);
  ring.AppendScrape({{Series("x", "0"), 0, 1}}, 120'000);
  CHECK(ring.series_count() == 1);
  CHECK(ring.memory_bytes() < full / 50);
  CHECK(ring.Select(NameIs("x"), 0, 200'000).size() == 1);
}

}  // namespace
}  // namespace sidecar::rules
