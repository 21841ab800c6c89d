// The `emf` entry of exporters[]: its keys and their defaults.
#include <algorithm>

#include "exporters/emf/emf_exporter.h"

namespace sidecar::exporters::emf {
namespace {

std::vector<std::string> SplitSet(const std::string& text) {
  std::vector<std::string> keys;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string key = text.substr(start, comma - start);
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    keys.push_back(key);
    start = comma + 1;
  }
  return keys;
}

}  // namespace

ExporterPtr CreateEmfExporter(config::ConfigNode& node, QueueOptions queue) {
  const size_t errors_before = node.state().errors.size();
  EmfOptions options;
  if (auto name_space = node.GetString("namespace")) {
    if (name_space->empty() || name_space->size() > kMaxNamespaceLength) {
      node.Error("namespace", "must be 1-255 characters");
    }
    options.format.name_space = *name_space;
  }
  if (auto sets = node.GetStringList("dimensions")) {
    options.format.dimension_sets.clear();
    for (const std::string& text : *sets) {
      std::vector<std::string> keys = text.empty() ? std::vector<std::string>{} : SplitSet(text);
      if (std::any_of(keys.begin(), keys.end(), [](const auto& k) { return k.empty(); })) {
        node.Error("dimensions", "'" + text + "': expected names separated by commas");
      } else if (keys.size() > kMaxDimensionsPerSet) {
        node.Error("dimensions", "'" + text + "' has " + std::to_string(keys.size()) +
                                     " dimensions; CloudWatch takes at most 30 per set");
      }
      options.format.dimension_sets.push_back(std::move(keys));
    }
  }
  if (auto resolution = node.GetInt("storage_resolution", 1, 60)) {
    if (*resolution != 1 && *resolution != 60) {
      node.Error("storage_resolution", "expected 1 or 60, got " + std::to_string(*resolution));
    }
    options.format.storage_resolution = static_cast<int>(*resolution);
  }
  if (auto output = node.GetString("output")) {
    if (output->empty()) node.Error("output", "expected stdout or a file path");
    options.output = *output;
  }
  if (node.state().errors.size() != errors_before) return nullptr;
  return std::make_unique<EmfExporter>(std::move(queue), std::move(options));
}

}  // namespace sidecar::exporters::emf
