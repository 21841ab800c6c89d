// Resource attributes of the OTLP exporter, per the OpenTelemetry semantic conventions: from
// OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, the Kubernetes Downward API variables
// (POD_NAME, POD_NAMESPACE, NODE_NAME) and the ECS task metadata endpoint v4 (/task). Pure.
// Thread-safe (pure functions).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sidecar::exporters::otlp {

using Attributes = std::map<std::string, std::string>;
using EnvGetter = std::function<std::optional<std::string>(const std::string&)>;

// OTEL_RESOURCE_ATTRIBUTES: "k1=v1,k2=v2" with percent-encoding; nullopt (the whole variable is
// discarded, as the specification says) on a malformed entry.
std::optional<Attributes> ParseResourceAttributes(std::string_view text);

// service.name and the attributes that the environment gives without any I/O: the OTel
// variables (OTEL_SERVICE_NAME beats service.name in OTEL_RESOURCE_ATTRIBUTES) and the Downward
// API names (k8s.pod.name, k8s.namespace.name, k8s.node.name; cloud.provider=aws and
// cloud.platform=aws_eks when an AWS variable says the cluster runs on AWS).
Attributes EnvironmentAttributes(const EnvGetter& env);

// The attributes of an ECS task from the body of ${ECS_CONTAINER_METADATA_URI_V4}/task:
// cloud.provider, cloud.platform=aws_ecs, cloud.region, cloud.account.id,
// cloud.availability_zone, aws.ecs.cluster.arn, aws.ecs.task.{arn,id,family,revision},
// aws.ecs.launchtype. Empty when the body is not a task document.
Attributes EcsTaskAttributes(std::string_view task_json);

}  // namespace sidecar::exporters::otlp
