#include "probes/resource/resource_probes.h"
namespace sidecar::probes::resource {
ProbePtr CreateCpuProbe(config::ConfigNode& node) { node.ErrorHere("not built yet"); return nullptr; }
ProbePtr CreateMemoryProbe(config::ConfigNode& node) { node.ErrorHere("not built yet"); return nullptr; }
ProbePtr CreateDiskProbe(config::ConfigNode& node) { node.ErrorHere("not built yet"); return nullptr; }
}  // namespace sidecar::probes::resource
