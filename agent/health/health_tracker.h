// Turns one probe's stream of results into a debounced health state, as load balancers and
// Envoy do: a healthy probe turns unhealthy only after `unhealthy_threshold` failures in a row,
// and an unhealthy one recovers after `healthy_threshold` passes in a row. The first result
// decides at once, except inside the startup grace period, where failures do not count (ECS
// `startPeriod`): the probe stays "starting" until it first passes or the grace ends.
// A degraded result counts as a pass (the dependency answers) but shows as degraded.
//
// Pure logic: no clock of its own, no I/O, no locks. Thread-compatible; owned by the scheduler.
#pragma once

#include <cstdint>

#include "agent/common/duration.h"
#include "probes/probe.h"

namespace sidecar::health {

enum class ProbeState { kStarting, kHealthy, kDegraded, kUnhealthy };

const char* ProbeStateName(ProbeState state);  // "starting", "healthy", "degraded", "unhealthy"

struct Thresholds {
  uint32_t healthy = 1;    // passes in a row to recover; config `healthy_threshold`
  uint32_t unhealthy = 3;  // failures in a row to fail; config `unhealthy_threshold`
};

class HealthTracker {
 public:
  // `grace_until`: failures before this time do not count (TimePoint{} for no grace).
  HealthTracker(Thresholds thresholds, TimePoint grace_until)
      : thresholds_(thresholds), grace_until_(grace_until) {}

  // Records one result taken at `now`; returns true when the state changed.
  bool Record(probes::Verdict verdict, TimePoint now);

  // Takes over the state of the tracker this one replaces (same probe, new config).
  void CarryOver(const HealthTracker& previous);

  ProbeState state() const { return state_; }
  uint32_t failures_in_a_row() const { return failures_in_a_row_; }
  uint32_t passes_in_a_row() const { return passes_in_a_row_; }

 private:
  const Thresholds thresholds_;
  const TimePoint grace_until_;
  ProbeState state_ = ProbeState::kStarting;
  uint32_t passes_in_a_row_ = 0;
  uint32_t failures_in_a_row_ = 0;
};

}  // namespace sidecar::health
