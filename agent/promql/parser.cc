// A recursive-descent (precedence-climbing) rendering of Prometheus 2.42's yacc grammar
// (promql/parser/generated_parser.y). Prometheus collects errors and reports the first one; this
// parser stops at the first one instead, raising it at the point where the yacc parser would have
// recorded it, so that the reported error is the same.
#include "agent/promql/parser.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "agent/promql/lexer.h"
#include "agent/promql/parser_internal.h"

namespace sidecar::promql {
namespace {

// Binary operator precedence, lowest first, as the %left/%right lines of the grammar.
enum Precedence { kNone = 0, kOr, kAndUnless, kComparison, kAddSub, kMulDiv, kPow };

struct BinaryToken {
  TokenType token;
  BinaryOp op;
  int precedence;
};

constexpr BinaryToken kBinaryTokens[] = {
    {TokenType::kLor, BinaryOp::kOr, kOr},
    {TokenType::kLand, BinaryOp::kAnd, kAndUnless},
    {TokenType::kLunless, BinaryOp::kUnless, kAndUnless},
    {TokenType::kEqlc, BinaryOp::kEql, kComparison},
    {TokenType::kNeq, BinaryOp::kNeq, kComparison},
    {TokenType::kLte, BinaryOp::kLte, kComparison},
    {TokenType::kLss, BinaryOp::kLss, kComparison},
    {TokenType::kGte, BinaryOp::kGte, kComparison},
    {TokenType::kGtr, BinaryOp::kGtr, kComparison},
    {TokenType::kAdd, BinaryOp::kAdd, kAddSub},
    {TokenType::kSub, BinaryOp::kSub, kAddSub},
    {TokenType::kMul, BinaryOp::kMul, kMulDiv},
    {TokenType::kDiv, BinaryOp::kDiv, kMulDiv},
    {TokenType::kMod, BinaryOp::kMod, kMulDiv},
    {TokenType::kAtan2, BinaryOp::kMul, kMulDiv},
    {TokenType::kPow, BinaryOp::kPow, kPow},
};

const BinaryToken* FindBinary(TokenType type) {
  for (const BinaryToken& binary : kBinaryTokens) {
    if (binary.token == type) return &binary;
  }
  return nullptr;
}

struct AggregateToken {
  TokenType token;
  AggregateOp op;
};

constexpr AggregateToken kAggregateTokens[] = {
    {TokenType::kSum, AggregateOp::kSum},
    {TokenType::kAvg, AggregateOp::kAvg},
    {TokenType::kMin, AggregateOp::kMin},
    {TokenType::kMax, AggregateOp::kMax},
    {TokenType::kCount, AggregateOp::kCount},
    {TokenType::kGroup, AggregateOp::kGroup},
    {TokenType::kStddev, AggregateOp::kStddev},
    {TokenType::kStdvar, AggregateOp::kStdvar},
    {TokenType::kTopK, AggregateOp::kTopK},
    {TokenType::kBottomK, AggregateOp::kBottomK},
    {TokenType::kQuantile, AggregateOp::kQuantile},
    {TokenType::kCountValues, AggregateOp::kCountValues},
};

AggregateOp FindAggregate(TokenType type) {
  for (const AggregateToken& aggregate : kAggregateTokens) {
    if (aggregate.token == type) return aggregate.op;
  }
  return AggregateOp::kSum;
}

// Functions Prometheus 2.42 knows but the agent does not evaluate.
constexpr std::string_view kUnsupportedFunctions[] = {
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "cos",
    "cosh",
    "sin",
    "sinh",
    "tan",
    "tanh",
    "deg",
    "rad",
    "pi",
    "day_of_year",
    "histogram_count",
    "histogram_sum",
    "histogram_fraction",
    "holt_winters",
};

bool IsUnsupportedFunction(std::string_view name) {
  for (std::string_view unsupported : kUnsupportedFunctions) {
    if (unsupported == name) return true;
  }
  return false;
}

// Tokens the grammar's metric_identifier accepts as a metric name.
bool IsMetricIdentifier(TokenType type) {
  switch (type) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBy:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kWithout:
    case TokenType::kStart:
    case TokenType::kEnd:
      return true;
    default:
      return IsAggregatorToken(type);
  }
}

// Tokens the grammar's maybe_label accepts as a label name in by(...), on(...) and the like.
bool IsMaybeLabel(TokenType type) {
  switch (type) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBool:
    case TokenType::kBy:
    case TokenType::kGroupLeft:
    case TokenType::kGroupRight:
    case TokenType::kIgnoring:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kOn:
    case TokenType::kStart:
    case TokenType::kEnd:
    case TokenType::kAtan2:
      return true;
    default:
      return IsAggregatorToken(type);
  }
}

