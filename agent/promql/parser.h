// The PromQL parser: text to syntax tree, with Prometheus 2.x's grammar, precedence and
// type checks for the subset the agent evaluates. Constructs outside it (subqueries, the @
// modifier, unsupported functions or aggregations) are refused with a message that names them,
// so a rule is never silently misevaluated.
//
// Pure functions; thread-safe. Linear in the input; never crashes or loops on any input
// (tests/fuzz/promql_fuzz.cc).
#pragma once

#include <string>
#include <string_view>

#include "agent/promql/ast.h"

namespace sidecar::promql {

struct ParseError {
  PositionRange pos;    // where in the expression text
  std::string message;  // "unexpected \")\"", "function \"holt_winters\" is not supported"
};

// Returns the tree, or nullptr with `*error` filled.
ExprPtr ParseExpr(std::string_view text, ParseError* error);

// Parses a selector alone (promtool's input_series: `up{job="a"}`) into its label set.
// The name, if any, becomes __name__; only `=` matchers are allowed.
bool ParseSeriesLabels(std::string_view text, Labels* labels, ParseError* error);

// 1-based line and column of a byte offset in `text` (expressions may span lines in YAML).
struct LineColumn {
  int line = 1;
  int column = 1;
};
LineColumn LineColumnAt(std::string_view text, int offset);

}  // namespace sidecar::promql
