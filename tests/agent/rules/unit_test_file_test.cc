#include "agent/rules/unit_test_file.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace sidecar::rules {
namespace {

TEST_CASE("ParseUnitTestFile: reads every field of promtool's format", "[rules][unittest]") {
  const char* text = R"(
rule_files: [alerts.yml, 'more/*.yml']
evaluation_interval: 30s
group_eval_order: [first, second]
tests:
  - interval: 1m
    name: db down
    input_series:
      - series: 'up{job="db"}'
        values: '1 0x5 _ stale'
      - series: empty
    alert_rule_test:
      - eval_time: 5m
        alertname: DatabaseDown
        exp_alerts:
          - exp_labels: {severity: page, job: db}
            exp_annotations:
              summary: "db down"
      - eval_time: 1h30m
        alertname: DatabaseDown
    promql_expr_test:
      - expr: up == 0
        eval_time: 2m
        exp_samples:
          - labels: 'up{job="db"}'
            value: 0
          - labels: '{}'
            value: 1.5e3
          - value: .inf
          - value: 0x10
    external_labels:
      region: eu
    external_url: http://prom.example
  - input_series:
)";
  auto file = ParseUnitTestFile(text);
  REQUIRE(file.ok());
  CHECK(file->rule_files == std::vector<std::string>{"alerts.yml", "more/*.yml"});
  CHECK(file->evaluation_interval_ms == 30000);
  CHECK(file->group_eval_order == std::vector<std::string>{"first", "second"});
  REQUIRE(file->tests.size() == 2);
  const TestGroup& g = file->tests[0];
  CHECK(g.interval_ms == 60000);
  CHECK(g.name == "db down");
  REQUIRE(g.input_series.size() == 2);
  CHECK(g.input_series[0].series == "up{job=\"db\"}");
  CHECK(g.input_series[0].values == "1 0x5 _ stale");
  CHECK(g.input_series[1].values.empty());
  REQUIRE(g.alert_rule_tests.size() == 2);
  CHECK(g.alert_rule_tests[0].eval_time_ms == 300000);
  CHECK(g.alert_rule_tests[0].alertname == "DatabaseDown");
  REQUIRE(g.alert_rule_tests[0].exp_alerts.size() == 1);
  CHECK(g.alert_rule_tests[0].exp_alerts[0].labels ==
        std::map<std::string, std::string>{{"job", "db"}, {"severity", "page"}});
  CHECK(g.alert_rule_tests[0].exp_alerts[0].annotations.at("summary") == "db down");
  CHECK(g.alert_rule_tests[1].eval_time_ms == 5400000);
  CHECK(g.alert_rule_tests[1].exp_alerts.empty());
  REQUIRE(g.promql_expr_tests.size() == 1);
  const PromqlTestCase& e = g.promql_expr_tests[0];
  CHECK(e.expr == "up == 0");
  CHECK(e.eval_time_ms == 120000);
  REQUIRE(e.exp_samples.size() == 4);
  CHECK(e.exp_samples[1].labels == "{}");
  CHECK(e.exp_samples[1].value == 1500);
  CHECK(std::isinf(e.exp_samples[2].value));
  CHECK(e.exp_samples[3].value == 16);
  CHECK(g.external_labels.at("region") == "eu");
  CHECK(g.external_url == "http://prom.example");
  CHECK(file->tests[1].interval_ms == 0);
}

TEST_CASE("ParseUnitTestFile: an absent evaluation_interval is one minute", "[rules][unittest]") {
  auto file = ParseUnitTestFile("tests: []\n");
  REQUIRE(file.ok());
  CHECK(file->evaluation_interval_ms == 60000);
  auto empty = ParseUnitTestFile("");
  REQUIRE(empty.ok());
  CHECK(empty->tests.empty());
}

TEST_CASE("ParseUnitTestFile: refuses what yaml.UnmarshalStrict refuses, with promtool's words",
          "[rules][unittest]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"rule_files: [x.yml]\ntests:\n - interval: 1m\n   bogus: 1\n",
       "yaml: unmarshal errors:\n  line 4: field bogus not found in type main.testGroup"},
      {"tests:\n - interval: 1m\n   interval: 2m\n",
       "yaml: unmarshal errors:\n  line 3: field interval already set in type main.testGroup"},
      {"evaluation_interval: 5x\n", "not a valid duration string: \"5x\""},
      {"evaluation_interval: 300\n", "not a valid duration string: \"300\""},
      {"tests:\n - promql_expr_test:\n   - exp_samples:\n     - value: abc\n",
       "yaml: unmarshal errors:\n  line 4: cannot unmarshal !!str `abc` into float64"},
      {"tests:\n - promql_expr_test:\n   - exp_samples:\n     - value: '1'\n",
       "yaml: unmarshal errors:\n  line 4: cannot unmarshal !!str `1` into float64"},
      {"rule_files: x.yml\n",
       "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `x.yml` into []string"},
      {"tests: {a: 1}\n",
       "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into []main.testGroup"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto file = ParseUnitTestFile(c.text);
    REQUIRE_FALSE(file.ok());
    CHECK(file.status().message() == c.message);
  }
  auto broken = ParseUnitTestFile("foo: [\n");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().message().rfind("yaml: line ", 0) == 0);
}

TEST_CASE("ParseModelDuration and the formatters: Prometheus' and Go's duration strings",
          "[rules][unittest]") {
  struct Case {
    const char* text;
    int64_t ms;
    const char* model;
    const char* go;
  };
  const Case cases[] = {
      {"0", 0, "0s", "0s"},
      {"0s", 0, "0s", "0s"},
      {"90s", 90000, "1m30s", "1m30s"},
      {"1h30m", 5400000, "1h30m", "1h30m0s"},
      {"5m", 300000, "5m", "5m0s"},
      {"1d", 86400000, "1d", "24h0m0s"},
      {"7d", 604800000, "1w", "168h0m0s"},
      {"1500ms", 1500, "1s500ms", "1.5s"},
      {"250ms", 250, "250ms", "250ms"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto d = ParseModelDuration(c.text);
    REQUIRE(d.ok());
    CHECK(*d == c.ms);
    CHECK(FormatModelDuration(c.ms) == c.model);
    CHECK(FormatGoDuration(c.ms) == c.go);
  }
  CHECK_FALSE(ParseModelDuration("").ok());
  CHECK_FALSE(ParseModelDuration("1m1h").ok());
  CHECK_FALSE(ParseModelDuration("-5m").ok());
  CHECK_FALSE(ParseModelDuration("1.5m").ok());
}

}  // namespace
}  // namespace sidecar::rules