bool IsLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A subtree and its height, so that the checker, the printer, the engine and the destructors,
// which all recurse, never meet a tree deeper than kMaxDepth.
struct Node {
  ExprPtr expr;
  int depth = 0;
  explicit operator bool() const { return expr != nullptr; }
};

class Parser {
 public:
  Parser(std::string_view text, ParseError* error)
      : text_(text), tokens_(Lex(text)), error_(error) {}

  ExprPtr ParseTop() {
    if (Peek().type == TokenType::kEof) {
      Fail({0, 0}, "no expression found in input");
      return nullptr;
    }
    Node node = ParseExpr(kNone);
    if (!node) return nullptr;
    if (Peek().type != TokenType::kEof) {
      Unexpected("", "");
      return nullptr;
    }
    if (!CheckExpr(*node.expr, text_, error_)) return nullptr;
    return std::move(node.expr);
  }

  bool ParseSeries(Labels* labels) {
    std::vector<Label> result;
    std::string name;
    if (IsMetricIdentifier(Peek().type)) {
      name = Advance().text;
    } else if (Peek().type != TokenType::kLeftBrace) {
      return Unexpected("", "");
    }
    if (Peek().type == TokenType::kLeftBrace) {
      Advance();
      for (;;) {
        if (Peek().type == TokenType::kRightBrace) break;
        if (Peek().type != TokenType::kIdentifier) {
          return Unexpected("label set", "identifier or \"}\"");
        }
        Label label{std::string(Advance().text), ""};
        if (Peek().type != TokenType::kEql) return Unexpected("label set", "\"=\"");
        Advance();
        if (Peek().type != TokenType::kString) return Unexpected("label set", "string");
        label.value = UnquoteString(Advance().text);
        result.push_back(std::move(label));
        if (Peek().type == TokenType::kComma) {
          Advance();
          continue;
        }
        if (Peek().type != TokenType::kRightBrace) {
          return Unexpected("label set", "\",\" or \"}\"");
        }
      }
      Advance();
    }
    if (Peek().type != TokenType::kEof) return Unexpected("", "");
    if (!name.empty()) result.push_back({std::string(kMetricName), name});
    *labels = MakeLabels(std::move(result));
    return true;
  }

 private:
  // The current token. A lexer error is raised as soon as the parser looks at it, as
  // Prometheus records it when the yacc parser reads it.
  const Token& Peek() {
    const Token& token = tokens_[next_];
    if (token.type == TokenType::kError) {
      Fail({token.pos, static_cast<int>(text_.size())}, token.message);
    }
    return failed_ ? kEofToken : token;
  }
  const Token& PeekAfter() {
    if (next_ + 1 >= tokens_.size()) return kEofToken;
    const Token& token = tokens_[next_ + 1];
    return token.type == TokenType::kError ? kEofToken : token;
  }
  const Token& Advance() {
    const Token& token = tokens_[next_];
    if (next_ + 1 < tokens_.size()) ++next_;
    last_end_ = token.end();
    return token;
  }

