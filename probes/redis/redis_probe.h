// Placeholder: being written.
#pragma once
#include "agent/config/config_node.h"
#include "probes/probe.h"
namespace sidecar::probes::redis {
ProbePtr CreateRedisProbe(config::ConfigNode& node);
}  // namespace sidecar::probes::redis
