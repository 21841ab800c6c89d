// The `cpu` probe: CPU used over the interval since its previous run, as a fraction of the
// container's CPU limit (cgroup quota; without one, the online CPUs), held against the
// degraded_above and unhealthy_above levels (thresholds.h).
//
// Synchronous: it reads a few small /sys and /proc files and calls `done` from inside Start().
// Thread-compatible: the scheduler runs it on the loop thread, one run at a time.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "probes/probe.h"
#include "probes/resource/cpu_source.h"
#include "probes/resource/thresholds.h"

namespace sidecar::probes::resource {

class CpuProbe final : public Probe {
 public:
  CpuProbe(CpuSource source, Thresholds thresholds, std::function<TimePoint()> now)
      : source_(std::move(source)), level_(thresholds), now_(std::move(now)) {}

  void Start(const ProbeContext& ctx, Done done) override;
  void Cancel() override {}
  std::string Target() const override { return source_.Describe(); }

 private:
  ProbeResult Run();
  // The usage ratio since `previous_`, or nullopt on the first run or after a counter reset.
  std::optional<double> UsageRatio(const CpuReading& current, TimePoint at) const;

  CpuSource source_;
  SustainedLevel level_;
  std::function<TimePoint()> now_;
  std::optional<CpuReading> previous_;
  TimePoint previous_at_;
};

}  // namespace sidecar::probes::resource
