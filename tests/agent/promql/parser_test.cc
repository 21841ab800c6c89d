// Table-driven tests of the PromQL parser. The expected messages and positions of the invalid
// expressions are Prometheus 2.42's own: each was checked by hand against `promtool check rules`
// (Debian's promtool 2.42.0), as were the acceptance of the valid ones.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/promql/parser.h"

namespace sidecar::promql {
namespace {

// The tree fully parenthesized, with the parts FormatExpr leaves implicit (types, matching
// cardinality), so that tests see its shape.
std::string Dump(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kNumber:
    case ExprKind::kString:
    case ExprKind::kVectorSelector:
    case ExprKind::kMatrixSelector:
      return FormatExpr(expr);
    case ExprKind::kCall: {
      const auto& call = static_cast<const Call&>(expr);
      std::string out = std::string(call.func->name) + "(";
      for (size_t i = 0; i < call.args.size(); ++i) {
        out += (i > 0 ? ", " : "") + Dump(*call.args[i]);
      }
      return out + ")";
    }
    case ExprKind::kAggregate: {
      const auto& aggregate = static_cast<const AggregateExpr&>(expr);
      std::string out = std::string(AggregateOpName(aggregate.op));
      out += aggregate.without ? "-without" : "-by";
      for (const auto& label : aggregate.grouping) out += ":" + label;
      out += "(";
      if (aggregate.param) out += Dump(*aggregate.param) + ", ";
      return out + Dump(*aggregate.expr) + ")";
    }
    case ExprKind::kBinary: {
      const auto& binary = static_cast<const BinaryExpr&>(expr);
      std::string out = "(" + Dump(*binary.lhs) + " " + std::string(BinaryOpName(binary.op));
      if (binary.return_bool) out += " bool";
      if (binary.matching) {
        const char* cards[] = {"1:1", "n:1", "1:n", "n:n"};
        out += std::string(" [") + cards[static_cast<int>(binary.matching->card)];
        if (binary.matching->on) out += " on";
        for (const auto& label : binary.matching->labels) out += " " + label;
        if (!binary.matching->include.empty()) out += " +";
        for (const auto& label : binary.matching->include) out += " " + label;
        out += "]";
      }
      return out + " " + Dump(*binary.rhs) + ")";
    }
    case ExprKind::kUnary: {
      const auto& unary = static_cast<const UnaryExpr&>(expr);
      return std::string(unary.negate ? "(-" : "(+") + Dump(*unary.expr) + ")";
    }
    case ExprKind::kParen:
      return "paren(" + Dump(*static_cast<const ParenExpr&>(expr).expr) + ")";
  }
  return "?";
}

ExprPtr MustParse(const std::string& text) {
  ParseError error;
  ExprPtr expr = ParseExpr(text, &error);
  INFO(text << " => " << error.message);
  REQUIRE(expr != nullptr);
  return expr;
}

struct ValidCase {
  const char* text;
  const char* formatted;
};

const ValidCase kValid[] = {
    {R"pql(x)pql", R"pql(x)pql"},
    {R"pql(up)pql", R"pql(up)pql"},
    {R"pql(a:b:c)pql", R"pql(a:b:c)pql"},
    {R"pql({job="a"})pql", R"pql({job="a"})pql"},
    {R"pql(x{a="b", c!="d", e=~"f.*", g!~"h"})pql", R"pql(x{a="b",c!="d",e=~"f.*",g!~"h"})pql"},
    {R"pql(x{a="b",})pql", R"pql(x{a="b"})pql"},
    {R"pql(x{b="1", a="2"})pql", R"pql(x{a="2",b="1"})pql"},
    {R"pql({__name__="x"})pql", R"pql({__name__="x"})pql"},
    {R"pql({__name__=~"x|y", job="a"})pql", R"pql({__name__=~"x|y",job="a"})pql"},
    {R"pql(x{a=""})pql", R"pql(x{a=""})pql"},
    {R"pql(x{a='single', b=`raw\n`})pql", R"pql(x{a="single",b="raw\\n"})pql"},
    {R"pql(x{a="tab\there", b="quote\"d", c="\u00e9\x41\101"})pql",
     R"pql(x{a="tab\there",b="quote\"d",c="éAA"})pql"},
    {R"pql(sum)pql", R"pql(sum)pql"},
    {R"pql(by)pql", R"pql(by)pql"},
    {R"pql(offset)pql", R"pql(offset)pql"},
    {R"pql(start)pql", R"pql(start)pql"},
    {R"pql(SUM(x))pql", R"pql(sum(x))pql"},
    {R"pql(Sum by (job) (x))pql", R"pql(sum by (job) (x))pql"},
    {R"pql(x AND y)pql", R"pql(x and y)pql"},
    {R"pql(x[5m])pql", R"pql(x[5m])pql"},
    {R"pql(x[1h30m])pql", R"pql(x[1h30m])pql"},
    {R"pql(x[90m])pql", R"pql(x[1h30m])pql"},
    {R"pql(x[1d])pql", R"pql(x[1d])pql"},
    {R"pql(x[2w])pql", R"pql(x[2w])pql"},
    {R"pql(x[1y])pql", R"pql(x[1y])pql"},
    {R"pql(x[8d])pql", R"pql(x[8d])pql"},
    {R"pql(x[500ms])pql", R"pql(x[500ms])pql"},
    {R"pql(x offset 5m)pql", R"pql(x offset 5m)pql"},
    {R"pql(x offset -5m)pql", R"pql(x offset -5m)pql"},
    {R"pql(x OFFSET 1h)pql", R"pql(x offset 1h)pql"},
    {R"pql(x[5m] offset 1h)pql", R"pql(x[5m] offset 1h)pql"},
    {R"pql(x{a="b"}[5m] offset -1w)pql", R"pql(x{a="b"}[5m] offset -1w)pql"},
    {R"pql(1)pql", R"pql(1)pql"},
    {R"pql(-1)pql", R"pql(-1)pql"},
    {R"pql(+1)pql", R"pql(1)pql"},
    {R"pql(- - 1)pql", R"pql(1)pql"},
    {R"pql(0x1f)pql", R"pql(31)pql"},
    {R"pql(017)pql", R"pql(15)pql"},
    {R"pql(08)pql", R"pql(8)pql"},
    {R"pql(1e3)pql", R"pql(1000)pql"},
    {R"pql(1E-3)pql", R"pql(0.001)pql"},
    {R"pql(.5)pql", R"pql(0.5)pql"},
    {R"pql(5.)pql", R"pql(5)pql"},
    {R"pql(Inf)pql", R"pql(+Inf)pql"},
    {R"pql(-Inf)pql", R"pql(-Inf)pql"},
    {R"pql(Inf ^ 2)pql", R"pql(Inf ^ 2)pql"},
    {R"pql(Inf * 2)pql", R"pql(+Inf * 2)pql"},
    {R"pql(-Inf ^ 2)pql", R"pql(-Inf ^ 2)pql"},
    {R"pql(NaN)pql", R"pql(NaN)pql"},
    {R"pql(nan)pql", R"pql(NaN)pql"},
    {R"pql(99999999999999999999)pql", R"pql(1e+20)pql"},
    {R"pql(1e-400)pql", R"pql(0)pql"},
    {R"pql(1000000)pql", R"pql(1e+06)pql"},
    {R"pql(123456.5)pql", R"pql(123456.5)pql"},
    {R"pql("foo")pql", R"pql("foo")pql"},
    {R"pql('bar')pql", R"pql("bar")pql"},
    {R"pql(`baz`)pql", R"pql("baz")pql"},
    {R"pql("a\nb")pql", R"pql("a\nb")pql"},
    {R"pql(1 + 2 * 3 ^ 2 ^ 2)pql", R"pql(1 + 2 * 3 ^ 2 ^ 2)pql"},
    {R"pql((1 + 2) * 3)pql", R"pql((1 + 2) * 3)pql"},
    {R"pql(2 ^ 3 ^ 2)pql", R"pql(2 ^ 3 ^ 2)pql"},
    {R"pql((2 ^ 3) ^ 2)pql", R"pql((2 ^ 3) ^ 2)pql"},
    {R"pql(-x ^ 2)pql", R"pql(-x ^ 2)pql"},
    {R"pql(-x * 2)pql", R"pql(-x * 2)pql"},
    {R"pql(-(x ^ 2))pql", R"pql(-(x ^ 2))pql"},
    {R"pql(-x offset 5m)pql", R"pql(-x offset 5m)pql"},
    {R"pql(2 ^ -1)pql", R"pql(2 ^ -1)pql"},
    {R"pql(2 ^ -x * 3)pql", R"pql(2 ^ -x * 3)pql"},
    {R"pql(a or b and c)pql", R"pql(a or b and c)pql"},
    {R"pql(a and b or c)pql", R"pql(a and b or c)pql"},
    {R"pql(a unless b and c)pql", R"pql(a unless b and c)pql"},
    {R"pql(a + b > c - d)pql", R"pql(a + b > c - d)pql"},
    {R"pql(a / b % c * d)pql", R"pql(a / b % c * d)pql"},
    {R"pql(a - b - c)pql", R"pql(a - b - c)pql"},
    {R"pql(1 - -1)pql", R"pql(1 - -1)pql"},
    {R"pql(a > bool b)pql", R"pql(a > bool b)pql"},
    {R"pql(a == bool 1)pql", R"pql(a == bool 1)pql"},
    {R"pql(1 > bool 2)pql", R"pql(1 > bool 2)pql"},
    {R"pql(a + on(x) group_left(y) b)pql", R"pql(a + on (x) group_left (y) b)pql"},
    {R"pql(a * on(x, z) group_right b)pql", R"pql(a * on (x, z) group_right () b)pql"},
    {R"pql(a + ignoring(x) b)pql", R"pql(a + ignoring (x) b)pql"},
    {R"pql(a / ignoring(x) group_left b)pql", R"pql(a / ignoring (x) group_left () b)pql"},
    {R"pql(a - on() b)pql", R"pql(a - on () b)pql"},
    {R"pql(a and on(x) b)pql", R"pql(a and on (x) b)pql"},
    {R"pql(a or ignoring(x) b)pql", R"pql(a or ignoring (x) b)pql"},
    {R"pql(a unless on() b)pql", R"pql(a unless on () b)pql"},
    {R"pql(a == bool on(x) group_left(y) b)pql", R"pql(a == bool on (x) group_left (y) b)pql"},
    {R"pql(a * on(x) group_left (b) sum(y))pql", R"pql(a * on (x) group_left (b) sum(y))pql"},
    {R"pql(rate(x[5m]))pql", R"pql(rate(x[5m]))pql"},
    {R"pql(rate(http_requests_total{code=~"5.."}[5m]))pql",
     R"pql(rate(http_requests_total{code=~"5.."}[5m]))pql"},
    {R"pql(sum by (job) (rate(x{a="b"}[5m])))pql", R"pql(sum by (job) (rate(x{a="b"}[5m])))pql"},
    {R"pql(sum(x) by (job))pql", R"pql(sum by (job) (x))pql"},
    {R"pql(sum(x) without (instance, job))pql", R"pql(sum without (instance, job) (x))pql"},
    {R"pql(sum without () (x))pql", R"pql(sum without () (x))pql"},
    {R"pql(sum by () (x))pql", R"pql(sum(x))pql"},
    {R"pql(sum by (job,) (x))pql", R"pql(sum by (job) (x))pql"},
    {R"pql(sum by (on, bool, by, offset, and, sum) (x))pql",
     R"pql(sum by (on, bool, by, offset, and, sum) (x))pql"},
    {R"pql(avg(x))pql", R"pql(avg(x))pql"},
    {R"pql(min(x))pql", R"pql(min(x))pql"},
    {R"pql(max(x))pql", R"pql(max(x))pql"},
    {R"pql(count(x))pql", R"pql(count(x))pql"},
    {R"pql(group(x))pql", R"pql(group(x))pql"},
    {R"pql(stddev(x))pql", R"pql(stddev(x))pql"},
    {R"pql(stdvar(x))pql", R"pql(stdvar(x))pql"},
    {R"pql(topk(3, x))pql", R"pql(topk(3, x))pql"},
    {R"pql(bottomk by (job) (3, x))pql", R"pql(bottomk by (job) (3, x))pql"},
    {R"pql(quantile(0.9, x))pql", R"pql(quantile(0.9, x))pql"},
    {R"pql(count_values("value", x))pql", R"pql(count_values("value", x))pql"},
    {R"pql(predict_linear(x[1h], 3600))pql", R"pql(predict_linear(x[1h], 3600))pql"},
    {R"pql(quantile_over_time(0.5, x[5m]))pql", R"pql(quantile_over_time(0.5, x[5m]))pql"},
    {R"pql(histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))))pql",
     R"pql(histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))))pql"},
    {R"pql(clamp(x, 0, 1))pql", R"pql(clamp(x, 0, 1))pql"},
    {R"pql(clamp_min(x, 0))pql", R"pql(clamp_min(x, 0))pql"},
    {R"pql(clamp_max(x, 1))pql", R"pql(clamp_max(x, 1))pql"},
    {R"pql(round(x))pql", R"pql(round(x))pql"},
    {R"pql(round(x, 0.5))pql", R"pql(round(x, 0.5))pql"},
    {R"pql(hour())pql", R"pql(hour())pql"},
    {R"pql(hour(x))pql", R"pql(hour(x))pql"},
    {R"pql(day_of_week(timestamp(x)))pql", R"pql(day_of_week(timestamp(x)))pql"},
    {R"pql(time())pql", R"pql(time())pql"},
    {R"pql(vector(1))pql", R"pql(vector(1))pql"},
    {R"pql(scalar(x))pql", R"pql(scalar(x))pql"},
    {R"pql(absent(nonexistent{job="a"}))pql", R"pql(absent(nonexistent{job="a"}))pql"},
    {R"pql(absent_over_time(x[5m]))pql", R"pql(absent_over_time(x[5m]))pql"},
    {R"pql(present_over_time(x[5m]))pql", R"pql(present_over_time(x[5m]))pql"},
    {R"pql(label_replace(x, "dst", "$1", "src", "(.*)"))pql",
     R"pql(label_replace(x, "dst", "$1", "src", "(.*)"))pql"},
    {R"pql(label_join(x, "dst", ","))pql", R"pql(label_join(x, "dst", ","))pql"},
    {R"pql(label_join(x, "dst", ",", "a", "b", "c"))pql",
     R"pql(label_join(x, "dst", ",", "a", "b", "c"))pql"},
    {R"pql(sort_desc(sum by (job) (x)))pql", R"pql(sort_desc(sum by (job) (x)))pql"},
    {R"pql(rate((x[5m])))pql", R"pql(rate((x[5m])))pql"},
    {R"pql(((x)))pql", R"pql(((x)))pql"},
    {R"pql(time() - timestamp(x) > bool 300)pql", R"pql(time() - timestamp(x) > bool 300)pql"},
    {R"pql(avg_over_time(x[5m]) > 0.5 and on(job) up == 1)pql",
     R"pql(avg_over_time(x[5m]) > 0.5 and on (job) up == 1)pql"},
    {R"pql(sum by (job) (rate(x[5m])) / on(job) group_left sum by (job) (rate(y[5m])) > 0.1)pql",
     R"pql(sum by (job) (rate(x[5m])) / on (job) group_left () sum by (job) (rate(y[5m])) > 0.1)pql"},
    {R"pql(x # a comment)pql", R"pql(x)pql"},
};

