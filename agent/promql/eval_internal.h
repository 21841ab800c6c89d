// Internals of the PromQL evaluator shared by engine.cc and the eval_*.cc files: the Evaluator
// (one instant evaluation over one Queryable) and the helpers its parts use. Not part of the
// promql contract; include engine.h instead.
//
// An Evaluator is single-use and thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/status.h"
#include "agent/promql/ast.h"
#include "agent/promql/engine.h"
#include "agent/promql/storage.h"
#include "agent/promql/value.h"

namespace sidecar::promql::internal {

class Evaluator {
 public:
  Evaluator(const Queryable& storage, Timestamp t, const EvalOptions& options)
      : storage_(storage), t_(t), options_(options) {}

  Timestamp time() const { return t_; }

  // Any expression; vectors carry the evaluation time as sample time.
  Result<Value> Eval(const Expr& expr);
  // For expressions the parser typed as instant vector / scalar.
  Result<Vector> EvalVector(const Expr& expr);
  Result<double> EvalScalar(const Expr& expr);

  // The newest non-stale sample of each matching series in [t - offset - lookback, t - offset].
  // With keep_sample_time the samples carry their own timestamps (for timestamp()), else t.
  Vector SelectVector(const VectorSelector& selector, bool keep_sample_time);
  // Each matching series' non-stale points in [t - offset - range, t - offset]; series without
  // any are left out.
  Matrix SelectMatrix(const MatrixSelector& selector);

 private:
  const Queryable& storage_;
  Timestamp t_;
  EvalOptions options_;
};

// The parts of Evaluator::Eval, one per node kind, in their own files.
Result<Value> EvalCall(Evaluator& ev, const Call& call);              // eval_functions.cc
Result<Vector> EvalAggregate(Evaluator& ev, const AggregateExpr& e);  // eval_aggregate.cc
Result<Value> EvalBinary(Evaluator& ev, const BinaryExpr& e);         // eval_binary.cc
// A call whose argument `matrix_arg` is a range vector (rate, *_over_time, ...).
Result<Value> EvalRangeCall(Evaluator& ev, const Call& call, size_t matrix_arg);  // eval_range_*

// eval_labels.cc: label_replace / label_join over an evaluated vector (string arguments are
// read from the call), and the labels absent()/absent_over_time() derive from a selector.
Result<Vector> LabelReplace(const Call& call, Vector in);
Result<Vector> LabelJoin(const Call& call, Vector in);
Labels AbsentLabels(const Expr& arg);
// The value of a string-literal argument (parentheses seen through).
const std::string& StringArg(const Expr& arg);

// Prometheus' check after every step: "vector cannot contain metrics with the same labelset".
Status CheckUniqueLabelsets(const Vector& vector);

// `(expr)` and `((expr))` seen through, as Prometheus' unwrapParenExpr.
const Expr& UnwrapParens(const Expr& expr);

// Go's strconv.Quote for the ASCII range (error messages name values as Go prints them).
std::string GoQuote(std::string_view text);
// Go's labels.Labels.String(): {__name__="up", job="a"} (the name is an ordinary label).
std::string GoLabelsString(const Labels& labels);
// model.LabelName.IsValid: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);

// Hash of the labels selected by on(names) / ignoring(names) (ignoring also drops __name__),
// as Prometheus' signatureFunc; equal sets give equal hashes.
uint64_t HashLabelsWithout(const Labels& labels, std::string_view name);
uint64_t MatchingSignature(const Labels& labels, bool on, const std::vector<std::string>& names);

// Prometheus' less-than for sorting by value with NaN first, as a strict weak order.
inline bool NaNFirstLess(double a, double b) {
  if (a != a) return b == b;
  if (b != b) return false;
  return a < b;
}

}  // namespace sidecar::promql::internal
