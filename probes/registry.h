// The list of probe types: one line per type in registry.cc, no static self-registration, so
// `grep kProbeTypes` finds them all and the linker cannot drop one silently.
// Thread-safe (immutable data).
#pragma once

#include <string_view>
#include <vector>

#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::probes {

struct ProbeType {
  std::string_view name;
  // Reads the type's own keys from the probe's config entry (the common keys name, type,
  // interval, timeout, critical, thresholds are read by the agent before) and returns the probe,
  // or nullptr after recording every problem in `node`.
  ProbePtr (*create)(config::ConfigNode& node);
  // Whether a failure of this type makes the agent unready when the config does not say
  // `critical:`. External dependencies shared by every task default to false (DESIGN.md).
  bool critical_by_default;
};

const ProbeType* FindProbeType(std::string_view name);
std::vector<std::string_view> ProbeTypeNames();

}  // namespace sidecar::probes