TEST_CASE("PromQL parser: valid expressions print in Prometheus' canonical form",
          "[promql][parser]") {
  for (const ValidCase& c : kValid) {
    ExprPtr expr = MustParse(c.text);
    CHECK(FormatExpr(*expr) == c.formatted);
  }
}

TEST_CASE("PromQL parser: the canonical form parses back to the same tree", "[promql][parser]") {
  for (const ValidCase& c : kValid) {
    ExprPtr expr = MustParse(c.text);
    ExprPtr again = MustParse(FormatExpr(*expr));
    INFO(c.text);
    CHECK(Dump(*again) == Dump(*expr));
    CHECK(again->type == expr->type);
  }
}

struct InvalidCase {
  const char* text;
  const char* message;
  int start;
};

const InvalidCase kInvalid[] = {
    {R"pql(# only a comment)pql", R"pql(no expression found in input)pql", 0},
    {R"pql(1 +)pql", R"pql(unexpected end of input)pql", 3},
    {R"pql(1 + ))pql", R"pql(unexpected right parenthesis ')')pql", 5},
    {R"pql((1)pql", R"pql(unclosed left parenthesis)pql", 2},
    {R"pql(())pql", R"pql(unexpected ")")pql", 1},
    {R"pql(x y)pql", R"pql(unexpected identifier "y")pql", 2},
    {R"pql(1))pql", R"pql(unexpected right parenthesis ')')pql", 2},
    {R"pql(sum(x)pql", R"pql(unclosed left parenthesis)pql", 5},
    {R"pql(sum(x) by)pql", R"pql(unexpected end of input in grouping opts, expected "(")pql", 9},
    {R"pql(sum by (job))pql", R"pql(unexpected end of input in aggregation)pql", 12},
    {R"pql(sum by job (x))pql",
     R"pql(unexpected identifier "job" in grouping opts, expected "(")pql", 7},
    {R"pql(sum(x) by (job) by (a))pql", R"pql(unexpected <by>)pql", 16},
    {R"pql(sum(x ^))pql", R"pql(unexpected ")" in aggregation)pql", 7},
    {R"pql(sum(rate(,)))pql", R"pql(unexpected "," in aggregation)pql", 9},
    {R"pql(count_values(x +))pql", R"pql(unexpected ")" in aggregation)pql", 16},
    {R"pql(sum())pql", R"pql(no arguments for aggregate expression provided)pql", 0},
    {R"pql(sum(x,))pql", R"pql(trailing commas not allowed in function call args)pql", 5},
    {R"pql(topk(x))pql",
     R"pql(wrong number of arguments for aggregate expression provided, expected 2, got 1)pql", 0},
    {R"pql(quantile(0.5, x, y))pql",
     R"pql(wrong number of arguments for aggregate expression provided, expected 2, got 3)pql", 0},
    {R"pql(f(a b))pql", R"pql(unexpected identifier "b")pql", 4},
    {R"pql(rate(x[5m],))pql", R"pql(trailing commas not allowed in function call args)pql", 10},
    {R"pql(bool)pql", R"pql(unexpected <bool>)pql", 0},
    {R"pql(atan2)pql", R"pql(unexpected <op:atan2>)pql", 0},
    {R"pql(on)pql", R"pql(unexpected <on>)pql", 0},
    {R"pql(group_left)pql", R"pql(unexpected <group_left>)pql", 0},
    {R"pql(foo(x))pql", R"pql(unknown function with name "foo")pql", 0},
    {R"pql(RATE(x[5m]))pql", R"pql(unknown function with name "RATE")pql", 0},
    {R"pql(limitk(1, x))pql", R"pql(unknown function with name "limitk")pql", 0},
    {R"pql({})pql", R"pql(vector selector must contain at least one non-empty matcher)pql", 0},
    {R"pql({a=""})pql", R"pql(vector selector must contain at least one non-empty matcher)pql", 0},
    {R"pql({a=~".*"})pql", R"pql(vector selector must contain at least one non-empty matcher)pql",
     0},
    {R"pql(x{__name__="y"})pql", R"pql(metric name must not be set twice: "x" or "y")pql", 0},
    {R"pql({a="b" c="d"})pql",
     R"pql(unexpected identifier "c" in label matching, expected "," or "}")pql", 7},
    {R"pql({a})pql", R"pql(unexpected "}" in label matching, expected label matching operator)pql",
     2},
    {R"pql({a=})pql", R"pql(unexpected "}" in label matching, expected string)pql", 3},
    {R"pql({"a"="b"})pql",
     R"pql(unexpected string "\"a\"" in label matching, expected identifier or "}")pql", 1},
    {R"pql({a="b"}})pql", R"pql(unexpected character: '}')pql", 7},
    {R"pql(x{{)pql", R"pql(unexpected left brace '{')pql", 2},
    {R"pql(x})pql", R"pql(unexpected character: '}')pql", 1},
    {R"pql(])pql", R"pql(unexpected right bracket ']')pql", 0},
    {R"pql(x[[5m]])pql", R"pql(missing unit character in duration)pql", 2},
    {R"pql(x{a=="b"})pql", R"pql(unexpected "=" in label matching, expected string)pql", 4},
    {R"pql(x{a!b})pql", R"pql(unexpected character after '!' inside braces: 'b')pql", 3},
    {R"pql(x{1="b"})pql", R"pql(unexpected character inside braces: '1')pql", 2},
    {R"pql(x = y)pql", R"pql(unexpected "=")pql", 2},
    {R"pql(x ! y)pql", R"pql(unexpected character after '!': ' ')pql", 2},
    {R"pql(x =~ y)pql", R"pql(unexpected character after '=': '~')pql", 2},
    {R"pql($)pql", R"pql(unexpected character: '$')pql", 0},
    {R"pql(é)pql", R"pql(unexpected character: 'é')pql", 0},
    {R"pql("\q")pql", R"pql(unknown escape sequence U+0071 'q')pql", 0},
    {R"pql('\"')pql", R"pql(unknown escape sequence U+0022 '"')pql", 0},
    {R"pql("\x4")pql", R"pql(illegal character U+0022 '"' in escape sequence)pql", 0},
    {R"pql("\ud800")pql", R"pql(escape sequence is an invalid Unicode code point)pql", 0},
    {R"pql("\400")pql", R"pql(escape sequence is an invalid Unicode code point)pql", 0},
    {R"pql("abc)pql", R"pql(unterminated quoted string)pql", 0},
    {R"pql(`abc)pql", R"pql(unterminated raw string)pql", 0},
    {R"pql(x[5])pql", R"pql(missing unit character in duration)pql", 2},
    {R"pql(x[5m)pql", R"pql(unclosed left bracket)pql", 4},
    {R"pql(x[])pql", R"pql(missing unit character in duration)pql", 2},
    {R"pql(x[5hs])pql", R"pql(not a valid duration string: "5hs")pql", 2},
    {R"pql(x[1h1h])pql", R"pql(not a valid duration string: "1h1h")pql", 2},
    {R"pql(x[1m1h])pql", R"pql(not a valid duration string: "1m1h")pql", 2},
    {R"pql(x[300y])pql", R"pql(duration out of range)pql", 2},
    {R"pql(x[0s])pql", R"pql(duration must be greater than 0)pql", 2},
    {R"pql(x[5 m])pql", R"pql(missing unit character in duration)pql", 2},
    {R"pql(5mx)pql", R"pql(bad number or duration syntax: "5mx")pql", 0},
    {R"pql(1e)pql",
     R"pql(error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax)pql", 0},
    {R"pql(0x)pql",
     R"pql(error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax)pql", 0},
    {R"pql(1.2.3)pql", R"pql(unexpected number ".3")pql", 3},
    {R"pql(1e400)pql",
     R"pql(error parsing number: strconv.ParseFloat: parsing "1e400": value out of range)pql", 0},
    {R"pql(0x1.5)pql",
     R"pql(error parsing number: strconv.ParseFloat: parsing "0x1.5": invalid syntax)pql", 0},
    {R"pql(x offset 5)pql", R"pql(unexpected number "5" in offset, expected duration)pql", 9},
    {R"pql(x offset 0s)pql", R"pql(duration must be greater than 0)pql", 9},
    {R"pql(x offset)pql", R"pql(unexpected end of input in offset, expected duration)pql", 8},
    {R"pql(x offset - 1)pql", R"pql(unexpected number "1" in offset, expected duration)pql", 11},
    {R"pql(x offset 5m offset 5m)pql", R"pql(offset may not be set multiple times)pql", 0},
    {R"pql(x offset 5m [5m])pql", R"pql(no offset modifiers allowed before range)pql", 12},
    {R"pql(rate(x[5m]) offset 5m)pql",
     R"pql(offset modifier must be preceded by an instant vector selector or range vector selector or a subquery)pql",
     0},
    {R"pql((x) offset 5m)pql",
     R"pql(offset modifier must be preceded by an instant vector selector or range vector selector or a subquery)pql",
     0},
    {R"pql((x)[5m])pql", R"pql(ranges only allowed for vector selectors)pql", 3},
    {R"pql(rate(x)[5m])pql", R"pql(ranges only allowed for vector selectors)pql", 7},
    {R"pql(x[5m][5m])pql", R"pql(ranges only allowed for vector selectors)pql", 5},
    {R"pql(sum by (a:b) (x))pql",
     R"pql(unexpected metric identifier "a:b" in grouping opts, expected label)pql", 8},
    {R"pql(sum by (without) (x))pql",
     R"pql(unexpected <without> in grouping opts, expected label)pql", 8},
    {R"pql(sum by (nan) (x))pql",
     R"pql(unexpected number "nan" in grouping opts, expected label)pql", 8},
    {R"pql(sum by ("a") (x))pql",
     R"pql(unexpected string "\"a\"" in grouping opts, expected label)pql", 8},
    {R"pql(sum by (a b) (x))pql",
     R"pql(unexpected identifier "b" in grouping opts, expected "," or ")")pql", 10},
    {R"pql(rate(x))pql",
     R"pql(expected type range vector in call to function "rate", got instant vector)pql", 5},
    {R"pql(rate(x[5m], 1))pql", R"pql(expected 1 argument(s) in call to "rate", got 2)pql", 0},
    {R"pql(sum(x[5m]))pql",
     R"pql(expected type instant vector in aggregation expression, got range vector)pql", 4},
    {R"pql(topk("a", x))pql", R"pql(expected type scalar in aggregation parameter, got string)pql",
     5},
    {R"pql(count_values(1, x))pql",
     R"pql(expected type string in aggregation parameter, got scalar)pql", 13},
    {R"pql(quantile(x, x))pql",
     R"pql(expected type scalar in aggregation parameter, got instant vector)pql", 9},
    {R"pql(label_replace(x, "a", "b", "c"))pql",
     R"pql(expected 5 argument(s) in call to "label_replace", got 4)pql", 0},
    {R"pql(label_replace(x, "a", "b", "c", 1))pql",
     R"pql(expected type string in call to function "label_replace", got scalar)pql", 32},
    {R"pql(label_join(x, "a"))pql",
     R"pql(expected at least 3 argument(s) in call to "label_join", got 2)pql", 0},
    {R"pql(histogram_quantile(x, y))pql",
     R"pql(expected type scalar in call to function "histogram_quantile", got instant vector)pql",
     19},
    {R"pql(clamp(x))pql", R"pql(expected 3 argument(s) in call to "clamp", got 1)pql", 0},
    {R"pql(vector(x))pql",
     R"pql(expected type scalar in call to function "vector", got instant vector)pql", 7},
    {R"pql(scalar(x[5m]))pql",
     R"pql(expected type instant vector in call to function "scalar", got range vector)pql", 7},
    {R"pql(abs(1))pql",
     R"pql(expected type instant vector in call to function "abs", got scalar)pql", 4},
    {R"pql(round(x, 1, 2))pql", R"pql(expected at most 2 argument(s) in call to "round", got 3)pql",
     0},
    {R"pql(hour(x, y))pql", R"pql(expected at most 1 argument(s) in call to "hour", got 2)pql", 0},
    {R"pql(time(1))pql", R"pql(expected 0 argument(s) in call to "time", got 1)pql", 0},
    {R"pql("a" + 1)pql",
     R"pql(binary expression must contain only scalar and instant vector types)pql", 0},
    {R"pql(x + "a")pql",
     R"pql(binary expression must contain only scalar and instant vector types)pql", 4},
    {R"pql(x[5m] + 1)pql",
     R"pql(binary expression must contain only scalar and instant vector types)pql", 0},
    {R"pql(1 + x[5m])pql",
     R"pql(binary expression must contain only scalar and instant vector types)pql", 4},
    {R"pql(-x[5m])pql",
     R"pql(unary expression only allowed on expressions of type scalar or instant vector, got "range vector")pql",
     0},
    {R"pql(-"a")pql",
     R"pql(unary expression only allowed on expressions of type scalar or instant vector, got "string")pql",
     0},
    {R"pql(1 > 2)pql", R"pql(comparisons between scalars must use BOOL modifier)pql", 2},
    {R"pql(1 == 1)pql", R"pql(comparisons between scalars must use BOOL modifier)pql", 2},
    {R"pql((1 > 2))pql", R"pql(comparisons between scalars must use BOOL modifier)pql", 3},
    {R"pql(x + bool y)pql", R"pql(bool modifier can only be used on comparison operators)pql", 2},
    {R"pql(x and bool y)pql", R"pql(bool modifier can only be used on comparison operators)pql", 2},
    {R"pql(1 and 2)pql", R"pql(set operator "and" not allowed in binary scalar expression)pql", 0},
    {R"pql(x and 1)pql", R"pql(set operator "and" not allowed in binary scalar expression)pql", 0},
    {R"pql(1 or x)pql", R"pql(set operator "or" not allowed in binary scalar expression)pql", 0},
    {R"pql(x + on(a) 2)pql", R"pql(vector matching only allowed between instant vectors)pql", 0},
    {R"pql(x + on(a) group_left(a) y)pql",
     R"pql(label "a" must not occur in ON and GROUP clause at once)pql", 2},
    {R"pql(x and on(a) group_left(y) b)pql", R"pql(no grouping allowed for "and" operation)pql", 0},
    {R"pql(x or on(a) group_right y)pql", R"pql(no grouping allowed for "or" operation)pql", 0},
    {R"pql(x * on (a) group_left (1) y)pql",
     R"pql(unexpected number "1" in grouping opts, expected label)pql", 23},
    {R"pql(x @)pql", R"pql(unexpected end of input in @, expected timestamp)pql", 3},
    {R"pql(@)pql", R"pql(unexpected "<Item 57385>" <op:@>)pql", 0},
    {R"pql(1 + on(x) 2)pql", R"pql(vector matching only allowed between instant vectors)pql", 0},
};

