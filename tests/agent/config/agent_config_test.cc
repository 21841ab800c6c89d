#include "agent/config/agent_config.h"

#include <catch2/catch.hpp>

#include "agent/common/redact.h"

namespace sidecar::config {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Errors(const LoadResult& result) {
  std::string out;
  for (const ConfigError& error : result.errors) out += error.ToString() + "\n";
  return out;
}

TEST_CASE("LoadConfigText: a full config is read with its defaults", "[config]") {
  const LoadResult result = LoadConfigText(R"(
listen: 127.0.0.1:9800
log: {level: debug, format: json}
startup_grace: 30s
labels: {env: prod}
defaults: {interval: 20s, timeout: 2s, healthy_threshold: 2, unhealthy_threshold: 4}
probes:
  - name: cpu
    type: cpu
  - name: mem
    type: memory
    interval: 5s
    timeout: 1s
    critical: true
    labels: {team: core}
)",
                                           "agent.yaml", Env({}));
  INFO(Errors(result));
  REQUIRE(result.ok());
  const AgentConfig& config = result.config;
  CHECK(config.listen.ToString() == "127.0.0.1:9800");
  CHECK(config.log_level == "debug");
  CHECK(config.log_format == LogFormat::kJson);
  CHECK(config.startup_grace == std::chrono::seconds(30));
  REQUIRE(config.probes.size() == 2);
  CHECK(config.probes[0].interval == std::chrono::seconds(20));
  CHECK(config.probes[0].timeout == std::chrono::seconds(2));
  CHECK(config.probes[0].thresholds.healthy == 2);
  CHECK(config.probes[0].thresholds.unhealthy == 4);
  CHECK_FALSE(config.probes[0].critical);  // resources are not critical by default
  CHECK(config.probes[0].labels == std::map<std::string, std::string>{{"env", "prod"}});
  CHECK(config.probes[1].critical);
  CHECK(config.probes[1].interval == std::chrono::seconds(5));
  CHECK(config.probes[1].labels ==
        std::map<std::string, std::string>{{"env", "prod"}, {"team", "core"}});
}

TEST_CASE("LoadConfigText: each mistake gets its own message with line and column", "[config]") {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"probes:\n  - name: cpu\n    type: cpu\n    intervall: 5s\n",
       "agent.yaml:4:5: probes[0]: unknown key 'intervall' (did you mean 'interval'?)"},
      {"probes:\n  - name: cpu\n    type: cpu\n    interval: 5 secs\n",
       "agent.yaml:4:15: probes[0].interval: expected a duration such as 5s, 250ms or 1m30s, "
       "got '5 secs'"},
      {"probes:\n  - name: cpu\n    type: cpu\n    interval: 5s\n    timeout: 10s\n",
       "agent.yaml:5:14: probes[0].timeout: 10s must not exceed interval 5s"},
      {"probes:\n  - name: a\n    type: cpu\n  - name: a\n    type: memory\n",
       "agent.yaml:4:11: probes[1].name: duplicate probe name 'a'"},
      {"probes:\n  - name: db\n    type: postgress\n",
       "agent.yaml:3:11: probes[0].type: unknown probe type 'postgress' (known: postgres, redis"},
      {"probes:\n  - type: cpu\n", "agent.yaml:2:5: probes[0]: missing required key 'name'"},
      {"probes:\n  - name: cpu\n    type: cpu\n    critical: maybe\n",
       "agent.yaml:4:15: probes[0].critical: expected true or false, got 'maybe'"},
      {"probes:\n  - name: cpu\n    type: cpu\n    unhealthy_threshold: 0\n",
       "agent.yaml:4:26: probes[0].unhealthy_threshold: expected a whole number from 1 to 100, "
       "got 0"},
      {"listen: localhost\n",
       "agent.yaml:1:9: listen: expected HOST:PORT such as 0.0.0.0:9779 or [::]:9779, got "
       "'localhost'"},
      {"log:\n  level: loud\n", "agent.yaml:2:10: log.level: expected one of trace, debug"},
      {"probes:\n  - name: db\n    type: cpu\n    labels: {probe: x}\n",
       "probes[0].labels: label name 'probe' is set by the agent itself"},
      {"probes:\n  - name: cpu\n    type: cpu\n    interval: ${INTERVAL}\n",
       "agent.yaml:4:15: probes[0].interval: environment variable INTERVAL is not set (write "
       "${INTERVAL:-default} to allow that)"},
      {"probes: [\n", "agent.yaml:2:1: invalid YAML"},
      {"- a\n- b\n", "agent.yaml:1:1: expected a mapping at the top level, got a list"},
      {"probes:\n  name: cpu\n", "agent.yaml:2:3: probes: expected a list, got a mapping"},
      {"listen: 0.0.0.0:1\nlisten: 0.0.0.0:2\n", "agent.yaml:2:1: listen: duplicate key"},
      {"probes:\n  - name: has space\n    type: cpu\n",
       "probes[0].name: 'has space' must be 1-64 letters, digits"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    const LoadResult result = LoadConfigText(c.yaml, "agent.yaml", Env({}));
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(Errors(result), Catch::Contains(c.expected));
  }
}

