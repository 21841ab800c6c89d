#include "exporters/emf/emf_format.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace sidecar::exporters::emf {
namespace {

using Json = nlohmann::ordered_json;

struct Group {
  Labels labels;  // the extra labels the points share
  std::vector<std::pair<const MetricPoint*, double>> points;
};

}  // namespace

const char* UnitFor(const MetricPoint& point) {
  if (point.kind == PointKind::kDuration || point.name.ends_with("_seconds")) return "Seconds";
  if (point.kind == PointKind::kCounter) return "Count";
  if (point.name.ends_with("_bytes")) return "Bytes";
  return "None";
}

std::vector<std::string> FormatRun(const Format& format, const ProbeRun& run,
                                   CounterDeltas* deltas) {
  // Dimension values at the root: the run's labels, then probe and type (which win).
  std::map<std::string, std::string> root_labels = run.labels;
  root_labels["probe"] = run.probe;
  root_labels["type"] = run.type;

  std::vector<Group> groups;
  for (const MetricPoint& point : run.points) {
    double value = point.value;
    if (point.kind == PointKind::kCounter) {
      auto increase = deltas->Increase(run, point);
      if (!increase) continue;
      value = *increase;
    }
    if (!std::isfinite(value) || root_labels.contains(point.name)) continue;
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const Group& g) { return g.labels == point.labels; });
    if (group == groups.end()) {
      groups.push_back({point.labels, {}});
      group = groups.end() - 1;
    }
    const bool seen = std::any_of(group->points.begin(), group->points.end(),
                                  [&](const auto& p) { return p.first->name == point.name; });
    if (!seen) group->points.emplace_back(&point, value);
  }

  std::vector<std::string> documents;
  for (const Group& group : groups) {
    std::map<std::string, std::string> labels = root_labels;
    std::vector<std::string> extra;
    for (const auto& [k, v] : group.labels) {
      if (!labels.contains(k)) extra.push_back(k);
      labels[k] = v;
    }
    Json dimensions = Json::array();
    for (const std::vector<std::string>& configured : format.dimension_sets) {
      std::vector<std::string> set;
      bool complete = true;
      for (const std::string& key : configured) complete &= labels.contains(key);
      if (!complete) continue;
      set = configured;
      for (const std::string& key : extra) {
        if (std::find(set.begin(), set.end(), key) == set.end()) set.push_back(key);
      }
      if (set.size() > kMaxDimensionsPerSet) set.resize(kMaxDimensionsPerSet);
      dimensions.push_back(set);
    }
    if (dimensions.empty()) {
      std::vector<std::string> set = {"probe"};
      set.insert(set.end(), extra.begin(), extra.end());
      if (set.size() > kMaxDimensionsPerSet) set.resize(kMaxDimensionsPerSet);
      dimensions.push_back(set);
    }
    for (size_t first = 0; first < group.points.size(); first += kMaxMetricsPerDirective) {
      const size_t last = std::min(group.points.size(), first + kMaxMetricsPerDirective);
      Json metrics = Json::array();
      for (size_t i = first; i < last; ++i) {
        Json definition = {{"Name", group.points[i].first->name},
                           {"Unit", UnitFor(*group.points[i].first)}};
        if (format.storage_resolution == 1) definition["StorageResolution"] = 1;
        metrics.push_back(std::move(definition));
      }
      Json document;
      document["_aws"] = {{"Timestamp", run.unix_ms},
                          {"CloudWatchMetrics", Json::array({{{"Namespace", format.name_space},
                                                              {"Dimensions", dimensions},
                                                              {"Metrics", std::move(metrics)}}})}};
      for (const auto& [k, v] : labels) document[k] = v;
      for (size_t i = first; i < last; ++i) {
        document[group.points[i].first->name] = group.points[i].second;
      }
      documents.push_back(document.dump(-1, ' ', false, Json::error_handler_t::replace));
    }
  }
  return documents;
}

}  // namespace sidecar::exporters::emf
