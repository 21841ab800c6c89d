// promtool's rule unit-test files (`promtool test rules`, Prometheus 2.42): which rule files to
// load, the evaluation interval and group order, and per test group the input series (in the
// expanding notation, see series_notation.h), the alerts expected firing at given times and
// the PromQL expressions with their expected samples. Decoded as Go's yaml.UnmarshalStrict
// would: unknown or repeated keys are errors, and so are values of the wrong type.
//
// Pure functions (no file access: rule_files are resolved by the runner); thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/status.h"

namespace sidecar::rules {

struct InputSeries {
  std::string series;  // up{job="a"}
  std::string values;  // 1+1x10 _ stale
};

struct ExpectedAlert {
  std::map<std::string, std::string> labels;  // without alertname: the runner adds it
  std::map<std::string, std::string> annotations;
};

struct AlertTestCase {
  int64_t eval_time_ms = 0;
  std::string alertname;
  std::vector<ExpectedAlert> exp_alerts;
};

struct ExpectedSample {
  std::string labels;  // series notation, may be "" or "{}"
  double value = 0;
};

struct PromqlTestCase {
  std::string expr;
  int64_t eval_time_ms = 0;
  std::vector<ExpectedSample> exp_samples;
};

struct TestGroup {
  int64_t interval_ms = 0;  // between input samples; 0 puts them all at time 0, as promtool
  std::vector<InputSeries> input_series;
  std::vector<AlertTestCase> alert_rule_tests;
  std::vector<PromqlTestCase> promql_expr_tests;
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  std::string name;
};

struct UnitTestFile {
  std::vector<std::string> rule_files;         // as written: globs, relative to the test file
  int64_t evaluation_interval_ms = 60 * 1000;  // 1m when absent or 0
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

// Parses a test file's text. The error message has promtool's wording where it can:
//   yaml: unmarshal errors:
//     line 4: field bogus not found in type main.testGroup
Result<UnitTestFile> ParseUnitTestFile(std::string_view text);

// Prometheus' model.Duration: "1h30m", "90s", "2d", "0"; units y w d h m s ms in that order.
Result<int64_t> ParseModelDuration(std::string_view text);
// model.Duration's String(): 5m, 1h30m, 1w, 0s.
std::string FormatModelDuration(int64_t ms);
// Go's time.Duration String() for whole milliseconds: 5m0s, 1h0m0s, 1.5s, 0s.
std::string FormatGoDuration(int64_t ms);

}  // namespace sidecar::rules