TEST_CASE("PromQL parser: invalid expressions fail with Prometheus' message and position",
          "[promql][parser]") {
  for (const InvalidCase& c : kInvalid) {
    ParseError error;
    ExprPtr expr = ParseExpr(c.text, &error);
    INFO(c.text);
    CHECK(expr == nullptr);
    CHECK(error.message == c.message);
    CHECK(error.pos.start == c.start);
  }
}
TEST_CASE("PromQL parser: operator precedence and associativity follow Prometheus",
          "[promql][parser]") {
  const std::pair<const char*, const char*> cases[] = {
      {"1 + 2 * 3 ^ 2 ^ 2", "(1 + (2 * (3 ^ (2 ^ 2))))"},
      {"-x ^ 2", "(-(x ^ 2))"},
      {"-x * 2", "((-x) * 2)"},
      {"-1 ^ 2", "(-(1 ^ 2))"},
      {"2 ^ -1", "(2 ^ -1)"},
      {"2 ^ -x * 3", "((2 ^ (-x)) * 3)"},
      {"a or b and c", "(a or [n:n] (b and [n:n] c))"},
      {"a and b or c", "((a and [n:n] b) or [n:n] c)"},
      {"a unless b and c", "((a unless [n:n] b) and [n:n] c)"},
      {"a + b > c - d", "((a + [1:1] b) > [1:1] (c - [1:1] d))"},
      {"a - b - c", "((a - [1:1] b) - [1:1] c)"},
      {"a / b % c * d", "(((a / [1:1] b) % [1:1] c) * [1:1] d)"},
      {"a == b != c", "((a == [1:1] b) != [1:1] c)"},
      {"a > bool b", "(a > bool [1:1] b)"},
      {"a > bool 1", "(a > bool 1)"},
      {"1 > bool 2 + 3", "(1 > bool (2 + 3))"},
      {"-x offset 5m", "(-x offset 5m)"},
      {"- - x", "(-(-x))"},
      {"+x", "(+x)"},
      {"- - 1", "1"},
      {"a + on(x) group_left(y) b", "(a + [n:1 on x + y] b)"},
      {"a + ignoring(x) group_right b", "(a + [1:n x] b)"},
      {"a and on(x) b", "(a and [n:n on x] b)"},
      {"1 + on() 2", "(1 + 2)"},
      {"sum by (job) (x) / ignoring(a) y", "(sum-by:job(x) / [1:1 a] y)"},
      {"topk by (a) (3, x)", "topk-by:a(3, x)"},
      {"count_values without (b) (\"v\", x)", "count_values-without:b(\"v\", x)"},
      {"(a + b) * c", "(paren((a + [1:1] b)) * [1:1] c)"},
  };
  for (const auto& [text, dump] : cases) {
    ExprPtr expr = MustParse(text);
    INFO(text);
    CHECK(Dump(*expr) == dump);
  }
}

