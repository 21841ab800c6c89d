// Factories of the `cpu`, `memory` and `disk` probes (container resources), listed in
// probes/registry.cc.
//
// Keys, besides the common ones:
//   degraded_above: 85%, unhealthy_above: 95%, for: 2m   (all three types; see thresholds.h)
//   paths: [/, /data]                                    (disk only; default [/])
// Defaults: cpu degraded above 90% and never unhealthy (saturation is rarely a reason to fail a
// container); memory and disk degraded above 85%, unhealthy above 95%; `for` 0.
//
// Thread-compatible: called while the config is read.
#pragma once

#include <functional>

#include "agent/common/duration.h"
#include "agent/config/config_node.h"
#include "probes/probe.h"
#include "probes/resource/cgroup_dirs.h"
#include "probes/resource/disk_probe.h"

namespace sidecar::probes::resource {

// Where the probes look at the machine. The defaults read the real one; tests point them at
// fixture trees, a fake statvfs and a hand-driven clock.
struct ResourceOptions {
  ResourcePaths paths;
  std::function<TimePoint()> now = [] { return Clock::now(); };
  StatFs statfs = StatFilesystem;
};

ProbePtr CreateCpuProbe(config::ConfigNode& node);
ProbePtr CreateMemoryProbe(config::ConfigNode& node);
ProbePtr CreateDiskProbe(config::ConfigNode& node);

ProbePtr CreateCpuProbe(config::ConfigNode& node, const ResourceOptions& options);
ProbePtr CreateMemoryProbe(config::ConfigNode& node, const ResourceOptions& options);
ProbePtr CreateDiskProbe(config::ConfigNode& node, const ResourceOptions& options);

}  // namespace sidecar::probes::resource
