// The type checks of Prometheus 2.42's checkAST (promql/parser/parse.go), in its order, so that
// the first error reported is the one Prometheus reports.
#include <algorithm>
#include <string>

#include "agent/promql/lexer.h"
#include "agent/promql/parser_internal.h"

namespace sidecar::promql {
namespace {

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Checker {
 public:
  Checker(std::string_view text, ParseError* error) : text_(text), error_(error) {}

  // The node's type, or nullopt after recording the first error.
  bool Check(Expr& expr) {
    switch (expr.kind) {
      case ExprKind::kNumber:
        expr.type = ValueType::kScalar;
        return true;
      case ExprKind::kString:
        expr.type = ValueType::kString;
        return true;
      case ExprKind::kVectorSelector:
        return CheckSelector(static_cast<VectorSelector&>(expr));
      case ExprKind::kMatrixSelector: {
        auto& matrix = static_cast<MatrixSelector&>(expr);
        matrix.type = ValueType::kMatrix;
        return CheckSelector(*matrix.selector);
      }
      case ExprKind::kCall:
        return CheckCall(static_cast<Call&>(expr));
      case ExprKind::kAggregate:
        return CheckAggregate(static_cast<AggregateExpr&>(expr));
      case ExprKind::kBinary:
        return CheckBinary(static_cast<BinaryExpr&>(expr));
      case ExprKind::kUnary: {
        auto& unary = static_cast<UnaryExpr&>(expr);
        if (!Check(*unary.expr)) return false;
        unary.type = unary.expr->type;
        if (unary.type != ValueType::kScalar && unary.type != ValueType::kVector) {
          return Fail(unary.pos,
                      "unary expression only allowed on expressions of type scalar or instant "
                      "vector, got " +
                          GoQuote(ValueTypeName(unary.type)));
        }
        return true;
      }
      case ExprKind::kParen: {
        auto& paren = static_cast<ParenExpr&>(expr);
        if (!Check(*paren.expr)) return false;
        paren.type = paren.expr->type;
        return true;
      }
    }
    return true;
  }

 private:
  bool Fail(PositionRange pos, std::string message) {
    error_->pos = pos;
    error_->message = std::move(message);
    return false;
  }

  bool ExpectType(Expr& expr, ValueType want, std::string_view context) {
    if (!Check(expr)) return false;
    if (expr.type != want) {
      return Fail(expr.pos, "expected type " + std::string(ValueTypeName(want)) + " in " +
                                std::string(context) + ", got " +
                                std::string(ValueTypeName(expr.type)));
    }
    return true;
  }

  bool CheckSelector(VectorSelector& selector) {
    selector.type = ValueType::kVector;
    if (!selector.name.empty()) {
      // The last matcher is the one the name implies.
      for (size_t i = 0; i + 1 < selector.matchers.size(); ++i) {
        if (selector.matchers[i].name() == kMetricName) {
          return Fail(selector.pos, "metric name must not be set twice: " + GoQuote(selector.name) +
                                        " or " + GoQuote(selector.matchers[i].value()));
        }
      }
      return true;
    }
    for (const LabelMatcher& matcher : selector.matchers) {
      if (!matcher.Matches("")) return true;
    }
    return Fail(selector.pos, "vector selector must contain at least one non-empty matcher");
  }

  bool CheckCall(Call& call) {
    const Function& func = *call.func;
    call.type = func.return_type;
    const size_t declared = func.arg_types.size();
    const size_t given = call.args.size();
    const std::string name = GoQuote(func.name);
    if (func.optional_args == 0 && !func.variadic) {
      if (given != declared) {
        return Fail(call.pos, "expected " + std::to_string(declared) + " argument(s) in call to " +
                                  name + ", got " + std::to_string(given));
      }
    } else {
      const size_t min = declared - func.optional_args - (func.variadic ? 1 : 0);
      if (given < min) {
        return Fail(call.pos, "expected at least " + std::to_string(min) +
                                  " argument(s) in call to " + name + ", got " +
                                  std::to_string(given));
      }
      if (!func.variadic && given > declared) {
        return Fail(call.pos, "expected at most " + std::to_string(declared) +
                                  " argument(s) in call to " + name + ", got " +
                                  std::to_string(given));
      }
    }
    const std::string context = "call to function " + name;
    for (size_t i = 0; i < given; ++i) {
      const size_t index = std::min(i, declared - 1);
      if (!ExpectType(*call.args[i], func.arg_types[index], context)) return false;
    }
    return true;
  }

  bool CheckAggregate(AggregateExpr& aggregate) {
    aggregate.type = ValueType::kVector;
    if (!ExpectType(*aggregate.expr, ValueType::kVector, "aggregation expression")) return false;
    switch (aggregate.op) {
      case AggregateOp::kTopK:
      case AggregateOp::kBottomK:
      case AggregateOp::kQuantile:
        return ExpectType(*aggregate.param, ValueType::kScalar, "aggregation parameter");
      case AggregateOp::kCountValues:
        return ExpectType(*aggregate.param, ValueType::kString, "aggregation parameter");
      default:
        return true;
    }
  }

  // The operator between the operands, without the surrounding spaces.
  PositionRange OperatorRange(const BinaryExpr& binary) const {
    int start = binary.lhs->pos.end;
    int end = binary.rhs->pos.start;
    while (start < end && IsSpaceChar(text_[start])) ++start;
    while (end > start && IsSpaceChar(text_[end - 1])) --end;
    return {start, end};
  }

  bool CheckBinary(BinaryExpr& binary) {
    if (!Check(*binary.lhs) || !Check(*binary.rhs)) return false;
    const ValueType lt = binary.lhs->type;
    const ValueType rt = binary.rhs->type;
    binary.type = lt == ValueType::kScalar && rt == ValueType::kScalar ? ValueType::kScalar
                                                                       : ValueType::kVector;
    const bool comparison = IsComparison(binary.op);
    const bool set_operator = IsSetOperator(binary.op);
    const std::string op_name = GoQuote(BinaryOpName(binary.op));
    if (binary.return_bool && !comparison) {
      return Fail(OperatorRange(binary), "bool modifier can only be used on comparison operators");
    }
    if (comparison && !binary.return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
      return Fail(OperatorRange(binary), "comparisons between scalars must use BOOL modifier");
    }
    VectorMatching& matching = *binary.matching;
    using Card = VectorMatching::Cardinality;
    if (set_operator && matching.card == Card::kOneToOne) matching.card = Card::kManyToMany;
    if (matching.on) {
      for (const std::string& label : matching.labels) {
        for (const std::string& include : matching.include) {
          if (label == include) {
            return Fail(
                OperatorRange(binary),
                "label " + GoQuote(label) + " must not occur in ON and GROUP clause at once");
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      return Fail(binary.lhs->pos,
                  "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      return Fail(binary.rhs->pos,
                  "binary expression must contain only scalar and instant vector types");
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (!matching.labels.empty()) {
        return Fail(binary.pos, "vector matching only allowed between instant vectors");
      }
      binary.matching.reset();
    } else if (set_operator &&
               (matching.card == Card::kOneToMany || matching.card == Card::kManyToOne)) {
      return Fail(binary.pos, "no grouping allowed for " + op_name + " operation");
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && set_operator) {
      return Fail(binary.pos,
                  "set operator " + op_name + " not allowed in binary scalar expression");
    }
    return true;
  }

  std::string_view text_;
  ParseError* error_;
};

}  // namespace

bool CheckExpr(Expr& expr, std::string_view text, ParseError* error) {
  return Checker(text, error).Check(expr);
}

}  // namespace sidecar::promql