TEST_CASE("PromQL parser: every node gets its Prometheus type", "[promql][parser]") {
  const std::pair<const char*, ValueType> cases[] = {
      {"1", ValueType::kScalar},           {"\"s\"", ValueType::kString},
      {"x", ValueType::kVector},           {"x[5m]", ValueType::kMatrix},
      {"(x[5m])", ValueType::kMatrix},     {"1 + 2", ValueType::kScalar},
      {"1 + x", ValueType::kVector},       {"-1", ValueType::kScalar},
      {"-(1)", ValueType::kScalar},        {"-x", ValueType::kVector},
      {"time()", ValueType::kScalar},      {"scalar(x)", ValueType::kScalar},
      {"vector(1)", ValueType::kVector},   {"sum(x)", ValueType::kVector},
      {"rate(x[5m])", ValueType::kVector}, {"1 > bool 2", ValueType::kScalar},
  };
  for (const auto& [text, type] : cases) {
    ExprPtr expr = MustParse(text);
    INFO(text);
    CHECK(expr->type == type);
  }
  ExprPtr expr = MustParse("rate(x[5m]) * scalar(y)");
  const auto& binary = static_cast<const BinaryExpr&>(*expr);
  CHECK(binary.lhs->type == ValueType::kVector);
  CHECK(binary.rhs->type == ValueType::kScalar);
  CHECK_FALSE(binary.matching.has_value());  // only between two instant vectors
  const auto& call = static_cast<const Call&>(*binary.lhs);
  CHECK(call.args[0]->type == ValueType::kMatrix);
  CHECK(static_cast<const Call&>(*binary.rhs).args[0]->type == ValueType::kVector);
}

