#include "exporters/otlp/otlp_resource.h"

#include <catch2/catch.hpp>

namespace sidecar::exporters::otlp {
namespace {

EnvGetter Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST_CASE("OTLP resource: OTEL_RESOURCE_ATTRIBUTES is k=v pairs, percent-decoded, all or nothing",
          "[exporters][otlp]") {
  struct Case {
    const char* text;
    std::optional<Attributes> want;
  };
  const Case cases[] = {
      {"", Attributes{}},
      {"a=1", Attributes{{"a", "1"}}},
      {"service.name=api, deployment.environment=prod",
       Attributes{{"service.name", "api"}, {"deployment.environment", "prod"}}},
      {"k=a%2Cb%3Dc", Attributes{{"k", "a,b=c"}}},
      {"k=v,broken", std::nullopt},
      {"k=%zz", std::nullopt},
      {"=v", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(ParseResourceAttributes(c.text) == c.want);
  }
}

TEST_CASE("OTLP resource: OTEL_SERVICE_NAME wins, Downward API names become k8s attributes",
          "[exporters][otlp]") {
  struct Case {
    std::map<std::string, std::string> env;
    Attributes want;
  };
  const Case cases[] = {
      {{}, {{"service.name", "unknown_service:agent"}}},
      {{{"OTEL_RESOURCE_ATTRIBUTES", "service.name=a,team=core"}, {"OTEL_SERVICE_NAME", "b"}},
       {{"service.name", "b"}, {"team", "core"}}},
      {{{"OTEL_RESOURCE_ATTRIBUTES", "service.name=a,oops"}},
       {{"service.name", "unknown_service:agent"}}},
      {{{"POD_NAME", "api-7d9f"}, {"POD_NAMESPACE", "shop"}, {"NODE_NAME", "ip-10-0-1-2"}},
       {{"k8s.pod.name", "api-7d9f"},
        {"k8s.namespace.name", "shop"},
        {"k8s.node.name", "ip-10-0-1-2"},
        {"service.name", "unknown_service:agent"}}},
      {{{"POD_NAME", "api-7d9f"}, {"AWS_REGION", "eu-west-1"}},
       {{"k8s.pod.name", "api-7d9f"},
        {"cloud.provider", "aws"},
        {"cloud.platform", "aws_eks"},
        {"cloud.region", "eu-west-1"},
        {"service.name", "unknown_service:agent"}}},
  };
  for (const Case& c : cases) {
    CHECK(EnvironmentAttributes(Env(c.env)) == c.want);
  }
}

TEST_CASE("OTLP resource: the ECS task metadata v4 gives the aws.ecs and cloud attributes",
          "[exporters][otlp]") {
  const std::string fargate = R"({
    "Cluster": "arn:aws:ecs:us-west-2:111122223333:cluster/default",
    "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/e9028f8d5d8e4f258373e7b93ce9a3c3",
    "Family": "curltest", "Revision": "3", "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING",
    "Limits": {"CPU": 0.25, "Memory": 512}, "AvailabilityZone": "us-west-2d",
    "LaunchType": "FARGATE", "Containers": []})";
  CHECK(EcsTaskAttributes(fargate) ==
        Attributes{{"cloud.provider", "aws"},
                   {"cloud.platform", "aws_ecs"},
                   {"cloud.region", "us-west-2"},
                   {"cloud.account.id", "111122223333"},
                   {"cloud.availability_zone", "us-west-2d"},
                   {"aws.ecs.cluster.arn", "arn:aws:ecs:us-west-2:111122223333:cluster/default"},
                   {"aws.ecs.task.arn",
                    "arn:aws:ecs:us-west-2:111122223333:task/default/"
                    "e9028f8d5d8e4f258373e7b93ce9a3c3"},
                   {"aws.ecs.task.id", "e9028f8d5d8e4f258373e7b93ce9a3c3"},
                   {"aws.ecs.task.family", "curltest"},
                   {"aws.ecs.task.revision", "3"},
                   {"aws.ecs.launchtype", "fargate"}});
  // EC2 agents may give the cluster's short name.
  const Attributes ec2 = EcsTaskAttributes(
      R"({"Cluster":"prod","TaskARN":"arn:aws:ecs:eu-west-1:1:task/prod/abc","LaunchType":"EC2"})");
  CHECK(ec2.at("aws.ecs.cluster.arn") == "arn:aws:ecs:eu-west-1:1:cluster/prod");
  CHECK(ec2.at("aws.ecs.launchtype") == "ec2");
  CHECK(EcsTaskAttributes("not json").empty());
  CHECK(EcsTaskAttributes(R"({"Cluster":"x"})").empty());
}

}  // namespace
}  // namespace sidecar::exporters::otlp