  // Always returns false, to let callers `return Fail(...)`.
  bool Fail(PositionRange pos, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_->pos = pos;
      error_->message = std::move(message);
    }
    return false;
  }

  // "unexpected <token>[ in <context>][, expected <expected>]" about the current token.
  bool Unexpected(std::string_view context, std::string_view expected) {
    const Token& token = Peek();
    if (failed_) return false;
    std::string message = "unexpected " + DescribeToken(token);
    // Yacc recovers from an error in the innermost construct with an error rule; for the
    // ones that nest (anything inside an aggregation) that is `aggregate_op error`.
    if (context.empty() && open_aggregations_ > 0) context = "aggregation";
    if (!context.empty()) message += " in " + std::string(context);
    if (!expected.empty()) message += ", expected " + std::string(expected);
    return Fail({token.pos, token.end()}, std::move(message));
  }

  Node ParseExpr(int min_precedence) {
    if (++nesting_ > kMaxDepth) {
      Fail({Peek().pos, Peek().end()}, "expression nesting deeper than " +
                                           std::to_string(kMaxDepth) + " levels is not supported");
      return {};
    }
    Node lhs = ParseUnary();
    while (lhs) {
      const Token& op_token = Peek();
      const BinaryToken* binary = FindBinary(op_token.type);
      if (binary == nullptr || binary->precedence < min_precedence) break;
      Advance();
      if (op_token.type == TokenType::kAtan2) {
        Fail({op_token.pos, op_token.end()},
             "binary operator \"atan2\" is not supported by the agent");
        return {};
      }
      auto node = std::make_unique<BinaryExpr>();
      node->op = binary->op;
      if (!ParseBinaryModifiers(*node)) return {};
      // `^` is right-associative, every other operator left-associative.
      Node rhs =
          ParseExpr(binary->op == BinaryOp::kPow ? binary->precedence : binary->precedence + 1);
      if (!rhs) return {};
      const int depth = std::max(lhs.depth, rhs.depth) + 1;
      if (depth > kMaxDepth) {
        Fail({op_token.pos, op_token.end()}, "expression nesting deeper than " +
                                                 std::to_string(kMaxDepth) +
                                                 " levels is not supported");
        return {};
      }
      node->pos = {lhs.expr->pos.start, rhs.expr->pos.end};
      node->lhs = std::move(lhs.expr);
      node->rhs = std::move(rhs.expr);
      lhs = Node{std::move(node), depth};
    }
    --nesting_;
    return failed_ ? Node{} : std::move(lhs);
  }

  // `unary_op expr %prec MUL`: the operand takes only `^` (and postfix modifiers) with it,
  // so -x ^ 2 is -(x ^ 2) while -x * 2 is (-x) * 2. A sign on a number literal is folded into
  // it, as Prometheus does.
  Node ParseUnary() {
    const Token& sign = Peek();
    if (sign.type != TokenType::kAdd && sign.type != TokenType::kSub) {
      Node primary = ParsePrimary();
      if (!primary) return {};
      return ParsePostfix(std::move(primary));
    }
    Advance();
    const bool negate = sign.type == TokenType::kSub;
    Node operand = ParseExpr(kPow);
    if (!operand) return {};
    if (operand.expr->kind == ExprKind::kNumber) {
      auto& number = static_cast<NumberLiteral&>(*operand.expr);
      if (negate) number.value = -number.value;
      number.pos.start = sign.pos;
      return operand;
    }
    auto unary = std::make_unique<UnaryExpr>();
    unary->negate = negate;
    unary->pos = {sign.pos, operand.expr->pos.end};
    unary->expr = std::move(operand.expr);
    return Node{std::move(unary), operand.depth + 1};
  }

  Node ParsePrimary();
  Node ParsePostfix(Node node);
  bool ParseRange(Node& node);
  bool ParseOffset(Node& node);
  bool ParseAt(const Node& node);
  Node ParseSelector();
  bool ParseMatchers(VectorSelector& selector);
  Node ParseCall();
  Node ParseAggregate();
  Node ParseAggregateBody();
  bool ParseArgs(std::vector<Node>* args, int* depth);
  bool ParseGrouping(std::vector<std::string>* labels);
  bool ParseBinaryModifiers(BinaryExpr& binary);
  bool ParseDuration(const Token& token, int64_t* ms);

  static inline const Token kEofToken{};

  std::string_view text_;
  std::vector<Token> tokens_;
  ParseError* error_;
  size_t next_ = 0;
  int last_end_ = 0;
  int nesting_ = 0;
  int open_aggregations_ = 0;
  bool failed_ = false;
};

