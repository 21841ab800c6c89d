#include "exporters/otlp/otlp_resource.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

namespace sidecar::exporters::otlp {
namespace {

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::string Trim(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(start, end - start + 1));
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::optional<Attributes> ParseResourceAttributes(std::string_view text) {
  Attributes out;
  if (Trim(text).empty()) return out;
  for (const std::string& entry : Split(std::string(text), ',')) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) return std::nullopt;
    auto key = PercentDecode(Trim(std::string_view(entry).substr(0, equals)));
    auto value = PercentDecode(Trim(std::string_view(entry).substr(equals + 1)));
    if (!key || !value || key->empty()) return std::nullopt;
    out[*key] = *value;
  }
  return out;
}

Attributes EnvironmentAttributes(const EnvGetter& env) {
  auto get = [&env](const char* name) -> std::string {
    auto value = env(name);
    return value ? Trim(*value) : "";
  };
  Attributes out;
  const std::string pod = get("POD_NAME");
  const std::string name_space = get("POD_NAMESPACE");
  const std::string node = get("NODE_NAME");
  if (!pod.empty()) out["k8s.pod.name"] = pod;
  if (!name_space.empty()) out["k8s.namespace.name"] = name_space;
  if (!node.empty()) out["k8s.node.name"] = node;
  const bool on_aws = !get("AWS_REGION").empty() || !get("AWS_DEFAULT_REGION").empty() ||
                      !get("AWS_WEB_IDENTITY_TOKEN_FILE").empty();
  if (!out.empty() && on_aws) {
    out["cloud.provider"] = "aws";
    out["cloud.platform"] = "aws_eks";
    const std::string region =
        !get("AWS_REGION").empty() ? get("AWS_REGION") : get("AWS_DEFAULT_REGION");
    if (!region.empty()) out["cloud.region"] = region;
  }
  if (auto parsed = ParseResourceAttributes(get("OTEL_RESOURCE_ATTRIBUTES"))) {
    for (const auto& [k, v] : *parsed) out[k] = v;
  }
  const std::string service = get("OTEL_SERVICE_NAME");
  if (!service.empty()) out["service.name"] = service;
  if (!out.contains("service.name")) out["service.name"] = "unknown_service:agent";
  return out;
}

Attributes EcsTaskAttributes(std::string_view task_json) {
  const nlohmann::json task = nlohmann::json::parse(task_json, nullptr, false);
  Attributes out;
  if (!task.is_object() || !task.contains("TaskARN") || !task["TaskARN"].is_string()) return out;
  auto text = [&task](const char* key) -> std::string {
    return task.contains(key) && task[key].is_string() ? task[key].get<std::string>() : "";
  };
  out["cloud.provider"] = "aws";
  out["cloud.platform"] = "aws_ecs";
  const std::string arn = text("TaskARN");
  out["aws.ecs.task.arn"] = arn;
  out["aws.ecs.task.id"] = arn.substr(arn.rfind('/') + 1);
  // arn:aws:ecs:<region>:<account>:task/<cluster>/<id>
  const std::vector<std::string> parts = Split(arn, ':');
  if (parts.size() >= 6) {
    out["cloud.region"] = parts[3];
    out["cloud.account.id"] = parts[4];
  }
  const std::string cluster = text("Cluster");
  if (cluster.rfind("arn:", 0) == 0) {
    out["aws.ecs.cluster.arn"] = cluster;
  } else if (!cluster.empty() && parts.size() >= 6) {
    out["aws.ecs.cluster.arn"] =
        "arn:" + parts[1] + ":ecs:" + parts[3] + ":" + parts[4] + ":cluster/" + cluster;
  }
  if (!text("Family").empty()) out["aws.ecs.task.family"] = text("Family");
  if (!text("Revision").empty()) out["aws.ecs.task.revision"] = text("Revision");
  if (!text("AvailabilityZone").empty()) {
    out["cloud.availability_zone"] = text("AvailabilityZone");
  }
  std::string launch = text("LaunchType");
  for (char& c : launch) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!launch.empty()) out["aws.ecs.launchtype"] = launch;
  return out;
}

}  // namespace sidecar::exporters::otlp
