// config/examples/exporters.yaml stays valid: every exporter in it loads with its variables set.
#include <catch2/catch.hpp>

#include "agent/config/agent_config.h"

namespace sidecar {
namespace {

TEST_CASE("config/examples/exporters.yaml: every exporter loads", "[exporters][config]") {
  const std::map<std::string, std::string> vars = {{"DD_AGENT_HOST", "127.0.0.1"},
                                                   {"DD_DOGSTATSD_SOCKET", "/tmp/dsd.socket"},
                                                   {"STATSD_HOST", "statsd.internal"},
                                                   {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                                                   {"OTLP_API_KEY", "key"}};
  const config::LoadResult result =
      config::LoadConfigFile(std::string(AGENT_SOURCE_DIR) + "/config/examples/exporters.yaml",
                             [&vars](const std::string& name) -> std::optional<std::string> {
                               auto it = vars.find(name);
                               if (it == vars.end()) return std::nullopt;
                               return it->second;
                             });
  std::string errors;
  for (const config::ConfigError& error : result.errors) errors += error.ToString() + "\n";
  INFO(errors);
  REQUIRE(result.ok());
  REQUIRE(result.config.exporters.size() == 5);
  CHECK(result.config.exporters[0].name == "datadog");
  CHECK(result.config.exporters[3].type == "otlp");
  CHECK(result.config.exporters[4].type == "emf");
}

}  // namespace
}  // namespace sidecar