Node Parser::ParsePrimary() {
  const Token& token = Peek();
  switch (token.type) {
    case TokenType::kNumber: {
      Advance();
      auto number = std::make_unique<NumberLiteral>();
      std::string error;
      if (!ParseNumber(token.text, &number->value, &error)) {
        Fail({token.pos, token.end()}, "error parsing number: " + error);
        return {};
      }
      number->pos = {token.pos, token.end()};
      return Node{std::move(number), 1};
    }
    case TokenType::kString: {
      Advance();
      auto string = std::make_unique<StringLiteral>();
      string->value = UnquoteString(token.text);
      string->type = ValueType::kString;
      string->pos = {token.pos, token.end()};
      return Node{std::move(string), 1};
    }
    case TokenType::kLeftParen: {
      Advance();
      Node inner = ParseExpr(kNone);
      if (!inner) return {};
      if (Peek().type != TokenType::kRightParen) {
        Unexpected("", "");
        return {};
      }
      const Token& close = Advance();
      auto paren = std::make_unique<ParenExpr>();
      paren->pos = {token.pos, close.end()};
      paren->expr = std::move(inner.expr);
      return Node{std::move(paren), inner.depth + 1};
    }
    case TokenType::kLeftBrace:
      return ParseSelector();
    case TokenType::kIdentifier:
      if (PeekAfter().type == TokenType::kLeftParen) return ParseCall();
      return ParseSelector();
    default:
      break;
  }
  if (IsAggregatorToken(token.type)) {
    const TokenType next = PeekAfter().type;
    if (next == TokenType::kLeftParen || next == TokenType::kBy || next == TokenType::kWithout) {
      return ParseAggregate();
    }
  }
  if (IsMetricIdentifier(token.type)) return ParseSelector();
  Unexpected("", "");
  return {};
}

Node Parser::ParsePostfix(Node node) {
  for (;;) {
    const Token& token = Peek();
    if (failed_) return {};
    if (token.type == TokenType::kLeftBracket) {
      if (!ParseRange(node)) return {};
    } else if (token.type == TokenType::kOffset) {
      if (!ParseOffset(node)) return {};
    } else if (token.type == TokenType::kAt) {
      ParseAt(node);
      return {};
    } else {
      return node;
    }
  }
}

