// The list of exporter types: one line per type in registry.cc, no static self-registration.
// Thread-safe (immutable data).
#pragma once

#include <string_view>
#include <vector>

#include "agent/config/config_node.h"
#include "exporters/exporter.h"
#include "exporters/queued_exporter.h"

namespace sidecar::exporters {

struct ExporterType {
  std::string_view name;
  // Reads the type's own keys from the exporters[] entry (the agent reads the common keys name,
  // type and queue_size before) and returns the exporter, not yet started, or nullptr after
  // recording every problem in `node`.
  ExporterPtr (*create)(config::ConfigNode& node, QueueOptions queue);
};

const ExporterType* FindExporterType(std::string_view name);
std::vector<std::string_view> ExporterTypeNames();

}  // namespace sidecar::exporters
