#include "exporters/otlp/otlp_model.h"

#include <algorithm>
#include <cmath>

namespace sidecar::exporters::otlp {
namespace {

std::string UnitFor(const std::string& name, MetricKind kind) {
  if (kind == MetricKind::kHistogram || name.ends_with("_seconds")) return "s";
  if (name.ends_with("_bytes")) return "By";
  if (name.ends_with("_ratio")) return "1";
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

Metric& Aggregator::MetricFor(const std::string& name, MetricKind kind) {
  for (Metric& metric : metrics_) {
    if (metric.name == name && metric.kind == kind) return metric;
  }
  Metric metric;
  metric.name = name;
  metric.unit = UnitFor(name, kind);
  metric.kind = kind;
  if (kind == MetricKind::kHistogram) metric.bounds = DurationBounds();
  metrics_.push_back(std::move(metric));
  return metrics_.back();
}

void Aggregator::Keep(MetricKind kind, const std::string& name, const std::string& series,
                      DataPoint data) {
  Metric& metric = MetricFor(name, kind);
  const size_t metric_index = static_cast<size_t>(&metric - metrics_.data());
  auto [slot, added] = latest_.try_emplace(series, metric_index, metric.points.size());
  if (added) {
    metric.points.push_back(std::move(data));
  } else {
    metrics_[slot->second.first].points[slot->second.second] = std::move(data);
  }
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
    const std::string series = SeriesKey(point.name, data.attributes);
    switch (point.kind) {
      case PointKind::kGauge:
        data.value = point.value;
        Keep(MetricKind::kGauge, point.name, "g" + series, std::move(data));
        break;
      case PointKind::kCounter:
        data.start_unix_nano = start_unix_nano_;
        data.value = point.value;
        Keep(MetricKind::kSum, point.name, "s" + series, std::move(data));
        break;
      case PointKind::kDuration: {
        const std::vector<double>& bounds = DurationBounds();
        HistogramState& state = histograms_[series];
        if (state.buckets.empty()) state.buckets.assign(bounds.size() + 1, 0);
        // Bucket i holds (bound[i-1], bound[i]]; the last one (last bound, +Inf).
        const size_t bucket = static_cast<size_t>(
            std::lower_bound(bounds.begin(), bounds.end(), point.value) - bounds.begin());
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
        Keep(MetricKind::kHistogram, point.name, "h" + series, std::move(data));
        break;
      }
    }
  }
}

std::vector<Metric> Aggregator::Take() {
  std::vector<Metric> out;
  out.swap(metrics_);
  latest_.clear();
  return out;
}

}  // namespace sidecar::exporters::otlp