TEST_CASE("PromQL parser: selectors carry their matchers, offset and range", "[promql][parser]") {
  ExprPtr expr = MustParse("http_requests_total{code=~\"5..\", job!=\"a\"}[5m] offset -1h");
  REQUIRE(expr->kind == ExprKind::kMatrixSelector);
  const auto& matrix = static_cast<const MatrixSelector&>(*expr);
  CHECK(matrix.range_ms == 5 * 60 * 1000);
  CHECK(matrix.selector->offset_ms == -3600 * 1000);
  CHECK(matrix.selector->name == "http_requests_total");
  REQUIRE(matrix.selector->matchers.size() == 3);
  CHECK(matrix.selector->matchers[0].type() == LabelMatcher::Type::kRegexMatch);
  CHECK(matrix.selector->matchers[0].Matches("503"));
  CHECK_FALSE(matrix.selector->matchers[0].Matches("5030"));
  CHECK(matrix.selector->matchers[1].type() == LabelMatcher::Type::kNotEqual);
  CHECK(matrix.selector->matchers[2].name() == "__name__");
  CHECK(matrix.selector->matchers[2].value() == "http_requests_total");
  CHECK(matrix.pos.start == 0);
  CHECK(matrix.pos.end == 57);  // the end of the offset

  ExprPtr repeated = MustParse("x{a=~\"b.*\", a!=\"bc\"}");
  CHECK(static_cast<const VectorSelector&>(*repeated).matchers.size() == 3);

  ExprPtr escaped = MustParse("{a=\"\\u00e9\\x41\\101\\n\", b='\"', c=`\\n`}");
  const auto& selector = static_cast<const VectorSelector&>(*escaped);
  CHECK(selector.name.empty());
  CHECK(selector.matchers[0].value() ==
        "\xc3\xa9"
        "AA\n");
  CHECK(selector.matchers[1].value() == "\"");
  CHECK(selector.matchers[2].value() == "\\n");
}

