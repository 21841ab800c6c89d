// The OTLP metrics data model the exporter sends, and the aggregation of probe runs into it:
// gauges as Gauge, counters (cumulative totals) as monotonic cumulative Sum, durations as
// cumulative explicit-bucket Histogram. Pure; encoders are in otlp_encode.h.
//
// Thread-compatible: one Aggregator per exporter, used on its worker thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
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
  // The metrics added since the last call, one Metric per name.
  std::vector<Metric> Take();

 private:
  struct HistogramState {
    uint64_t count = 0;
    double sum = 0, min = 0, max = 0;
    std::vector<uint64_t> buckets;
  };
  Metric& MetricFor(const MetricPoint& point, MetricKind kind);

  uint64_t start_unix_nano_;
  std::vector<Metric> metrics_;
  std::map<std::string, HistogramState> histograms_;  // by series
};

}  // namespace sidecar::exporters::otlp
