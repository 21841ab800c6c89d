// `agent --test-rules FILE...`: runs promtool's rule unit-test files (see unit_test_file.h) the
// way Prometheus 2.42's `promtool test rules` does, and prints the same report:
//
//   Unit Testing:  tests/db.test.yml
//     FAILED:
//       alertname: DatabaseDown, time: 5m,
//           exp:[ ... ],
//           got:[]
//
// Per test group: the input series go into a promql::MemoryStorage step by step; the rule
// files are loaded with the group's external labels and URL; every evaluation_interval from 0
// to the largest eval_time the groups are evaluated (in group_eval_order), alert tests are
// checked against the firing alerts of the last evaluation at or before their eval_time, and
// the PromQL tests are evaluated at the end over everything recorded.
//
// Thread-compatible: one run at a time per output stream.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "agent/rules/unit_test_file.h"

namespace sidecar::rules {

// Exit codes of --test-rules.
inline constexpr int kUnitTestsPassed = 0;
inline constexpr int kUnitTestsFailed = 1;   // a test did not get what it expected
inline constexpr int kUnitTestsInvalid = 2;  // a file could not be read, parsed or loaded

// The outcome of one test file.
struct UnitTestFileResult {
  bool invalid = false;             // the tests could not run as written
  std::vector<std::string> errors;  // one block per failure, in promtool's wording
  std::vector<std::string> warnings;
};

// Runs one parsed file; `dir` is the directory that relative rule_files are resolved against.
UnitTestFileResult RunUnitTestFile(const UnitTestFile& file, const std::string& dir);

// Reads, runs and reports every file; returns one of the exit codes above (the worst).
int RunRuleUnitTests(const std::vector<std::string>& paths, std::FILE* out = stdout,
                     std::FILE* err = stderr);

}  // namespace sidecar::rules