TEST_CASE("PromQL parser: what the agent does not evaluate is refused by name",
          "[promql][parser]") {
  const InvalidCase cases[] = {
      {"x[5m:1m]", "subqueries are not supported by the agent", 0},
      {"x[5m:]", "subqueries are not supported by the agent", 0},
      {"max_over_time(rate(x[5m])[1h:5m])", "subqueries are not supported by the agent", 14},
      {"x @ 100", "the @ modifier is not supported by the agent", 2},
      {"x[5m] @ end()", "the @ modifier is not supported by the agent", 6},
      {"x @ start()", "the @ modifier is not supported by the agent", 2},
      {"x @", "unexpected end of input in @, expected timestamp", 3},
      {"x atan2 y", "binary operator \"atan2\" is not supported by the agent", 2},
      {"holt_winters(x[5m], 0.5, 0.5)", "function \"holt_winters\" is not supported by the agent",
       0},
      {"sin(x)", "function \"sin\" is not supported by the agent", 0},
      {"1 + pi()", "function \"pi\" is not supported by the agent", 4},
      {"histogram_count(x)", "function \"histogram_count\" is not supported by the agent", 0},
      {"day_of_year()", "function \"day_of_year\" is not supported by the agent", 0},
      {"limitk(1, x)", "unknown function with name \"limitk\"", 0},
      {"foo(x)", "unknown function with name \"foo\"", 0},
  };
  for (const InvalidCase& c : cases) {
    ParseError error;
    INFO(c.text);
    CHECK(ParseExpr(c.text, &error) == nullptr);
    CHECK(error.message == c.message);
    CHECK(error.pos.start == c.start);
  }
}

