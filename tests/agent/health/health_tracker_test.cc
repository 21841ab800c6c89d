#include "agent/health/health_tracker.h"

#include <catch2/catch.hpp>

namespace sidecar::health {
namespace {

using probes::Verdict;
using std::chrono::seconds;

const TimePoint kStart = TimePoint(seconds(1000));

TEST_CASE("HealthTracker: the first result decides at once", "[health]") {
  HealthTracker tracker(Thresholds{2, 3}, TimePoint{});
  CHECK(tracker.state() == ProbeState::kStarting);
  CHECK(tracker.Record(Verdict::kUnhealthy, kStart));
  CHECK(tracker.state() == ProbeState::kUnhealthy);
}

TEST_CASE("HealthTracker: the third failure in a row marks the probe unhealthy", "[health]") {
  HealthTracker tracker(Thresholds{2, 3}, TimePoint{});
  REQUIRE(tracker.Record(Verdict::kHealthy, kStart));

  SECTION("two failures are absorbed") {
    CHECK_FALSE(tracker.Record(Verdict::kUnhealthy, kStart));
    CHECK_FALSE(tracker.Record(Verdict::kUnhealthy, kStart));
    CHECK(tracker.state() == ProbeState::kHealthy);
    CHECK(tracker.failures_in_a_row() == 2);
    CHECK(tracker.Record(Verdict::kUnhealthy, kStart));
    CHECK(tracker.state() == ProbeState::kUnhealthy);
  }

  SECTION("a pass in between resets the streak") {
    tracker.Record(Verdict::kUnhealthy, kStart);
    tracker.Record(Verdict::kUnhealthy, kStart);
    tracker.Record(Verdict::kHealthy, kStart);
    tracker.Record(Verdict::kUnhealthy, kStart);
    tracker.Record(Verdict::kUnhealthy, kStart);
    CHECK(tracker.state() == ProbeState::kHealthy);
  }
}

TEST_CASE("HealthTracker: recovery needs healthy_threshold passes in a row", "[health]") {
  HealthTracker tracker(Thresholds{2, 1}, TimePoint{});
  tracker.Record(Verdict::kUnhealthy, kStart);
  CHECK_FALSE(tracker.Record(Verdict::kHealthy, kStart));
  CHECK(tracker.state() == ProbeState::kUnhealthy);
  CHECK(tracker.Record(Verdict::kHealthy, kStart));
  CHECK(tracker.state() == ProbeState::kHealthy);
}

TEST_CASE("HealthTracker: a degraded answer counts as up but shows as degraded", "[health]") {
  HealthTracker tracker(Thresholds{1, 3}, TimePoint{});
  tracker.Record(Verdict::kHealthy, kStart);
  CHECK(tracker.Record(Verdict::kDegraded, kStart));
  CHECK(tracker.state() == ProbeState::kDegraded);
  CHECK(tracker.failures_in_a_row() == 0);
  CHECK(tracker.Record(Verdict::kHealthy, kStart));
  CHECK(tracker.state() == ProbeState::kHealthy);
}

TEST_CASE("HealthTracker: failures inside the startup grace period do not count", "[health]") {
  HealthTracker tracker(Thresholds{1, 3}, kStart + seconds(30));
  CHECK_FALSE(tracker.Record(Verdict::kUnhealthy, kStart + seconds(10)));
  CHECK(tracker.state() == ProbeState::kStarting);

  SECTION("a pass during grace ends it") {
    CHECK(tracker.Record(Verdict::kHealthy, kStart + seconds(20)));
    CHECK(tracker.state() == ProbeState::kHealthy);
  }
  SECTION("the first failure after grace decides") {
    CHECK(tracker.Record(Verdict::kUnhealthy, kStart + seconds(31)));
    CHECK(tracker.state() == ProbeState::kUnhealthy);
  }
}

}  // namespace
}  // namespace sidecar::health
