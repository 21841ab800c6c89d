#include "agent/rules/rule_file.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/support/test_env.h"

namespace sidecar::rules {
namespace {

TEST_CASE("ParseRuleFile: a valid file gives its groups and rules with every field", "[rules]") {
  const std::string text = R"yaml(groups:
  - name: db
    interval: 1m30s
    limit: 10
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels:
          team: db
      - alert: DatabaseDown
        expr: job:up:sum == 0
        for: 5m
        keep_firing_for: 2m
        labels:
          severity: page
          instance: "{{ $labels.instance }}"
        annotations:
          summary: "{{ $labels.job }} is down ({{ $value | humanize }})"
  - name: empty
    rules:
)yaml";
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  REQUIRE(ParseRuleFile("alerts/db.yml", text, &groups, &errors));
  REQUIRE(errors.empty());
  REQUIRE(groups.size() == 2);
  const GroupDef& db = groups[0];
  CHECK(db.name == "db");
  CHECK(db.file == "alerts/db.yml");
  CHECK(db.interval_ms == 90000);
  CHECK(db.limit == 10);
  REQUIRE(db.rules.size() == 2);
  CHECK(db.rules[0].record == "job:up:sum");
  CHECK(db.rules[0].alert.empty());
  CHECK(db.rules[0].expr_text == "sum by (job) (up)");
  CHECK(db.rules[0].expr != nullptr);
  CHECK(db.rules[0].labels == std::map<std::string, std::string>{{"team", "db"}});
  CHECK(db.rules[0].location == "alerts/db.yml:6:9");
  const RuleDef& alert = db.rules[1];
  CHECK(alert.alert == "DatabaseDown");
  CHECK(alert.for_ms == 300000);
  CHECK(alert.keep_firing_for_ms == 120000);
  CHECK(alert.labels.at("instance") == "{{ $labels.instance }}");
  CHECK(alert.annotations.at("summary") == "{{ $labels.job }} is down ({{ $value | humanize }})");
  CHECK(groups[1].name == "empty");
  CHECK_FALSE(groups[1].interval_ms.has_value());
  CHECK(groups[1].rules.empty());
}

TEST_CASE("ParseRuleFile: an empty file and an empty group list are valid", "[rules]") {
  for (const char* text : {"", "groups:\n", "groups: []\n", "# only a comment\n"}) {
    std::vector<GroupDef> groups;
    std::vector<std::string> errors;
    CHECK(ParseRuleFile("x.yml", text, &groups, &errors));
    CHECK(errors.empty());
    CHECK(groups.empty());
  }
}

TEST_CASE("ParseRuleFile: a group interval of 0 means the default interval", "[rules]") {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  REQUIRE(ParseRuleFile("x.yml", "groups:\n- name: g\n  interval: 0s\n  rules: []\n", &groups,
                        &errors));
  REQUIRE(groups.size() == 1);
  CHECK_FALSE(groups[0].interval_ms.has_value());
}

struct BadFile {
  const char* name;
  std::string text;
  std::string message;  // a substring of the one expected message
  int line;             // its line in "x.yml:line:col: "
};

// A rule's keys under a valid group, starting on line 4.
std::string Rule(const std::string& body) { return "groups:\n- name: db\n  rules:\n" + body; }

TEST_CASE("ParseRuleFile: invalid files are refused with the position and the problem", "[rules]") {
  const std::vector<BadFile> cases = {
      {"yaml syntax", "groups:\n- name: [\n", "yaml: ", 3},
      {"not a mapping", "- a\n- b\n", "expected a mapping with the key \"groups\"", 1},
      {"unknown top-level key", "groups: []\ngroup: []\n", "unknown key \"group\"", 2},
      {"groups not a list", "groups: {name: x}\n", "groups: expected a list of groups", 1},
      {"unknown group key", "groups:\n- name: g\n  intervall: 1m\n  rules: []\n",
       "group \"g\": unknown key \"intervall\"", 3},
      {"missing group name", "groups:\n- rules: []\n", "group name must not be empty", 2},
      {"repeated group name", "groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n",
       "group \"g\": name is repeated in the same file", 4},
      {"bad interval", "groups:\n- name: g\n  interval: 1.5m\n  rules: []\n",
       "group \"g\": interval: not a valid duration string: \"1.5m\"", 3},
      {"bad limit", "groups:\n- name: g\n  limit: ten\n  rules: []\n",
       "group \"g\": limit: expected an integer, got \"ten\"", 3},
      {"rules not a list", "groups:\n- name: g\n  rules: {a: b}\n",
       "group \"g\": rules: expected a list of rules", 3},
      {"unknown rule key", Rule("  - alert: A\n    expr: up\n    summary: x\n"),
       "group \"db\", rule 1 (alert A): unknown key \"summary\"", 6},
      {"both alert and record", Rule("  - alert: A\n    record: b\n    expr: up\n"),
       "group \"db\", rule 1 (alert A): only one of 'record' and 'alert' must be set", 5},
      {"neither alert nor record", Rule("  - expr: up\n"),
       "group \"db\", rule 1: one of 'record' or 'alert' must be set", 4},
      {"no expr", Rule("  - alert: A\n    for: 1m\n"),
       "group \"db\", rule 1 (alert A): field 'expr' must be set in rule", 4},
      {"bad expr", Rule("  - alert: DatabaseDown\n    expr: up{job=\"db\"} ==\n"),
       "group \"db\", rule 1 (alert DatabaseDown): expr: 1:", 5},
      {"bad expr in the second rule",
       Rule("  - record: a\n    expr: up\n  - alert: B\n    expr: rate(up[5m]\n"),
       "group \"db\", rule 2 (alert B): expr: 1:", 7},
      {"bad for", Rule("  - alert: A\n    expr: up\n    for: 5 minutes\n"),
       "rule 1 (alert A): for: not a valid duration string: \"5 minutes\"", 6},
      {"bad keep_firing_for", Rule("  - alert: A\n    expr: up\n    keep_firing_for: 1x\n"),
       "rule 1 (alert A): keep_firing_for: not a valid duration string: \"1x\"", 6},
      {"recording rule with annotations",
       Rule("  - record: a\n    expr: up\n    annotations:\n      x: y\n"),
       "rule 1 (record a): invalid field 'annotations' in recording rule", 4},
      {"recording rule with for", Rule("  - record: a\n    expr: up\n    for: 1m\n"),
       "rule 1 (record a): invalid field 'for' in recording rule", 4},
      {"recording rule with keep_firing_for",
       Rule("  - record: a\n    expr: up\n    keep_firing_for: 1m\n"),
       "rule 1 (record a): invalid field 'keep_firing_for' in recording rule", 4},
      {"bad record name", Rule("  - record: job-up\n    expr: up\n"),
       "rule 1 (record job-up): invalid recording rule name: job-up", 4},
      {"bad label name", Rule("  - alert: A\n    expr: up\n    labels:\n      bad-name: x\n"),
       "rule 1 (alert A): invalid label name: bad-name", 7},
      {"__name__ label", Rule("  - alert: A\n    expr: up\n    labels:\n      __name__: x\n"),
       "rule 1 (alert A): invalid label name: __name__", 7},
      {"bad annotation name", Rule("  - alert: A\n    expr: up\n    annotations:\n      1st: x\n"),
       "rule 1 (alert A): invalid annotation name: 1st", 7},
      {"labels not a mapping", Rule("  - alert: A\n    expr: up\n    labels: [a]\n"),
       "rule 1 (alert A): labels: expected a mapping of names to values", 6},
      {"bad label template",
       Rule("  - alert: A\n    expr: up\n    labels:\n      x: \"{{ $labels.x \"\n"),
       "rule 1 (alert A): labels.x: ", 7},
      {"bad annotation template",
       Rule("  - alert: A\n    expr: up\n    annotations:\n      x: \"{{ nosuchfunc }}\"\n"),
       "rule 1 (alert A): annotations.x: ", 7},
      {"expr not a string", Rule("  - alert: A\n    expr: [up]\n"),
       "rule 1 (alert A): expr: expected a string", 5},
  };
  for (const BadFile& c : cases) {
    INFO(c.name);
    std::vector<GroupDef> groups;
    std::vector<std::string> errors;
    CHECK_FALSE(ParseRuleFile("x.yml", c.text, &groups, &errors));
    CHECK(groups.empty());
    REQUIRE(errors.size() == 1);
    INFO(errors[0]);
    CHECK(errors[0].find(c.message) != std::string::npos);
    CHECK(errors[0].rfind("x.yml:" + std::to_string(c.line) + ":", 0) == 0);
  }
}

TEST_CASE("ParseRuleFile: a recording rule's labels are not templates", "[rules]") {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  CHECK(ParseRuleFile("x.yml", Rule("  - record: a\n    expr: up\n    labels:\n      x: \"{{\"\n"),
                      &groups, &errors));
  CHECK(errors.empty());
}

TEST_CASE("ParseRuleFile: every problem of a file is reported, not only the first", "[rules]") {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  CHECK_FALSE(ParseRuleFile("x.yml",
                            Rule("  - alert: A\n    expr: up ==\n  - record: b c\n    expr: up\n"),
                            &groups, &errors));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("rule 1 (alert A): expr:") != std::string::npos);
  CHECK(errors[1].find("rule 2 (record b c): invalid recording rule name") != std::string::npos);
}