TEST_CASE("PromQL parser: every function checks its arity as Prometheus does", "[promql][parser]") {
  // name, minimum and maximum argument count (-1: no maximum), per functions.go.
  struct Arity {
    const char* name;
    int min;
    int max;
  };
  const Arity arities[] = {
      {"abs", 1, 1},
      {"absent", 1, 1},
      {"absent_over_time", 1, 1},
      {"avg_over_time", 1, 1},
      {"ceil", 1, 1},
      {"changes", 1, 1},
      {"clamp", 3, 3},
      {"clamp_max", 2, 2},
      {"clamp_min", 2, 2},
      {"count_over_time", 1, 1},
      {"day_of_month", 0, 1},
      {"day_of_week", 0, 1},
      {"days_in_month", 0, 1},
      {"delta", 1, 1},
      {"deriv", 1, 1},
      {"exp", 1, 1},
      {"floor", 1, 1},
      {"histogram_quantile", 2, 2},
      {"hour", 0, 1},
      {"idelta", 1, 1},
      {"increase", 1, 1},
      {"irate", 1, 1},
      {"label_join", 3, -1},
      {"label_replace", 5, 5},
      {"last_over_time", 1, 1},
      {"ln", 1, 1},
      {"log10", 1, 1},
      {"log2", 1, 1},
      {"max_over_time", 1, 1},
      {"min_over_time", 1, 1},
      {"minute", 0, 1},
      {"month", 0, 1},
      {"predict_linear", 2, 2},
      {"present_over_time", 1, 1},
      {"quantile_over_time", 2, 2},
      {"rate", 1, 1},
      {"resets", 1, 1},
      {"round", 1, 2},
      {"scalar", 1, 1},
      {"sgn", 1, 1},
      {"sort", 1, 1},
      {"sort_desc", 1, 1},
      {"sqrt", 1, 1},
      {"stddev_over_time", 1, 1},
      {"stdvar_over_time", 1, 1},
      {"sum_over_time", 1, 1},
      {"time", 0, 0},
      {"timestamp", 1, 1},
      {"vector", 1, 1},
      {"year", 0, 1},
  };
  for (const Arity& arity : arities) {
    const std::string name = arity.name;
    INFO(name);
    REQUIRE(LookupFunction(name) != nullptr);
    const auto call_with = [&](int n) {
      std::string text = name + "(";
      for (int i = 0; i < n; ++i) text += i > 0 ? ", x" : "x";
      return text + ")";
    };
    const bool exact = arity.min == arity.max;
    if (arity.min > 0) {
      ParseError error;
      CHECK(ParseExpr(call_with(arity.min - 1), &error) == nullptr);
      CHECK(error.message == "expected " + std::string(exact ? "" : "at least ") +
                                 std::to_string(arity.min) + " argument(s) in call to \"" + name +
                                 "\", got " + std::to_string(arity.min - 1));
      CHECK(error.pos.start == 0);
    }
    if (arity.max >= 0) {
      ParseError error;
      CHECK(ParseExpr(call_with(arity.max + 1), &error) == nullptr);
      CHECK(error.message == "expected " + std::string(exact ? "" : "at most ") +
                                 std::to_string(arity.max) + " argument(s) in call to \"" + name +
                                 "\", got " + std::to_string(arity.max + 1));
    }
  }
  CHECK(LookupFunction("holt_winters") == nullptr);
  CHECK(LookupFunction("Rate") == nullptr);
  CHECK(LookupFunction("label_join")->variadic);
  CHECK(LookupFunction("round")->optional_args == 1);
  CHECK(LookupFunction("scalar")->return_type == ValueType::kScalar);
}

