// The OTLP metrics data model the exporter sends, and the aggregation of probe runs into it:
// gauges as Gauge, counters (cumulative totals) as monotonic cumulative Sum, durations as
// cumulative explicit-bucket Histogram. Pure; encoders are in otlp_encode.h.
//
// As an OpenTelemetry SDK's periodic reader does, an export carries one point per series: the
// last value of a gauge, the latest total of a counter, the cumulative histogram of a duration.
// So the aggregator's memory grows with the number of series, not with the number of runs
// between two exports.
//
// Thread-compatible: one Aggregator per exporter, used on its worker thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "exporters/exporter.h"

namespace sidecar::exporters::otlp {

enum class MetricKind { kGauge, kSum, kHistogram };

struct DataPoint {
  Labels attributes;
  uint64_t start_unix_nano = 0;  // sums and histograms: when the agent started counting
  uint64_t time_unix_nano = 0;
  double value = 0;  // gauge, sum
  // Histogram: count, sum, min, max and len(bounds)+1 bucket counts.
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  std::vector<uint64_t> bucket_counts;
};

struct Metric {
  std::string name;
  std::string unit;  // UCUM: "s", "By", "1"
  MetricKind kind = MetricKind::kGauge;
  std::vector<double> bounds;  // histograms
  std::vector<DataPoint> points;
};

struct ExportRequest {
  Labels resource;  // resource attributes (all strings)
  std::string scope_name = "sidecar-agent";
  std::string scope_version;
  std::vector<Metric> metrics;
  size_t Points() const;
};

// The default explicit bounds of probe duration histograms, in seconds (as on /metrics).
const std::vector<double>& DurationBounds();

class Aggregator {
 public:
  explicit Aggregator(uint64_t start_unix_nano) : start_unix_nano_(start_unix_nano) {}

  void Add(const ProbeRun& run);
  // The series added to since the last call, one Metric per name and one point (the latest)
  // per series.
  std::vector<Metric> Take();

 private:
  struct HistogramState {
    uint64_t count = 0;
    double sum = 0, min = 0, max = 0;
    std::vector<uint64_t> buckets;
  };
  Metric& MetricFor(const std::string& name, MetricKind kind);
  // Puts `data` as the point of `series` (a key unique per kind, name and attributes),
  // replacing the one an earlier run of this export left.
  void Keep(MetricKind kind, const std::string& name, const std::string& series, DataPoint data);

  uint64_t start_unix_nano_;
  std::vector<Metric> metrics_;
  std::map<std::string, HistogramState> histograms_;  // by series; kept across exports
  // Series -> (index in metrics_, index in its points) until the next Take().
  std::map<std::string, std::pair<size_t, size_t>> latest_;
};

}  // namespace sidecar::exporters::otlp
