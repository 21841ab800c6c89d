#include "agent/promql/ast.h"

#include <algorithm>
#include <cmath>

#include "agent/promql/lexer.h"

namespace sidecar::promql {
namespace {

constexpr ValueType kScalar = ValueType::kScalar;
constexpr ValueType kVector = ValueType::kVector;
constexpr ValueType kMatrix = ValueType::kMatrix;
constexpr ValueType kString = ValueType::kString;

// Signatures as in Prometheus 2.42's promql/parser/functions.go; Variadic 1 there is
// optional_args 1 here, Variadic -1 (label_join) is variadic.
const Function kFunctions[] = {
    {"abs", {kVector}},
    {"absent", {kVector}},
    {"absent_over_time", {kMatrix}},
    {"avg_over_time", {kMatrix}},
    {"ceil", {kVector}},
    {"changes", {kMatrix}},
    {"clamp", {kVector, kScalar, kScalar}},
    {"clamp_max", {kVector, kScalar}},
    {"clamp_min", {kVector, kScalar}},
    {"count_over_time", {kMatrix}},
    {"day_of_month", {kVector}, 1},
    {"day_of_week", {kVector}, 1},
    {"days_in_month", {kVector}, 1},
    {"delta", {kMatrix}},
    {"deriv", {kMatrix}},
    {"exp", {kVector}},
    {"floor", {kVector}},
    {"histogram_quantile", {kScalar, kVector}},
    {"hour", {kVector}, 1},
    {"idelta", {kMatrix}},
    {"increase", {kMatrix}},
    {"irate", {kMatrix}},
    {"label_join", {kVector, kString, kString, kString}, 0, true},
    {"label_replace", {kVector, kString, kString, kString, kString}},
    {"last_over_time", {kMatrix}},
    {"ln", {kVector}},
    {"log10", {kVector}},
    {"log2", {kVector}},
    {"max_over_time", {kMatrix}},
    {"min_over_time", {kMatrix}},
    {"minute", {kVector}, 1},
    {"month", {kVector}, 1},
    {"predict_linear", {kMatrix, kScalar}},
    {"present_over_time", {kMatrix}},
    {"quantile_over_time", {kScalar, kMatrix}},
    {"rate", {kMatrix}},
    {"resets", {kMatrix}},
    {"round", {kVector, kScalar}, 1},
    {"scalar", {kVector}, 0, false, kScalar},
    {"sgn", {kVector}},
    {"sort", {kVector}},
    {"sort_desc", {kVector}},
    {"sqrt", {kVector}},
    {"stddev_over_time", {kMatrix}},
    {"stdvar_over_time", {kMatrix}},
    {"sum_over_time", {kMatrix}},
    {"time", {}, 0, false, kScalar},
    {"timestamp", {kVector}},
    {"vector", {kScalar}},
    {"year", {kVector}, 1},
};

void Append(std::string& out, const Expr& expr);

std::string FormatOffset(int64_t offset_ms) {
  if (offset_ms > 0) return " offset " + FormatDurationMs(offset_ms);
  if (offset_ms < 0) return " offset -" + FormatDurationMs(-offset_ms);
  return "";
}

// VectorSelector.String() without the offset: name{matchers sorted as text}, leaving out the
// __name__ matcher the name itself implies.
std::string FormatSelector(const VectorSelector& selector) {
  std::vector<std::string> matchers;
  for (const LabelMatcher& matcher : selector.matchers) {
    if (matcher.name() == kMetricName && matcher.type() == LabelMatcher::Type::kEqual &&
        matcher.value() == selector.name) {
      continue;
    }
    std::string text = matcher.name();
    switch (matcher.type()) {
      case LabelMatcher::Type::kEqual:
        text += "=";
        break;
      case LabelMatcher::Type::kNotEqual:
        text += "!=";
        break;
      case LabelMatcher::Type::kRegexMatch:
        text += "=~";
        break;
      case LabelMatcher::Type::kRegexNoMatch:
        text += "!~";
        break;
    }
    text += GoQuote(matcher.value());
    matchers.push_back(std::move(text));
  }
  if (matchers.empty()) return selector.name;
  std::sort(matchers.begin(), matchers.end());
  std::string out = selector.name + "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ",";
    out += matchers[i];
  }
  return out + "}";
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out = "(";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i];
  }
  return out + ")";
}

