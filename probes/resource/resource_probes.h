// Placeholder: being written.
#pragma once
#include "agent/config/config_node.h"
#include "probes/probe.h"
namespace sidecar::probes::resource {
ProbePtr CreateCpuProbe(config::ConfigNode& node);
ProbePtr CreateMemoryProbe(config::ConfigNode& node);
ProbePtr CreateDiskProbe(config::ConfigNode& node);
}  // namespace sidecar::probes::resource
