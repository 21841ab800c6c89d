// The syntax tree of a PromQL expression, as the parser builds it and the engine walks it.
// Node kinds mirror Prometheus' promql/parser/ast.go for the subset the agent evaluates;
// anything else (subqueries, the @ modifier, unknown functions) never reaches a tree, the
// parser refuses it by name.
//
// Immutable after parsing: safe to share between threads for reading.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/promql/storage.h"
#include "agent/promql/value.h"

namespace sidecar::promql {

// Byte offsets into the expression text, [start, end).
struct PositionRange {
  int start = 0;
  int end = 0;
};

enum class ExprKind {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kCall,
  kAggregate,
  kBinary,
  kUnary,
  kParen,
};

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  ExprKind kind;
  ValueType type = ValueType::kScalar;  // what it evaluates to, set by the parser
  PositionRange pos;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(ExprKind::kNumber) {}
  double value = 0;
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(ExprKind::kString) {}
  std::string value;
};

struct VectorSelector : Expr {
  VectorSelector() : Expr(ExprKind::kVectorSelector) {}
  std::string name;       // "" when only matchers were given: {job="x"}
  Matchers matchers;      // includes __name__="name" when a name was given
  int64_t offset_ms = 0;  // `offset 5m`; negative for `offset -5m`
};

struct MatrixSelector : Expr {
  MatrixSelector() : Expr(ExprKind::kMatrixSelector) {}
  std::unique_ptr<VectorSelector> selector;  // carries the offset
  int64_t range_ms = 0;                      // `[5m]`
};

// One of the functions the engine implements, as the parser knows it.
struct Function {
  std::string_view name;
  std::vector<ValueType> arg_types;
  int optional_args = 0;  // trailing args that may be left out (e.g. round's to_nearest)
  bool variadic = false;  // the last arg type may repeat (label_join)
  ValueType return_type = ValueType::kVector;
};
// nullptr when the agent does not implement `name` (the parser then names it in its error).
const Function* LookupFunction(std::string_view name);

struct Call : Expr {
  Call() : Expr(ExprKind::kCall) {}
  const Function* func = nullptr;
  std::vector<ExprPtr> args;
};

enum class AggregateOp {
  kSum,
  kAvg,
  kMin,
  kMax,
  kCount,
  kGroup,
  kStddev,
  kStdvar,
  kTopK,
  kBottomK,
  kQuantile,
  kCountValues,
};
std::string_view AggregateOpName(AggregateOp op);  // "sum", "count_values", ...

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(ExprKind::kAggregate) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk k, quantile φ, count_values label; else null
  std::vector<std::string> grouping;
  bool without = false;
};

enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,  // arithmetic
  kEql,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,  // comparison
  kAnd,
  kOr,
  kUnless,  // set operators (vector/vector only)
};
std::string_view BinaryOpName(BinaryOp op);  // "+", "==", "unless", ...
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);

struct VectorMatching {
  enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Cardinality card = Cardinality::kOneToOne;  // set operators are always kManyToMany
  std::vector<std::string> labels;            // of on(...) or ignoring(...)
  bool on = false;                            // on(...) rather than ignoring(...)
  std::vector<std::string> include;           // of group_left(...) / group_right(...)
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;                // comparison with `bool`
  std::optional<VectorMatching> matching;  // set when both sides are instant vectors
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(ExprKind::kUnary) {}
  bool negate = false;  // `-x` (a leading `+` leaves it false)
  ExprPtr expr;
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(ExprKind::kParen) {}
  ExprPtr expr;
};

// The expression in Prometheus' canonical form (as its String() prints it):
// sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0.1
std::string FormatExpr(const Expr& expr);

}  // namespace sidecar::promql
