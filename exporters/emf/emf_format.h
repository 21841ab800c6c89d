// CloudWatch Embedded Metric Format documents: pure formatting, no I/O.
//
// One probe run becomes one compact JSON document per group of points that share their extra
// labels (and per 100 metrics), for example:
//   {"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"HealthAgent",
//    "Dimensions":[["probe","type"]],"Metrics":[{"Name":"probe_success","Unit":"None"}]}]},
//    "probe":"db","type":"postgres","probe_success":1}
// Metric values and dimension values are members of the root, as the specification requires;
// a dimension set never has more than 30 keys and a directive never more than 100 metrics.
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include "exporters/counter_deltas.h"
#include "exporters/exporter.h"

namespace sidecar::exporters::emf {

inline constexpr size_t kMaxMetricsPerDirective = 100;
inline constexpr size_t kMaxDimensionsPerSet = 30;
inline constexpr size_t kMaxNamespaceLength = 255;

struct Format {
  std::string name_space = "HealthAgent";
  // Each set must name members the document has; sets that name an absent member are left out
  // of that document. The extra labels of a group (e.g. phase) are added to every set.
  std::vector<std::vector<std::string>> dimension_sets = {{"probe", "type"}};
  int storage_resolution = 60;  // 1 (high resolution) or 60
};

// "Seconds" for durations and *_seconds, "Count" for counters, "Bytes" for *_bytes, else "None".
const char* UnitFor(const MetricPoint& point);

// The documents of one run, each one line without a trailing newline. Counters are sent as the
// increase since the last run (nothing the first time); values that are not finite are left out.
std::vector<std::string> FormatRun(const Format& format, const ProbeRun& run,
                                   CounterDeltas* deltas);

}  // namespace sidecar::exporters::emf