// `@ 1609746000`, `@ -5`, `@ start()`, `@ end()`: parsed for Prometheus' syntax errors, then
// refused.
bool Parser::ParseAt(const Node& node) {
  const Token& at = Advance();
  const TokenType type = Peek().type;
  if (type == TokenType::kStart || type == TokenType::kEnd) {
    Advance();
    if (Peek().type != TokenType::kLeftParen) return Unexpected("@", "timestamp");
    Advance();
    if (Peek().type != TokenType::kRightParen) return Unexpected("@", "timestamp");
    Advance();
  } else {
    if (type == TokenType::kAdd || type == TokenType::kSub) Advance();
    if (Peek().type != TokenType::kNumber) return Unexpected("@", "timestamp");
    const Token& number = Advance();
    double value = 0;
    std::string error;
    if (!ParseNumber(number.text, &value, &error)) {
      return Fail({number.pos, number.end()}, "error parsing number: " + error);
    }
  }
  if (node.expr->kind != ExprKind::kVectorSelector &&
      node.expr->kind != ExprKind::kMatrixSelector) {
    return Fail(node.expr->pos,
                "@ modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
  }
  return Fail({at.pos, at.end()}, "the @ modifier is not supported by the agent");
}

bool Parser::ParseDuration(const Token& token, int64_t* ms) {
  std::string error;
  if (!ParseDurationMs(token.text, ms, &error)) return Fail({token.pos, token.end()}, error);
  if (*ms == 0) return Fail({token.pos, token.end()}, "duration must be greater than 0");
  return true;
}

// `[5m]` after a selector; `[5m:1m]` (a subquery) is parsed only to be refused.
bool Parser::ParseRange(Node& node) {
  const Token& open = Advance();
  if (Peek().type != TokenType::kDuration) return Unexpected("subquery selector", "duration");
  int64_t range_ms = 0;
  if (!ParseDuration(Advance(), &range_ms)) return false;
  if (Peek().type == TokenType::kColon) {
    Advance();
    if (Peek().type == TokenType::kDuration) {
      int64_t step_ms = 0;
      if (!ParseDuration(Advance(), &step_ms)) return false;
      if (Peek().type != TokenType::kRightBracket) {
        return Unexpected("subquery selector", "\"]\"");
      }
    } else if (Peek().type != TokenType::kRightBracket) {
      return Unexpected("subquery selector", "duration or \"]\"");
    }
    const Token& close = Advance();
    return Fail({node.expr->pos.start, close.end()}, "subqueries are not supported by the agent");
  }
  if (Peek().type != TokenType::kRightBracket) {
    return Unexpected("subquery or range", "\":\" or \"]\"");
  }
  const Token& close = Advance();
  if (node.expr->kind != ExprKind::kVectorSelector) {
    return Fail({open.pos, close.end()}, "ranges only allowed for vector selectors");
  }
  auto selector = static_cast<VectorSelector*>(node.expr.release());
  auto matrix = std::make_unique<MatrixSelector>();
  matrix->selector.reset(selector);
  matrix->range_ms = range_ms;
  matrix->type = ValueType::kMatrix;
  matrix->pos = {selector->pos.start, close.end()};
  node = Node{std::move(matrix), node.depth + 1};
  if (selector->offset_ms != 0) {
    return Fail({open.pos, close.end()}, "no offset modifiers allowed before range");
  }
  return true;
}

bool Parser::ParseOffset(Node& node) {
  Advance();
  bool negative = false;
  if (Peek().type == TokenType::kSub) {
    Advance();
    negative = true;
  }
  if (Peek().type != TokenType::kDuration) return Unexpected("offset", "duration");
  const Token& duration = Advance();
  int64_t offset_ms = 0;
  if (!ParseDuration(duration, &offset_ms)) return false;
  VectorSelector* selector = nullptr;
  if (node.expr->kind == ExprKind::kVectorSelector) {
    selector = static_cast<VectorSelector*>(node.expr.get());
  } else if (node.expr->kind == ExprKind::kMatrixSelector) {
    selector = static_cast<MatrixSelector&>(*node.expr).selector.get();
  } else {
    return Fail(node.expr->pos,
                "offset modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
  }
  if (selector->offset_ms != 0) return Fail(node.expr->pos, "offset may not be set multiple times");
  selector->offset_ms = negative ? -offset_ms : offset_ms;
  node.expr->pos.end = duration.end();
  return true;
}

Node Parser::ParseSelector() {
  auto selector = std::make_unique<VectorSelector>();
  selector->type = ValueType::kVector;
  const Token& first = Peek();
  selector->pos = {first.pos, first.end()};
  if (first.type != TokenType::kLeftBrace) selector->name = Advance().text;
  if (Peek().type == TokenType::kLeftBrace && !ParseMatchers(*selector)) return {};
  if (failed_) return {};
  selector->pos.end = last_end_;
  if (!selector->name.empty()) {
    auto name =
        LabelMatcher::Make(LabelMatcher::Type::kEqual, std::string(kMetricName), selector->name);
    selector->matchers.push_back(std::move(name.value()));
  }
  return Node{std::move(selector), 1};
}

bool Parser::ParseMatchers(VectorSelector& selector) {
  Advance();  // {
  for (;;) {
    if (Peek().type == TokenType::kRightBrace) break;
    if (Peek().type != TokenType::kIdentifier) {
      return Unexpected("label matching", "identifier or \"}\"");
    }
    const Token& name = Advance();
    LabelMatcher::Type type = LabelMatcher::Type::kEqual;
    switch (Peek().type) {
      case TokenType::kEql:
        break;
      case TokenType::kNeq:
        type = LabelMatcher::Type::kNotEqual;
        break;
      case TokenType::kEqlRegex:
        type = LabelMatcher::Type::kRegexMatch;
        break;
      case TokenType::kNeqRegex:
        type = LabelMatcher::Type::kRegexNoMatch;
        break;
      default:
        return Unexpected("label matching", "label matching operator");
    }
    Advance();
    if (Peek().type != TokenType::kString) return Unexpected("label matching", "string");
    const Token& value = Advance();
    auto matcher = LabelMatcher::Make(type, std::string(name.text), UnquoteString(value.text));
    if (!matcher.ok()) return Fail({name.pos, value.end()}, matcher.status().message());
    selector.matchers.push_back(std::move(matcher.value()));
    if (Peek().type == TokenType::kComma) {
      Advance();
      continue;
    }
    if (Peek().type != TokenType::kRightBrace) {
      return Unexpected("label matching", "\",\" or \"}\"");
    }
  }
  Advance();  // }
  return true;
}

// `(args)` of a call or an aggregation; `depth` receives the deepest argument's height.
bool Parser::ParseArgs(std::vector<Node>* args, int* depth) {
  Advance();  // (
  *depth = 0;
  if (Peek().type == TokenType::kRightParen) {
    Advance();
    return true;
  }
  for (;;) {
    Node arg = ParseExpr(kNone);
    if (!arg) return false;
    *depth = std::max(*depth, arg.depth);
    args->push_back(std::move(arg));
    if (Peek().type == TokenType::kComma) {
      const Token& comma = Advance();
      if (Peek().type == TokenType::kRightParen) {
        return Fail({comma.pos, comma.end()}, "trailing commas not allowed in function call args");
      }
      continue;
    }
    if (Peek().type != TokenType::kRightParen) return Unexpected("", "");
    Advance();
    return true;
  }
}

Node Parser::ParseCall() {
  const Token& name = Advance();
  std::vector<Node> args;
  int depth = 0;
  if (!ParseArgs(&args, &depth)) return {};
  auto call = std::make_unique<Call>();
  call->func = LookupFunction(name.text);
  if (call->func == nullptr) {
    if (IsUnsupportedFunction(name.text)) {
      Fail({name.pos, name.end()},
           "function " + GoQuote(name.text) + " is not supported by the agent");
    } else {
      Fail({name.pos, name.end()}, "unknown function with name " + GoQuote(name.text));
    }
    return {};
  }
  call->type = call->func->return_type;
  call->pos = {name.pos, last_end_};
  for (Node& arg : args) call->args.push_back(std::move(arg.expr));
  return Node{std::move(call), depth + 1};
}

Node Parser::ParseAggregate() {
  ++open_aggregations_;
  Node node = ParseAggregateBody();
  --open_aggregations_;
  return node;
}

Node Parser::ParseAggregateBody() {
  const Token& op = Advance();
  auto aggregate = std::make_unique<AggregateExpr>();
  aggregate->op = FindAggregate(op.type);
  aggregate->type = ValueType::kVector;
  bool grouped = false;
  const auto parse_modifier = [&]() {
    grouped = true;
    aggregate->without = Advance().type == TokenType::kWithout;
    return ParseGrouping(&aggregate->grouping);
  };
  if ((Peek().type == TokenType::kBy || Peek().type == TokenType::kWithout) && !parse_modifier()) {
    return {};
  }
  if (Peek().type != TokenType::kLeftParen) {
    Unexpected("aggregation", "");
    return {};
  }
  std::vector<Node> args;
  int depth = 0;
  if (!ParseArgs(&args, &depth)) return {};
  if (!grouped && (Peek().type == TokenType::kBy || Peek().type == TokenType::kWithout) &&
      !parse_modifier()) {
    return {};
  }
  if (failed_) return {};
  aggregate->pos = {op.pos, last_end_};
  if (args.empty()) {
    Fail(aggregate->pos, "no arguments for aggregate expression provided");
    return {};
  }
  const bool has_param =
      aggregate->op == AggregateOp::kTopK || aggregate->op == AggregateOp::kBottomK ||
      aggregate->op == AggregateOp::kQuantile || aggregate->op == AggregateOp::kCountValues;
  const size_t wanted = has_param ? 2 : 1;
  if (args.size() != wanted) {
    Fail(aggregate->pos, "wrong number of arguments for aggregate expression provided, expected " +
                             std::to_string(wanted) + ", got " + std::to_string(args.size()));
    return {};
  }
  if (has_param) aggregate->param = std::move(args[0].expr);
  aggregate->expr = std::move(args[wanted - 1].expr);
  return Node{std::move(aggregate), depth + 1};
}

bool Parser::ParseGrouping(std::vector<std::string>* labels) {
  if (Peek().type != TokenType::kLeftParen) return Unexpected("grouping opts", "\"(\"");
  Advance();
  labels->clear();
  if (Peek().type == TokenType::kRightParen) {
    Advance();
    return true;
  }
  for (;;) {
    const Token& label = Peek();
    if (!IsMaybeLabel(label.type) || !IsLabelName(label.text)) {
      return Unexpected("grouping opts", "label");
    }
    labels->emplace_back(Advance().text);
    if (Peek().type == TokenType::kComma) {
      Advance();
      if (Peek().type == TokenType::kRightParen) break;
      continue;
    }
    if (Peek().type != TokenType::kRightParen) {
      return Unexpected("grouping opts", "\",\" or \")\"");
    }
    break;
  }
  Advance();  // )
  return true;
}

// [bool] [on|ignoring (labels) [group_left|group_right [(labels)]]]
bool Parser::ParseBinaryModifiers(BinaryExpr& binary) {
  VectorMatching matching;
  if (Peek().type == TokenType::kBool) {
    Advance();
    binary.return_bool = true;
  }
  const TokenType type = Peek().type;
  if (type == TokenType::kOn || type == TokenType::kIgnoring) {
    Advance();
    matching.on = type == TokenType::kOn;
    if (!ParseGrouping(&matching.labels)) return false;
    const TokenType group = Peek().type;
    if (group == TokenType::kGroupLeft || group == TokenType::kGroupRight) {
      Advance();
      matching.card = group == TokenType::kGroupLeft ? VectorMatching::Cardinality::kManyToOne
                                                     : VectorMatching::Cardinality::kOneToMany;
      if (Peek().type == TokenType::kLeftParen && !ParseGrouping(&matching.include)) return false;
    }
  }
  binary.matching = std::move(matching);
  return !failed_;
}

}  // namespace

ExprPtr ParseExpr(std::string_view text, ParseError* error) {
  Parser parser(text, error);
  return parser.ParseTop();
}

bool ParseSeriesLabels(std::string_view text, Labels* labels, ParseError* error) {
  Parser parser(text, error);
  return parser.ParseSeries(labels);
}

LineColumn LineColumnAt(std::string_view text, int offset) {
  LineColumn result;
  const auto end = static_cast<size_t>(std::clamp(offset, 0, static_cast<int>(text.size())));
  size_t line_start = 0;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++result.line;
      line_start = i + 1;
    }
  }
  result.column = static_cast<int>(end - line_start) + 1;
  return result;
}

}  // namespace sidecar::promql
