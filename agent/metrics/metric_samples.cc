#include "agent/metrics/metric_samples.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace sidecar::metrics {
namespace {

using promql::Label;
using promql::Labels;

// As prometheus-cpp's text exposition writes numbers in label values (le, quantile).
std::string ExpositionNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.16g", value);
  return buf;
}

Labels LabelsOf(const std::string& name, const prometheus::ClientMetric& metric,
                const char* extra_name = nullptr, const std::string& extra_value = "") {
  std::vector<Label> labels;
  labels.reserve(metric.label.size() + 2);
  labels.push_back({std::string(promql::kMetricName), name});
  for (const auto& label : metric.label) labels.push_back({label.name, label.value});
  if (extra_name != nullptr) labels.push_back({extra_name, extra_value});
  return promql::MakeLabels(std::move(labels));
}

}  // namespace

std::vector<promql::Sample> FamiliesToSamples(
    const std::vector<prometheus::MetricFamily>& families) {
  std::vector<promql::Sample> out;
  auto add = [&out](Labels labels, double value) { out.push_back({std::move(labels), 0, value}); };
  for (const prometheus::MetricFamily& family : families) {
    const std::string& name = family.name;
    for (const prometheus::ClientMetric& metric : family.metric) {
      switch (family.type) {
        case prometheus::MetricType::Counter:
          add(LabelsOf(name, metric), metric.counter.value);
          break;
        case prometheus::MetricType::Gauge:
          add(LabelsOf(name, metric), metric.gauge.value);
          break;
        case prometheus::MetricType::Untyped:
          add(LabelsOf(name, metric), metric.untyped.value);
          break;
        case prometheus::MetricType::Histogram:
          for (const auto& bucket : metric.histogram.bucket) {
            add(LabelsOf(name + "_bucket", metric, "le", ExpositionNumber(bucket.upper_bound)),
                static_cast<double>(bucket.cumulative_count));
          }
          add(LabelsOf(name + "_sum", metric), metric.histogram.sample_sum);
          add(LabelsOf(name + "_count", metric),
              static_cast<double>(metric.histogram.sample_count));
          break;
        case prometheus::MetricType::Summary:
          for (const auto& quantile : metric.summary.quantile) {
            add(LabelsOf(name, metric, "quantile", ExpositionNumber(quantile.quantile)),
                quantile.value);
          }
          add(LabelsOf(name + "_sum", metric), metric.summary.sample_sum);
          add(LabelsOf(name + "_count", metric), static_cast<double>(metric.summary.sample_count));
          break;
      }
    }
  }
  return out;
}

}  // namespace sidecar::metrics
