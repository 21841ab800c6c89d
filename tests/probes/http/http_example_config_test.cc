// config/examples/http.yaml stays valid: every probe in it loads with its variables set.
#include <catch2/catch.hpp>
#include <map>
#include <optional>

#include "agent/config/agent_config.h"

namespace sidecar::probes::http {
namespace {

TEST_CASE("config/examples/http.yaml: every probe loads", "[http][config]") {
  const std::map<std::string, std::string> env = {{"INTERNAL_API_KEY", "internal-example-key"},
                                                  {"ANTHROPIC_API_KEY", "sk-ant-example"},
                                                  {"OPENAI_API_KEY", "sk-proj-example"},
                                                  {"STRIPE_SECRET_KEY", "sk_test_example"}};
  const auto result = config::LoadConfigFile(
      std::string(AGENT_SOURCE_DIR) + "/config/examples/http.yaml",
      [&env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
      });
  std::string errors;
  for (const auto& error : result.errors) errors += error.ToString() + "\n";
  INFO(errors);
  REQUIRE(result.ok());
  std::map<std::string, std::string> types;
  for (const auto& probe : result.config.probes) types[probe.name] = probe.type;
  CHECK(types == std::map<std::string, std::string>{{"api", "http"},
                                                    {"claude", "http"},
                                                    {"openai", "http"},
                                                    {"stripe", "http"},
                                                    {"github", "http"},
                                                    {"smtp", "tcp"},
                                                    {"db-dns", "dns"}});
}

}  // namespace
}  // namespace sidecar::probes::http
