// RunCodec: the compact form of queued probe runs round-trips exactly and stays bounded.
#include "exporters/run_codec.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

namespace sidecar::exporters {
namespace {

ProbeRun Sample(int i) {
  ProbeRun run;
  run.probe = "db-" + std::to_string(i % 3);
  run.type = "postgres";
  run.labels = {{"env", "prod"}, {"team", "core"}};
  run.unix_ms = 1700000000000 + i;
  run.points = {{"probe_success", PointKind::kGauge, {}, 1},
                {"probe_duration_seconds", PointKind::kDuration, {}, 0.0123},
                {"probe_phase_duration_seconds", PointKind::kDuration, {{"phase", "connect"}}, 0.5},
                {"pg_xact_commit", PointKind::kCounter, {{"db", "app"}, {"x", ""}}, 1e12}};
  return run;
}

void RequireSame(const ProbeRun& a, const ProbeRun& b) {
  REQUIRE(a.probe == b.probe);
  REQUIRE(a.type == b.type);
  REQUIRE(a.labels == b.labels);
  REQUIRE(a.unix_ms == b.unix_ms);
  REQUIRE(a.points.size() == b.points.size());
  for (size_t i = 0; i < a.points.size(); ++i) {
    REQUIRE(a.points[i].name == b.points[i].name);
    REQUIRE(a.points[i].kind == b.points[i].kind);
    REQUIRE(a.points[i].labels == b.points[i].labels);
    if (std::isnan(a.points[i].value)) {
      REQUIRE(std::isnan(b.points[i].value));
    } else {
      REQUIRE(a.points[i].value == b.points[i].value);
    }
  }
}

TEST_CASE("RunCodec: runs round-trip exactly, and repeated names are stored once",
          "[exporters][queue]") {
  RunCodec codec;
  std::vector<std::string> blobs;
  for (int i = 0; i < 50; ++i) blobs.push_back(codec.Encode(Sample(i)));
  for (int i = 0; i < 50; ++i) RequireSame(Sample(i), codec.Decode(blobs[i]));
  // Every string of these runs is interned after the first three: each run is a few indices
  // and the values.
  CHECK(blobs[49].size() < 80);
  CHECK(blobs[49].capacity() < 100);
  CHECK(codec.names() < 30);
}

TEST_CASE("RunCodec: odd values, empty runs and long or unbounded strings round-trip",
          "[exporters][queue]") {
  RunCodec codec;
  ProbeRun empty;
  RequireSame(empty, codec.Decode(codec.Encode(empty)));

  ProbeRun odd = Sample(1);
  odd.unix_ms = -5;
  odd.points[0].value = std::numeric_limits<double>::quiet_NaN();
  odd.points[1].value = -std::numeric_limits<double>::infinity();
  odd.points.push_back(
      {std::string(1000, 'n'), PointKind::kGauge, {{"k", std::string(300, 'v')}}, 2});
  odd.labels["unicode"] = "h\xc3\xa9llo\n\"";
  RequireSame(odd, codec.Decode(codec.Encode(odd)));
}

TEST_CASE("RunCodec: the intern table is bounded, past it strings are stored inline",
          "[exporters][queue]") {
  RunCodec codec;
  std::vector<std::pair<ProbeRun, std::string>> runs;
  for (size_t i = 0; i < RunCodec::kMaxNames + 500; ++i) {
    ProbeRun run = Sample(0);
    run.points[0].labels = {{"request_id", "r" + std::to_string(i)}};  // a different value each run
    runs.emplace_back(run, codec.Encode(run));
  }
  CHECK(codec.names() <= RunCodec::kMaxNames);
  for (const auto& [run, blob] : runs) RequireSame(run, codec.Decode(blob));
}

}  // namespace
}  // namespace sidecar::exporters
