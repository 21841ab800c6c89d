// The PromQL evaluator: an instant query (what rules and promtool's unit tests run) over a
// Queryable, with Prometheus 2.x semantics exactly: a 5 minute lookback for instant selectors
// with both window ends inclusive, staleness markers, extrapolation in rate/increase/delta,
// counter resets, one-to-one and group_left/group_right matching, and its runtime errors
// ("many-to-many matching not allowed", "vector cannot contain metrics with the same labelset").
//
// Pure with respect to its inputs; thread-safe as long as the Queryable is read-safe.
#pragma once

#include <cstdint>

#include "agent/common/status.h"
#include "agent/promql/ast.h"
#include "agent/promql/storage.h"
#include "agent/promql/value.h"

namespace sidecar::promql {

struct EvalOptions {
  int64_t lookback_ms = 5 * 60 * 1000;  // Prometheus' --query.lookback-delta
};

// Evaluates `expr` at time `t`. A runtime error is an InvalidArgument with Prometheus' wording.
Result<Value> Evaluate(const Expr& expr, const Queryable& storage, Timestamp t,
                       const EvalOptions& options = {});

// The window an expression reads, back from the evaluation time: the largest range plus offset
// plus lookback. The agent keeps that much of each series.
int64_t MaxLookbackMs(const Expr& expr, const EvalOptions& options = {});

}  // namespace sidecar::promql
