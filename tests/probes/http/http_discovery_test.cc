// Env discovery of the provider presets in the built-in default config (config/agent.yaml).
#include <catch2/catch.hpp>
#include <map>
#include <optional>

#include "agent/config/agent_config.h"

namespace sidecar::probes::http {
namespace {

using Env = std::map<std::string, std::string>;

config::LoadResult LoadDefault(const Env& env) {
  return config::LoadConfigText(std::string(config::DefaultConfigText()), "built-in default",
                                [env](const std::string& name) -> std::optional<std::string> {
                                  auto it = env.find(name);
                                  return it == env.end() ? std::nullopt
                                                         : std::optional<std::string>(it->second);
                                });
}

std::map<std::string, const config::ProbeConfig*> ByName(const config::LoadResult& result) {
  std::map<std::string, const config::ProbeConfig*> out;
  for (const auto& probe : result.config.probes) out[probe.name] = &probe;
  return out;
}

std::string Errors(const config::LoadResult& result) {
  std::string text;
  for (const auto& error : result.errors) text += error.ToString() + "\n";
  return text;
}

TEST_CASE("HttpDiscovery: no provider key, no provider probe", "[http]") {
  const auto result = LoadDefault({});
  INFO(Errors(result));
  REQUIRE(result.ok());
  const auto probes = ByName(result);
  for (const char* name : {"claude", "openai", "stripe", "github"}) CHECK(probes.count(name) == 0);
}

TEST_CASE("HttpDiscovery: each provider key in the environment adds its non-critical probe",
          "[http]") {
  const auto result = LoadDefault({{"ANTHROPIC_API_KEY", "sk-ant-api03-discovery"},
                                   {"OPENAI_API_KEY", "sk-proj-discovery"},
                                   {"STRIPE_SECRET_KEY", "sk_test_discovery"},
                                   {"GITHUB_TOKEN", "ghp_discovery"}});
  INFO(Errors(result));
  REQUIRE(result.ok());
  const auto probes = ByName(result);
  const std::map<std::string, std::string> targets = {
      {"claude", "https://api.anthropic.com/v1/models?limit=1"},
      {"openai", "https://api.openai.com/v1/models"},
      {"stripe", "https://api.stripe.com/v1/balance"},
      {"github", "https://api.github.com/rate_limit"}};
  for (const auto& [name, target] : targets) {
    INFO(name);
    REQUIRE(probes.count(name) == 1);
    CHECK(probes.at(name)->type == "http");
    CHECK_FALSE(probes.at(name)->critical);
    CHECK(probes.at(name)->probe->Target() == target);
  }
}

TEST_CASE("HttpDiscovery: CLAUDE_API_KEY alone, or with ANTHROPIC_API_KEY, gives one claude probe",
          "[http]") {
  for (const Env& env :
       {Env{{"CLAUDE_API_KEY", "sk-ant-claude-only"}},
        Env{{"CLAUDE_API_KEY", "sk-ant-c1"}, {"ANTHROPIC_API_KEY", "sk-ant-a1"}}}) {
    const auto result = LoadDefault(env);
    INFO(Errors(result));
    REQUIRE(result.ok());
    int claude = 0;
    for (const auto& probe : result.config.probes) claude += probe.name == "claude";
    CHECK(claude == 1);
  }
}

}  // namespace
}  // namespace sidecar::probes::http
