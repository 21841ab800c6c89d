#include "exporters/counter_deltas.h"

namespace sidecar::exporters {

std::optional<double> CounterDeltas::Increase(const ProbeRun& run, const MetricPoint& point) {
  std::string key = run.probe + '\x1f' + point.name;
  for (const auto& [name, value] : point.labels) {
    key.append("\x1f").append(name).append("=").append(value);
  }
  auto [it, inserted] = last_.try_emplace(std::move(key), point.value);
  if (inserted) return std::nullopt;
  const double previous = it->second;
  it->second = point.value;
  return point.value >= previous ? point.value - previous : point.value;
}

}  // namespace sidecar::exporters