TEST_CASE("PromQL parser: nesting is bounded instead of overflowing the stack",
          "[promql][parser]") {
  ParseError error;
  CHECK(ParseExpr(std::string(900, '(') + "1" + std::string(900, ')'), &error) != nullptr);
  CHECK(ParseExpr(std::string(5000, '(') + "1" + std::string(5000, ')'), &error) == nullptr);
  CHECK(error.message == "expression nesting deeper than 1000 levels is not supported");

  std::string chain = "x";
  for (int i = 0; i < 5000; ++i) chain += " + x";
  CHECK(ParseExpr(chain, &error) == nullptr);
  CHECK(error.message == "expression nesting deeper than 1000 levels is not supported");

  CHECK(ParseExpr(std::string(5000, '-') + "x", &error) == nullptr);
  CHECK(ParseExpr("x" + std::string(5000, '^'), &error) == nullptr);

  std::string calls;
  for (int i = 0; i < 3000; ++i) calls += "abs(";
  calls += "x" + std::string(3000, ')');
  CHECK(ParseExpr(calls, &error) == nullptr);
  CHECK(error.message == "expression nesting deeper than 1000 levels is not supported");
}

TEST_CASE("PromQL parser: series labels for promtool's input_series", "[promql][parser]") {
  Labels labels;
  ParseError error;
  REQUIRE(ParseSeriesLabels("up{job=\"a\", instance='b'}", &labels, &error));
  CHECK(FormatLabels(labels) == "up{instance=\"b\", job=\"a\"}");
  REQUIRE(ParseSeriesLabels("{__name__=\"up\", a=\"1\",}", &labels, &error));
  CHECK(FormatLabels(labels) == "up{a=\"1\"}");
  REQUIRE(ParseSeriesLabels("sum", &labels, &error));
  CHECK(FormatLabels(labels) == "sum{}");
  REQUIRE(ParseSeriesLabels("a:b{c=\"\\n\"}", &labels, &error));
  CHECK(GetLabel(labels, "c") == "\n");

  CHECK_FALSE(ParseSeriesLabels("up{job!=\"a\"}", &labels, &error));
  CHECK(error.message == "unexpected <op:!=> in label set, expected \"=\"");
  CHECK(error.pos.start == 6);
  CHECK_FALSE(ParseSeriesLabels("up{job=~\"a\"}", &labels, &error));
  CHECK(error.message == "unexpected <op:=~> in label set, expected \"=\"");
  CHECK_FALSE(ParseSeriesLabels("up{job=\"a\" b=\"c\"}", &labels, &error));
  CHECK(error.message == "unexpected identifier \"b\" in label set, expected \",\" or \"}\"");
  CHECK_FALSE(ParseSeriesLabels("up{job=1}", &labels, &error));
  CHECK(error.message == "unexpected character inside braces: '1'");
  CHECK(error.pos.start == 7);
  CHECK_FALSE(ParseSeriesLabels("up{job=\"a\"", &labels, &error));
  CHECK(error.message == "unexpected end of input inside braces");
  CHECK_FALSE(ParseSeriesLabels("rate(x)", &labels, &error));
  CHECK(error.message == "unexpected \"(\"");
  CHECK_FALSE(ParseSeriesLabels("", &labels, &error));
  CHECK(error.message == "unexpected end of input");
}

TEST_CASE("PromQL parser: LineColumnAt counts lines and byte columns from 1", "[promql][parser]") {
  const std::string text = "sum(\n  rate(x[5m])\n) +";
  CHECK(LineColumnAt(text, 0).line == 1);
  CHECK(LineColumnAt(text, 0).column == 1);
  CHECK(LineColumnAt(text, 4).column == 5);
  CHECK(LineColumnAt(text, 5).line == 2);
  CHECK(LineColumnAt(text, 5).column == 1);
  CHECK(LineColumnAt(text, 7).column == 3);
  CHECK(LineColumnAt(text, static_cast<int>(text.size())).line == 3);
  CHECK(LineColumnAt(text, static_cast<int>(text.size())).column == 4);
  CHECK(LineColumnAt(text, 1000).line == 3);
  CHECK(LineColumnAt(text, -5).column == 1);

  ParseError error;
  CHECK(ParseExpr(text, &error) == nullptr);
  CHECK(error.message == "unexpected end of input");
  CHECK(LineColumnAt(text, error.pos.start).line == 3);
  CHECK(LineColumnAt(text, error.pos.start).column == 4);
}

}  // namespace
}  // namespace sidecar::promql
