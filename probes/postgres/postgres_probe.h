// Placeholder: being written.
#pragma once
#include "agent/config/config_node.h"
#include "probes/probe.h"
namespace sidecar::probes::postgres {
ProbePtr CreatePostgresProbe(config::ConfigNode& node);
}  // namespace sidecar::probes::postgres
