#include "agent/health/health_tracker.h"

namespace sidecar::health {

const char* ProbeStateName(ProbeState state) {
  switch (state) {
    case ProbeState::kStarting:
      return "starting";
    case ProbeState::kHealthy:
      return "healthy";
    case ProbeState::kDegraded:
      return "degraded";
    case ProbeState::kUnhealthy:
      return "unhealthy";
  }
  return "unhealthy";
}

void HealthTracker::CarryOver(const HealthTracker& previous) {
  state_ = previous.state_;
  passes_in_a_row_ = previous.passes_in_a_row_;
  failures_in_a_row_ = previous.failures_in_a_row_;
}

// Example with healthy=2, unhealthy=3, starting healthy:
//   fail, fail -> still healthy; pass -> streak reset; fail, fail, fail -> unhealthy;
//   pass -> still unhealthy; pass -> healthy.
bool HealthTracker::Record(probes::Verdict verdict, TimePoint now) {
  const ProbeState before = state_;
  if (verdict == probes::Verdict::kUnhealthy) {
    passes_in_a_row_ = 0;
    ++failures_in_a_row_;
    const bool in_grace = now < grace_until_;
    if (state_ == ProbeState::kStarting) {
      if (!in_grace) {
        state_ = ProbeState::kUnhealthy;  // the first counted result decides at once
      }
    } else if (state_ != ProbeState::kUnhealthy && failures_in_a_row_ >= thresholds_.unhealthy) {
      state_ = ProbeState::kUnhealthy;
    }
    return state_ != before;
  }

  failures_in_a_row_ = 0;
  ++passes_in_a_row_;
  const ProbeState up =
      verdict == probes::Verdict::kDegraded ? ProbeState::kDegraded : ProbeState::kHealthy;
  if (state_ == ProbeState::kUnhealthy) {
    if (passes_in_a_row_ >= thresholds_.healthy) {
      state_ = up;
    }
  } else {
    state_ = up;  // starting, healthy or degraded: follow the latest answer
  }
  return state_ != before;
}

}  // namespace sidecar::health
