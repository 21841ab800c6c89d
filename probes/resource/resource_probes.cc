#include "probes/resource/resource_probes.h"

#include <set>

#include "probes/resource/cpu_probe.h"
#include "probes/resource/memory_probe.h"

namespace sidecar::probes::resource {
namespace {

const Thresholds kCpuDefaults{0.90, std::nullopt, Duration::zero()};
const Thresholds kMemoryDefaults{0.85, 0.95, Duration::zero()};
const Thresholds kDiskDefaults{0.85, 0.95, Duration::zero()};

// `paths:` of the disk probe: absolute, each once. nullopt after recording an error.
std::optional<std::vector<std::string>> ReadDiskPaths(config::ConfigNode& node) {
  const size_t errors_before = node.state().errors.size();
  std::optional<std::vector<std::string>> paths = node.GetStringList("paths");
  if (node.state().errors.size() != errors_before) {
    return std::nullopt;
  }
  if (!paths) {
    return std::vector<std::string>{"/"};
  }
  if (paths->empty()) {
    node.Error("paths", "expected at least one path, such as [/]");
    return std::nullopt;
  }
  std::set<std::string> seen;
  for (const std::string& path : *paths) {
    if (path.empty() || path[0] != '/') {
      node.Error("paths", "expected absolute paths, got '" + path + "'");
      return std::nullopt;
    }
    if (!seen.insert(path).second) {
      node.Error("paths", "'" + path + "' is listed twice");
      return std::nullopt;
    }
  }
  return paths;
}

}  // namespace

ProbePtr CreateCpuProbe(config::ConfigNode& node) { return CreateCpuProbe(node, {}); }
ProbePtr CreateMemoryProbe(config::ConfigNode& node) { return CreateMemoryProbe(node, {}); }
ProbePtr CreateDiskProbe(config::ConfigNode& node) { return CreateDiskProbe(node, {}); }

ProbePtr CreateCpuProbe(config::ConfigNode& node, const ResourceOptions& options) {
  const std::optional<Thresholds> thresholds = ReadThresholds(node, kCpuDefaults);
  if (!thresholds) {
    return nullptr;
  }
  return std::make_unique<CpuProbe>(CpuSource::Detect(options.paths), *thresholds, options.now);
}

ProbePtr CreateMemoryProbe(config::ConfigNode& node, const ResourceOptions& options) {
  const std::optional<Thresholds> thresholds = ReadThresholds(node, kMemoryDefaults);
  if (!thresholds) {
    return nullptr;
  }
  return std::make_unique<MemoryProbe>(MemorySource::Detect(options.paths), *thresholds,
                                       options.now);
}

ProbePtr CreateDiskProbe(config::ConfigNode& node, const ResourceOptions& options) {
  std::optional<std::vector<std::string>> paths = ReadDiskPaths(node);
  const std::optional<Thresholds> thresholds = ReadThresholds(node, kDiskDefaults);
  if (!paths || !thresholds) {
    return nullptr;
  }
  return std::make_unique<DiskProbe>(std::move(*paths), *thresholds, options.statfs, options.now);
}

}  // namespace sidecar::probes::resource
