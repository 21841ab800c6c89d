// What parser.cc shares with parser_check.cc: the depth bound and the type checker.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "agent/promql/ast.h"
#include "agent/promql/parser.h"

namespace sidecar::promql {

// Deepest expression tree (and parser recursion) accepted; the checker, the printer and the
// engine recurse over the tree, so this bounds their stack use.
inline constexpr int kMaxDepth = 1000;

// Prometheus' checkAST: sets Expr::type on every node, fills in (or drops) BinaryExpr::matching,
// and reports the first type error as Prometheus words and places it. `text` is the expression
// the tree was parsed from (for operator positions).
bool CheckExpr(Expr& expr, std::string_view text, ParseError* error);

}  // namespace sidecar::promql
