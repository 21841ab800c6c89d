#include "agent/promql/engine.h"

#include <catch2/catch.hpp>

#include "agent/promql/eval_math.h"
#include "agent/promql/parser.h"
#include "tests/agent/promql/eval_test_util.h"

namespace sidecar::promql {
namespace {

ExprPtr Parse(const std::string& text) {
  ParseError error;
  ExprPtr expr = ParseExpr(text, &error);
  INFO(text << ": " << error.message);
  REQUIRE(expr != nullptr);
  return expr;
}

MemoryStorage Counters() {
  MemoryStorage storage;
  Labels a = MakeLabels({{"__name__", "c"}, {"k", "a"}});
  Labels b = MakeLabels({{"__name__", "c"}, {"k", "b"}});
  for (int i = 0; i <= 10; ++i) {
    REQUIRE(storage.Append(a, i * 60000, i * 10.0).ok());
    REQUIRE(storage.Append(b, i * 60000, 100.0 - i).ok());
  }
  return storage;
}

TEST_CASE("Evaluate: the result has the expression's type at the evaluation time",
          "[promql][engine]") {
  MemoryStorage storage = Counters();
  auto scalar = Evaluate(*Parse("1 + 2"), storage, 5000);
  REQUIRE(scalar.ok());
  CHECK(std::get<Scalar>(*scalar).v == 3);
  CHECK(std::get<Scalar>(*scalar).t == 5000);

  auto string = Evaluate(*Parse("\"hi\""), storage, 5000);
  REQUIRE(string.ok());
  CHECK(std::get<String>(*string).v == "hi");

  auto matrix = Evaluate(*Parse("c{k=\"a\"}[2m]"), storage, 600000);
  REQUIRE(matrix.ok());
  const Matrix& m = std::get<Matrix>(*matrix);
  REQUIRE(m.size() == 1);
  CHECK(GetLabel(m[0].metric, "__name__") == "c");
  CHECK(m[0].points == std::vector<Point>{{480000, 80}, {540000, 90}, {600000, 100}});

  auto vector = Evaluate(*Parse("c"), storage, 590000);
  REQUIRE(vector.ok());
  for (const auto& s : std::get<Vector>(*vector)) CHECK(s.t == 590000);
}

TEST_CASE("Evaluate: sort and sort_desc order the vector, NaN last", "[promql][engine]") {
  MemoryStorage storage;
  const double values[] = {3, kNaN, 1, 2};
  for (int i = 0; i < 4; ++i) {
    REQUIRE(storage.Append(MakeLabels({{"__name__", "x"}, {"i", std::to_string(i)}}), 0, values[i])
                .ok());
  }
  auto asc = Evaluate(*Parse("sort(x)"), storage, 0);
  REQUIRE(asc.ok());
  const Vector& a = std::get<Vector>(*asc);
  REQUIRE(a.size() == 4);
  CHECK(a[0].v == 1);
  CHECK(a[1].v == 2);
  CHECK(a[2].v == 3);
  CHECK(std::isnan(a[3].v));
  auto desc = Evaluate(*Parse("sort_desc(x)"), storage, 0);
  REQUIRE(desc.ok());
  const Vector& d = std::get<Vector>(*desc);
  CHECK(d[0].v == 3);
  CHECK(d[2].v == 1);
  CHECK(std::isnan(d[3].v));
}

TEST_CASE("Evaluate: the lookback delta is an option", "[promql][engine]") {
  MemoryStorage storage;
  REQUIRE(storage.Append(MakeLabels({{"__name__", "x"}}), 0, 1).ok());
  EvalOptions options;
  options.lookback_ms = 60000;
  CHECK(std::get<Vector>(*Evaluate(*Parse("x"), storage, 60000, options)).size() == 1);
  CHECK(std::get<Vector>(*Evaluate(*Parse("x"), storage, 60001, options)).empty());
  CHECK(std::get<Vector>(*Evaluate(*Parse("x"), storage, 300000)).size() == 1);
}

TEST_CASE("MaxLookbackMs: the largest range or lookback plus offset", "[promql][engine]") {
  struct {
    const char* expr;
    int64_t want;
  } cases[] = {
      {"1", 0},
      {"up", 300000},
      {"up offset 1m", 360000},
      {"rate(x[10m])", 600000},
      {"rate(x[1m] offset 1h) + up", 3660000},
      {"sum(rate(x[30s])) / avg_over_time(y[15m])", 900000},
      {"up offset -1m", 240000},
  };
  for (const auto& c : cases) {
    INFO(c.expr);
    CHECK(MaxLookbackMs(*Parse(c.expr)) == c.want);
  }
  EvalOptions options;
  options.lookback_ms = 1000;
  CHECK(MaxLookbackMs(*Parse("up"), options) == 1000);
}

TEST_CASE("ExtrapolatedRate: Prometheus' extrapolation on point lists", "[promql][engine]") {
  using internal::ExtrapolatedRate;
  // Samples every 60s over a 5m window ending on a sample: extrapolates half an interval back.
  std::vector<Point> points = {{60000, 10}, {120000, 20}, {180000, 30}, {240000, 40}, {300000, 50}};
  CHECK(*ExtrapolatedRate(points, 0, 300000, 300000, true, false) == Approx(50));
  CHECK(*ExtrapolatedRate(points, 0, 300000, 300000, true, true) == Approx(50.0 / 300));
  // A counter is not extrapolated below zero.
  std::vector<Point> from_zero = {{60000, 0}, {120000, 10}};
  CHECK(*ExtrapolatedRate(from_zero, 0, 120000, 120000, true, false) == Approx(10));
  CHECK(*ExtrapolatedRate(from_zero, 0, 120000, 120000, false, false) == Approx(20));
  // A reset adds the value before it: 5 -> 8, reset, 0 -> 2 is an increase of 5.
  std::vector<Point> reset = {{0, 5}, {60000, 8}, {120000, 2}};
  CHECK(*ExtrapolatedRate(reset, 0, 120000, 120000, true, false) == Approx(5));
  CHECK_FALSE(ExtrapolatedRate(std::vector<Point>{{0, 1}}, 0, 60000, 60000, true, true));
  CHECK(*internal::InstantValue(reset, true) == Approx(2.0 / 60));
  CHECK(*internal::InstantValue(reset, false) == Approx(-6));
}

TEST_CASE("BucketQuantile and Quantile: interpolation and NaN cases", "[promql][engine]") {
  std::vector<internal::Bucket> buckets = {{kInf, 100}, {1, 50}, {0.5, 20}};
  CHECK(internal::BucketQuantile(0.5, buckets) == Approx(1));
  std::vector<internal::Bucket> no_inf = {{1, 50}, {2, 100}};
  CHECK(std::isnan(internal::BucketQuantile(0.5, no_inf)));
  std::vector<double> values = {4, 1, 3, 2};
  CHECK(internal::Quantile(0.5, values) == Approx(2.5));
  CHECK(internal::Quantile(2, values) == kInf);
  CHECK(internal::ParseGoFloat("+Inf") == kInf);
  CHECK_FALSE(internal::ParseGoFloat("1e400"));
  CHECK_FALSE(internal::ParseGoFloat(" 1"));
  CHECK_FALSE(internal::ParseGoFloat("0x10"));
}

}  // namespace
}  // namespace sidecar::promql
