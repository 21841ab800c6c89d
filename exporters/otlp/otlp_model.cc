#include "exporters/otlp/otlp_model.h"

#include <algorithm>
#include <cmath>

namespace sidecar::exporters::otlp {
namespace {

std::string UnitFor(const MetricPoint& point) {
  if (point.kind == PointKind::kDuration || point.name.ends_with("_seconds")) return "s";
  if (point.name.ends_with("_bytes")) return "By";
  if (point.name.ends_with("_ratio")) return "1";
  return "";
}

std::string SeriesKey(const std::string& name, const Labels& attributes) {
  std::string key = name;
  for (const auto& [k, v] : attributes) key.append("\x1f").append(k).append("=").append(v);
  return key;
}

}  // namespace

size_t ExportRequest::Points() const {
  size_t points = 0;
  for (const Metric& metric : metrics) points += metric.points.size();
  return points;
}

const std::vector<double>& DurationBounds() {
  static const std::vector<double> bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10,   30};
  return bounds;
}

Metric& Aggregator::MetricFor(const MetricPoint& point, MetricKind kind) {
  for (Metric& metric : metrics_) {
    if (metric.name == point.name && metric.kind == kind) return metric;
  }
  Metric metric;
  metric.name = point.name;
  metric.unit = UnitFor(point);
  metric.kind = kind;
  if (kind == MetricKind::kHistogram) metric.bounds = DurationBounds();
  metrics_.push_back(std::move(metric));
  return metrics_.back();
}

void Aggregator::Add(const ProbeRun& run) {
  Labels base(run.labels.begin(), run.labels.end());
  base.emplace_back("probe", run.probe);
  base.emplace_back("type", run.type);
  const uint64_t now = static_cast<uint64_t>(run.unix_ms) * 1000000;
  for (const MetricPoint& point : run.points) {
    if (!std::isfinite(point.value)) continue;
    DataPoint data;
    data.attributes.reserve(base.size() + point.labels.size());  // no spare capacity
    data.attributes = base;
    data.attributes.insert(data.attributes.end(), point.labels.begin(), point.labels.end());
    data.time_unix_nano = now;
    switch (point.kind) {
      case PointKind::kGauge:
        data.value = point.value;
        MetricFor(point, MetricKind::kGauge).points.push_back(std::move(data));
        break;
      case PointKind::kCounter:
        data.start_unix_nano = start_unix_nano_;
        data.value = point.value;
        MetricFor(point, MetricKind::kSum).points.push_back(std::move(data));
        break;
      case PointKind::kDuration: {
        Metric& metric = MetricFor(point, MetricKind::kHistogram);
        HistogramState& state = histograms_[SeriesKey(point.name, data.attributes)];
        if (state.buckets.empty()) state.buckets.assign(metric.bounds.size() + 1, 0);
        // Bucket i holds (bound[i-1], bound[i]]; the last one (last bound, +Inf).
        const size_t bucket = static_cast<size_t>(
            std::lower_bound(metric.bounds.begin(), metric.bounds.end(), point.value) -
            metric.bounds.begin());
        ++state.buckets[bucket];
        state.min = state.count == 0 ? point.value : std::min(state.min, point.value);
        state.max = state.count == 0 ? point.value : std::max(state.max, point.value);
        ++state.count;
        state.sum += point.value;
        data.start_unix_nano = start_unix_nano_;
        data.count = state.count;
        data.sum = state.sum;
        data.min = state.min;
        data.max = state.max;
        data.bucket_counts = state.buckets;
        metric.points.push_back(std::move(data));
        break;
      }
    }
  }
}

std::vector<Metric> Aggregator::Take() {
  std::vector<Metric> out;
  out.swap(metrics_);
  return out;
}

}  // namespace sidecar::exporters::otlp
