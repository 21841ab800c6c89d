// A probe whose answers the test decides: it records each Start() and completes only when the
// test calls Complete(), so the scheduler's deadlines and thresholds can be driven exactly.
// This stands in for a dependency only in scheduler tests; probe tests use real servers.
#pragma once

#include <optional>
#include <string>

#include "probes/probe.h"

namespace sidecar::testing {

class ScriptedProbe : public probes::Probe {
 public:
  void Start(const probes::ProbeContext& ctx, Done done) override {
    ++starts;
    last_deadline = ctx.deadline;
    done_ = std::move(done);
    if (immediate) {
      Complete(*immediate);
    }
  }
  void Cancel() override {
    ++cancels;
    done_ = nullptr;
  }
  std::string Target() const override { return "scripted"; }

  // Finishes the run in flight with `verdict`.
  void Complete(probes::Verdict verdict, std::string reason = "") {
    if (!done_) return;
    Done done = std::move(done_);
    done_ = nullptr;
    probes::ProbeResult result;
    result.verdict = verdict;
    result.reason = std::move(reason);
    result.failure = verdict == probes::Verdict::kUnhealthy ? "scripted" : "";
    done(std::move(result));
  }
  bool in_flight() const { return static_cast<bool>(done_); }

  int starts = 0;
  int cancels = 0;
  TimePoint last_deadline;
  std::optional<probes::Verdict> immediate;  // complete from inside Start() with this verdict

 private:
  Done done_;
};

}  // namespace sidecar::testing
