// Turns the cumulative totals probes report (kCounter points) into increases between runs, for
// formats that want a delta (a StatsD count, an EMF Count). The first total of a series only
// sets its baseline; a total lower than the last one means the target restarted, and the new
// total is the increase.
//
// Thread-compatible: each exporter keeps its own, on its worker thread.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "exporters/exporter.h"

namespace sidecar::exporters {

class CounterDeltas {
 public:
  // The increase of the series of `point` in `run` since the last call, or nullopt the first
  // time.
  std::optional<double> Increase(const ProbeRun& run, const MetricPoint& point);

 private:
  std::map<std::string, double> last_;
};

}  // namespace sidecar::exporters