TEST_CASE("ParseRuleFile: an expression error gives its position inside the expression",
          "[rules]") {
  // promtool 2.42 says "p.yml: 5:11: ... could not parse expression: 1:20: ..." for this rule.
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  CHECK_FALSE(ParseRuleFile("x.yml", Rule("  - alert: A\n    expr: sum(up) by (job) +)\n"), &groups,
                            &errors));
  REQUIRE(errors.size() == 1);
  INFO(errors[0]);
  CHECK(errors[0].rfind("x.yml:5:11: group \"db\", rule 1 (alert A): expr: 1:20: ", 0) == 0);
}

TEST_CASE("LoadRuleFiles: globs are expanded against the base directory, sorted, deduplicated",
          "[rules]") {
  const std::string dir = testing::TestDataPath("rules/load");
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  CHECK(LoadRuleFiles({"b.yml", "*.yml", "nothing-*.yml"}, dir, &groups, &errors));
  CHECK(errors.empty());
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].name == "a");
  CHECK(groups[0].file == dir + "/a.yml");
  CHECK(groups[1].name == "b");
  CHECK(groups[1].interval_ms == 30000);
}

TEST_CASE("LoadRuleFiles: an absolute glob ignores the base directory", "[rules]") {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  CHECK(
      LoadRuleFiles({testing::TestDataPath("rules/load/a.yml")}, "/nonexistent", &groups, &errors));
  CHECK(groups.size() == 1);
}

TEST_CASE("LoadRuleFiles: a bad file is refused whole, the good ones still load", "[rules]") {
  const std::string dir = testing::TestDataPath("rules/load");
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  CHECK_FALSE(LoadRuleFiles({"*.yml", "*.yaml"}, dir, &groups, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].rfind(dir + "/bad.yaml:5:15: group \"bad\", rule 1 (alert Broken): expr: ", 0) ==
        0);
  CHECK(groups.size() == 2);
}

}  // namespace
}  // namespace sidecar::rules
