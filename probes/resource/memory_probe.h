// The `memory` probe: the container's working set (usage minus inactive file cache) as a
// fraction of its memory limit (without one, of the host's memory), held against the
// degraded_above and unhealthy_above levels (thresholds.h).
//
// Synchronous: it reads a few small /sys and /proc files and calls `done` from inside Start().
// Thread-compatible: the scheduler runs it on the loop thread, one run at a time.
#pragma once

#include <functional>
#include <string>

#include "probes/probe.h"
#include "probes/resource/memory_source.h"
#include "probes/resource/thresholds.h"

namespace sidecar::probes::resource {

class MemoryProbe final : public Probe {
 public:
  MemoryProbe(MemorySource source, Thresholds thresholds, std::function<TimePoint()> now)
      : source_(std::move(source)), level_(thresholds), now_(std::move(now)) {}

  void Start(const ProbeContext& ctx, Done done) override;
  void Cancel() override {}
  std::string Target() const override { return source_.Describe(); }

 private:
  ProbeResult Run();

  MemorySource source_;
  SustainedLevel level_;
  std::function<TimePoint()> now_;
};

}  // namespace sidecar::probes::resource