TEST_CASE("LoadConfigText: a short interval shortens the default timeout, not a given one",
          "[config]") {
  const LoadResult short_interval =
      LoadConfigText("probes:\n  - {name: a, type: cpu, interval: 1s}\n", "agent.yaml", Env({}));
  REQUIRE(short_interval.ok());
  CHECK(short_interval.config.probes[0].timeout == std::chrono::seconds(1));
  const LoadResult given_default =
      LoadConfigText("defaults: {timeout: 3s}\nprobes:\n  - {name: a, type: cpu, interval: 1s}\n",
                     "agent.yaml", Env({}));
  CHECK_FALSE(given_default.ok());
}

TEST_CASE("LoadConfigText: all problems are reported in one run", "[config]") {
  const LoadResult result = LoadConfigText(
      "listen: nowhere\nprobes:\n  - name: a\n    type: nope\n  - name: b\n    type: cpu\n"
      "    interval: soon\n",
      "agent.yaml", Env({}));
  CHECK(result.errors.size() == 3);
}

TEST_CASE("LoadConfigText: if_env_set leaves a probe out when its variable is unset", "[config]") {
  const char* yaml =
      "probes:\n  - name: db\n    type: postgres\n    if_env_set: DATABASE_URL\n"
      "    url: ${DATABASE_URL}\n";
  const LoadResult without = LoadConfigText(yaml, "agent.yaml", Env({}));
  INFO(Errors(without));
  REQUIRE(without.ok());
  CHECK(without.config.probes.empty());
}

TEST_CASE("LoadConfigText: if_env_set with a list keeps the probe when any variable is set",
          "[config]") {
  const char* yaml = "probes:\n  - {name: cpu, type: cpu, if_env_set: [A_KEY, B_KEY]}\n";
  CHECK(LoadConfigText(yaml, "agent.yaml", Env({})).config.probes.empty());
  CHECK(LoadConfigText(yaml, "agent.yaml", Env({{"A_KEY", ""}})).config.probes.empty());
  CHECK(LoadConfigText(yaml, "agent.yaml", Env({{"B_KEY", "x"}})).config.probes.size() == 1);
}

TEST_CASE("LoadConfigText: ${VAR} forms expand from the environment", "[config]") {
  const LoadResult result = LoadConfigText(
      "listen: ${HOST:-0.0.0.0}:${PORT}\nprobes:\n  - name: ${NAME:+named}\n    type: cpu\n",
      "agent.yaml", Env({{"PORT", "9800"}, {"NAME", "x"}}));
  INFO(Errors(result));
  REQUIRE(result.ok());
  CHECK(result.config.listen.ToString() == "0.0.0.0:9800");
  CHECK(result.config.probes[0].name == "named");
}

TEST_CASE(
    "LoadConfigText: the built-in default config is valid with and without the "
    "environment it discovers",
    "[config]") {
  const LoadResult bare =
      LoadConfigText(std::string(DefaultConfigText()), "built-in default", Env({}));
  INFO(Errors(bare));
  REQUIRE(bare.ok());
  CHECK(bare.config.listen.port == kDefaultPort);
  std::vector<std::string> names;
  for (const ProbeConfig& probe : bare.config.probes) names.push_back(probe.name);
  CHECK(names == std::vector<std::string>{"cpu", "memory"});

  const LoadResult discovered =
      LoadConfigText(std::string(DefaultConfigText()), "built-in default",
                     Env({{"DATABASE_URL", "postgresql://app:pw-sentinel@db.internal:5432/app"},
                          {"REDIS_URL", "redis://:pw-sentinel@cache.internal:6379/0"}}));
  INFO(Errors(discovered));
  REQUIRE(discovered.ok());
  names.clear();
  for (const ProbeConfig& probe : discovered.config.probes) names.push_back(probe.name);
  CHECK(names == std::vector<std::string>{"postgres", "redis", "cpu", "memory"});
  CHECK(discovered.config.probes[0].critical);
  CHECK(discovered.config.probes[0].probe->Target().find("pw-sentinel") == std::string::npos);
  ClearSecretsForTesting();
}

TEST_CASE("ParseListenAddress: accepts the usual forms", "[config]") {
  ListenAddress address;
  REQUIRE(ParseListenAddress("127.0.0.1:8000", &address));
  CHECK(address.host == "127.0.0.1");
  CHECK(address.port == 8000);
  REQUIRE(ParseListenAddress("[::]:9779", &address));
  CHECK(address.host == "::");
  CHECK(address.ToString() == "[::]:9779");
  REQUIRE(ParseListenAddress(":9100", &address));
  CHECK(address.host == "0.0.0.0");
  REQUIRE(ParseListenAddress("9101", &address));
  CHECK(address.port == 9101);
  CHECK_FALSE(ParseListenAddress("::1:80", &address));
  CHECK_FALSE(ParseListenAddress("host:99999", &address));
  CHECK_FALSE(ParseListenAddress("host:", &address));
}

}  // namespace
}  // namespace sidecar::config
