#include "agent/config/rules_config.h"

#include <catch2/catch.hpp>

#include "agent/config/agent_config.h"
#include "tests/support/agent_process.h"

namespace sidecar::config {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

std::string Errors(const LoadResult& result) {
  std::string out;
  for (const ConfigError& error : result.errors) out += error.ToString() + "\n";
  return out;
}

size_t RuleCount(const RulesConfig& rules) {
  size_t count = 0;
  for (const rules::GroupDef& group : rules.groups) count += group.rules.size();
  return count;
}

TEST_CASE("Rules config: the built-in default evaluates the bundled rules every 15s",
          "[config][rules]") {
  const LoadResult result =
      LoadConfigText(std::string(DefaultConfigText()), "built-in default", NoEnv());
  INFO(Errors(result));
  REQUIRE(result.ok());
  const RulesConfig& rules = result.config.rules;
  CHECK(rules.bundled);
  CHECK(rules.options.group.default_interval_ms == 15'000);
  CHECK(rules.options.resend_delay_ms == 60'000);
  REQUIRE(RuleCount(rules) >= 10);
  CHECK(rules.groups[0].file == kBundledRulesName);
  bool found = false;
  for (const rules::GroupDef& group : rules.groups) {
    for (const rules::RuleDef& rule : group.rules) {
      found = found || rule.alert == "CriticalDependencyDown";
    }
  }
  CHECK(found);
}

TEST_CASE("Rules config: rule files by glob, relative to the config file", "[config][rules]") {
  const std::string rules_file = testing::WriteTempFile(
      "db.rules.yml",
      "groups:\n  - name: db\n    interval: 30s\n    rules:\n"
      "      - alert: DatabaseDown\n        expr: probe_success{type=\"postgres\"} == 0\n"
      "        for: 1m\n");
  const std::string dir = rules_file.substr(0, rules_file.rfind('/'));
  const std::string config =
      testing::WriteTempFile("agent.yaml", "rules:\n  files: ['" + dir +
                                               "/*.rules.yml']\n  evaluation_interval: 5s\n"
                                               "  external_labels: {cluster: prod}\n"
                                               "alerting:\n  resend_delay: 30s\n");
  const LoadResult result = LoadConfigFile(config, NoEnv());
  INFO(Errors(result));
  REQUIRE(result.ok());
  const RulesConfig& rules = result.config.rules;
  CHECK_FALSE(rules.bundled);
  REQUIRE(rules.groups.size() == 1);
  CHECK(rules.groups[0].name == "db");
  CHECK(rules.groups[0].interval_ms == 30'000);
  CHECK(rules.options.group.default_interval_ms == 5'000);
  CHECK(rules.options.group.external_labels.at("cluster") == "prod");
  CHECK(rules.options.resend_delay_ms == 30'000);
}

TEST_CASE("Rules config: a bad rule file is refused with its own file, line and column",
          "[config][rules]") {
  const std::string rules_file =
      testing::WriteTempFile("bad.rules.yml",
                             "groups:\n  - name: db\n    rules:\n      - alert: DatabaseDown\n"
                             "        expr: probe_success{type=\"postgres\" == 0\n");
  const LoadResult result =
      LoadConfigText("rules:\n  files: ['" + rules_file + "']\n", "agent.yaml", NoEnv());
  REQUIRE(result.errors.size() == 1);
  const ConfigError& error = result.errors[0];
  CHECK(error.file == rules_file);
  CHECK(error.line == 5);
  CHECK_THAT(error.message, Catch::Contains("DatabaseDown"));
}

TEST_CASE("Rules config: mistakes in the rules section each have their message",
          "[config][rules]") {
  const LoadResult result =
      LoadConfigText("rules:\n  bundled: yes please\n  evaluation_interval: 100ms\n  file: []\n",
                     "agent.yaml", NoEnv());
  const std::string errors = Errors(result);
  CHECK_THAT(errors, Catch::Contains("agent.yaml:2:"));
  CHECK_THAT(errors, Catch::Contains("too short"));
  CHECK_THAT(errors, Catch::Contains("file"));
  CHECK(result.errors.size() == 3);
}

TEST_CASE("Rules config: the default config notifies the receivers whose variables are set",
          "[config][rules]") {
  const std::string text(DefaultConfigText());
  const LoadResult none = LoadConfigText(text, "built-in default", NoEnv());
  REQUIRE(none.ok());
  CHECK(none.config.rules.alerting.alertmanagers.empty());
  CHECK(none.config.rules.alerting.slack.empty());
  CHECK(none.config.rules.alerting.pagerduty.empty());

  const std::map<std::string, std::string> vars = {
      {"ALERTMANAGER_URL", "http://alertmanager:9093"},
      {"PAGERDUTY_ROUTING_KEY", "0123456789abcdef0123456789abcdef"}};
  const LoadResult some = LoadConfigText(
      text, "built-in default", [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      });
  INFO(Errors(some));
  REQUIRE(some.ok());
  CHECK(some.config.rules.alerting.alertmanagers.size() == 1);
  CHECK(some.config.rules.alerting.slack.empty());
  CHECK(some.config.rules.alerting.pagerduty.size() == 1);
}

TEST_CASE("config/examples/alerting.yaml: rules and every receiver load", "[config][rules]") {
  const std::map<std::string, std::string> vars = {
      {"DATABASE_URL", "postgres://app@db:5432/app"},
      {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/xyz"},
      {"PAGERDUTY_ROUTING_KEY", "0123456789abcdef0123456789abcdef"}};
  const LoadResult result =
      LoadConfigFile(std::string(AGENT_SOURCE_DIR) + "/config/examples/alerting.yaml",
                     [vars](const std::string& name) -> std::optional<std::string> {
                       auto it = vars.find(name);
                       if (it == vars.end()) return std::nullopt;
                       return it->second;
                     });
  INFO(Errors(result));
  REQUIRE(result.ok());
  const RulesConfig& rules = result.config.rules;
  CHECK(RuleCount(rules) >= 10);
  CHECK(rules.alerting.alertmanagers.size() == 1);
  CHECK(rules.alerting.slack.size() == 1);
  CHECK(rules.alerting.pagerduty.size() == 1);
  CHECK(rules.alerting.webhooks.size() == 1);
}

}  // namespace
}  // namespace sidecar::config