void AppendBinary(std::string& out, const BinaryExpr& binary) {
  // Prometheus prints the literal Inf as "+Inf", which in front of `^` would parse back as
  // +(Inf ^ ...); there alone it is printed "Inf" so that the text parses to the same tree.
  if (binary.op == BinaryOp::kPow && binary.lhs->kind == ExprKind::kNumber &&
      static_cast<const NumberLiteral&>(*binary.lhs).value > 0 &&
      std::isinf(static_cast<const NumberLiteral&>(*binary.lhs).value)) {
    out += "Inf";
  } else {
    Append(out, *binary.lhs);
  }
  out += " ";
  out += BinaryOpName(binary.op);
  if (binary.return_bool) out += " bool";
  if (const auto& m = binary.matching; m && (!m->labels.empty() || m->on)) {
    out += m->on ? " on " : " ignoring ";
    out += JoinLabels(m->labels);
    if (m->card == VectorMatching::Cardinality::kManyToOne) {
      out += " group_left " + JoinLabels(m->include);
    } else if (m->card == VectorMatching::Cardinality::kOneToMany) {
      out += " group_right " + JoinLabels(m->include);
    }
  }
  out += " ";
  Append(out, *binary.rhs);
}

void AppendAggregate(std::string& out, const AggregateExpr& aggregate) {
  out += AggregateOpName(aggregate.op);
  if (aggregate.without) {
    out += " without " + JoinLabels(aggregate.grouping) + " ";
  } else if (!aggregate.grouping.empty()) {
    out += " by " + JoinLabels(aggregate.grouping) + " ";
  }
  out += "(";
  if (aggregate.param) {
    Append(out, *aggregate.param);
    out += ", ";
  }
  Append(out, *aggregate.expr);
  out += ")";
}

void Append(std::string& out, const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kNumber:
      out += FormatValue(static_cast<const NumberLiteral&>(expr).value);
      return;
    case ExprKind::kString:
      out += GoQuote(static_cast<const StringLiteral&>(expr).value);
      return;
    case ExprKind::kVectorSelector: {
      const auto& selector = static_cast<const VectorSelector&>(expr);
      out += FormatSelector(selector) + FormatOffset(selector.offset_ms);
      return;
    }
    case ExprKind::kMatrixSelector: {
      const auto& matrix = static_cast<const MatrixSelector&>(expr);
      out += FormatSelector(*matrix.selector) + "[" + FormatDurationMs(matrix.range_ms) + "]" +
             FormatOffset(matrix.selector->offset_ms);
      return;
    }
    case ExprKind::kCall: {
      const auto& call = static_cast<const Call&>(expr);
      out += call.func != nullptr ? call.func->name : "";
      out += "(";
      for (size_t i = 0; i < call.args.size(); ++i) {
        if (i > 0) out += ", ";
        Append(out, *call.args[i]);
      }
      out += ")";
      return;
    }
    case ExprKind::kAggregate:
      AppendAggregate(out, static_cast<const AggregateExpr&>(expr));
      return;
    case ExprKind::kBinary:
      AppendBinary(out, static_cast<const BinaryExpr&>(expr));
      return;
    case ExprKind::kUnary: {
      const auto& unary = static_cast<const UnaryExpr&>(expr);
      out += unary.negate ? "-" : "+";
      Append(out, *unary.expr);
      return;
    }
    case ExprKind::kParen:
      out += "(";
      Append(out, *static_cast<const ParenExpr&>(expr).expr);
      out += ")";
      return;
  }
}

}  // namespace

const Function* LookupFunction(std::string_view name) {
  for (const Function& function : kFunctions) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

std::string_view AggregateOpName(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopK:
      return "topk";
    case AggregateOp::kBottomK:
      return "bottomk";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kCountValues:
      return "count_values";
  }
  return "sum";
}

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "+";
}

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

std::string FormatExpr(const Expr& expr) {
  std::string out;
  Append(out, expr);
  return out;
}

}  // namespace sidecar::promql
