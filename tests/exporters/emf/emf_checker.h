// The rules of CloudWatch's Embedded Metric Format specification, checked on one line: what
// the emf tests assert about every line the exporter writes.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace sidecar::exporters::emf::testing {

// Every violation found in `line`; empty when it is a valid EMF document.
inline std::vector<std::string> EmfProblems(const std::string& line) {
  static const std::set<std::string> kUnits = {"Seconds",
                                               "Microseconds",
                                               "Milliseconds",
                                               "Bytes",
                                               "Kilobytes",
                                               "Megabytes",
                                               "Gigabytes",
                                               "Terabytes",
                                               "Bits",
                                               "Kilobits",
                                               "Megabits",
                                               "Gigabits",
                                               "Terabits",
                                               "Percent",
                                               "Count",
                                               "Bytes/Second",
                                               "Kilobytes/Second",
                                               "Megabytes/Second",
                                               "Gigabytes/Second",
                                               "Terabytes/Second",
                                               "Bits/Second",
                                               "Kilobits/Second",
                                               "Megabits/Second",
                                               "Gigabits/Second",
                                               "Terabits/Second",
                                               "Count/Second",
                                               "None"};
  std::vector<std::string> problems;
  if (line.find('\n') != std::string::npos) problems.push_back("more than one line");
  const nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
  if (!doc.is_object()) return {"not a JSON object"};
  if (!doc.contains("_aws") || !doc["_aws"].is_object()) return {"no _aws object"};
  const nlohmann::json& aws = doc["_aws"];
  if (!aws.contains("Timestamp") || !aws["Timestamp"].is_number_integer() ||
      aws["Timestamp"].get<int64_t>() < 1000000000000) {
    problems.push_back("_aws.Timestamp is not milliseconds since the epoch");
  }
  if (!aws.contains("CloudWatchMetrics") || !aws["CloudWatchMetrics"].is_array() ||
      aws["CloudWatchMetrics"].empty()) {
    return {"no CloudWatchMetrics directives"};
  }
  for (const nlohmann::json& directive : aws["CloudWatchMetrics"]) {
    const auto& ns = directive.value("Namespace", nlohmann::json());
    if (!ns.is_string() || ns.get<std::string>().empty() || ns.get<std::string>().size() > 255) {
      problems.push_back("Namespace missing or not 1-255 characters");
    }
    const auto& dimensions = directive.value("Dimensions", nlohmann::json());
    if (!dimensions.is_array()) problems.push_back("Dimensions is not an array");
    for (const auto& set : dimensions) {
      if (!set.is_array() || set.size() > 30) problems.push_back("a set of more than 30");
      for (const auto& key : set) {
        if (!key.is_string() || !doc.contains(key.get<std::string>()) ||
            !doc[key.get<std::string>()].is_string()) {
          problems.push_back("dimension " + key.dump() + " is not a string member of the root");
        }
      }
    }
    const auto& metrics = directive.value("Metrics", nlohmann::json());
    if (!metrics.is_array() || metrics.size() > 100) problems.push_back("Metrics over 100");
    for (const auto& metric : metrics) {
      const std::string name = metric.value("Name", "");
      if (name.empty()) problems.push_back("a metric without Name");
      if (metric.contains("Unit") && !kUnits.contains(metric["Unit"].get<std::string>())) {
        problems.push_back("unit " + metric["Unit"].dump() + " is not a CloudWatch unit");
      }
      if (metric.contains("StorageResolution") && metric["StorageResolution"] != 1 &&
          metric["StorageResolution"] != 60) {
        problems.push_back("StorageResolution is not 1 or 60");
      }
      const auto& value = doc.value(name, nlohmann::json());
      const bool number = value.is_number();
      const bool numbers =
          value.is_array() && value.size() <= 100 &&
          std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_number(); });
      if (!number && !numbers) problems.push_back("metric " + name + " has no value at the root");
    }
  }
  return problems;
}

}  // namespace sidecar::exporters::emf::testing
