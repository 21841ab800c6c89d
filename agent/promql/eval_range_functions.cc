// Functions over range vectors, evaluated as Prometheus 2.42's engine does for a call with a
// matrix argument: one value per series from its points in the window, the metric name dropped
// (except by last_over_time), series with no value left out.
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "agent/promql/eval_internal.h"
#include "agent/promql/eval_math.h"

namespace sidecar::promql::internal {
namespace {

struct RangeArgs {
  std::span<const Point> points;  // never empty
  Timestamp eval_t = 0;
  Timestamp range_start = 0;  // t - offset - range
  Timestamp range_end = 0;    // t - offset
  int64_t range_ms = 0;
  double scalar = 0;  // quantile_over_time's φ, predict_linear's t
};

using RangeFn = std::optional<double> (*)(const RangeArgs&);

std::optional<double> Rate(const RangeArgs& a) {
  return ExtrapolatedRate(a.points, a.range_start, a.range_end, a.range_ms, true, true);
}
std::optional<double> Increase(const RangeArgs& a) {
  return ExtrapolatedRate(a.points, a.range_start, a.range_end, a.range_ms, true, false);
}
std::optional<double> Delta(const RangeArgs& a) {
  return ExtrapolatedRate(a.points, a.range_start, a.range_end, a.range_ms, false, false);
}
std::optional<double> Irate(const RangeArgs& a) { return InstantValue(a.points, true); }
std::optional<double> Idelta(const RangeArgs& a) { return InstantValue(a.points, false); }

std::optional<double> Deriv(const RangeArgs& a) {
  if (a.points.size() < 2) return std::nullopt;
  // Relative to the first point's time, to keep x small (Prometheus issue 2674).
  return LinearRegression(a.points, a.points.front().t).slope;
}

std::optional<double> PredictLinear(const RangeArgs& a) {
  if (a.points.size() < 2) return std::nullopt;
  Regression r = LinearRegression(a.points, a.eval_t);
  return r.slope * a.scalar + r.intercept;
}

std::optional<double> QuantileOverTime(const RangeArgs& a) {
  std::vector<double> values;
  values.reserve(a.points.size());
  for (const Point& p : a.points) values.push_back(p.v);
  return Quantile(a.scalar, values);
}

const std::unordered_map<std::string_view, RangeFn>& RangeFunctions() {
  static const auto* table = new std::unordered_map<std::string_view, RangeFn>{
      {"rate", Rate},
      {"increase", Increase},
      {"delta", Delta},
      {"irate", Irate},
      {"idelta", Idelta},
      {"deriv", Deriv},
      {"predict_linear", PredictLinear},
      {"quantile_over_time", QuantileOverTime},
      {"changes", [](const RangeArgs& a) -> std::optional<double> { return Changes(a.points); }},
      {"resets", [](const RangeArgs& a) -> std::optional<double> { return Resets(a.points); }},
      {"avg_over_time",
       [](const RangeArgs& a) -> std::optional<double> { return AvgOverTime(a.points); }},
      {"sum_over_time",
       [](const RangeArgs& a) -> std::optional<double> { return SumOverTime(a.points); }},
      {"min_over_time",
       [](const RangeArgs& a) -> std::optional<double> { return MinOverTime(a.points); }},
      {"max_over_time",
       [](const RangeArgs& a) -> std::optional<double> { return MaxOverTime(a.points); }},
      {"count_over_time",
       [](const RangeArgs& a) -> std::optional<double> {
         return static_cast<double>(a.points.size());
       }},
      {"last_over_time",
       [](const RangeArgs& a) -> std::optional<double> { return a.points.back().v; }},
      {"stdvar_over_time",
       [](const RangeArgs& a) -> std::optional<double> { return StdvarOverTime(a.points); }},
      {"stddev_over_time",
       [](const RangeArgs& a) -> std::optional<double> {
         return std::sqrt(StdvarOverTime(a.points));
       }},
      {"present_over_time", [](const RangeArgs&) -> std::optional<double> { return 1.0; }},
  };
  return *table;
}

}  // namespace

Result<Value> EvalRangeCall(Evaluator& ev, const Call& call, size_t matrix_arg) {
  std::string_view name = call.func->name;
  double scalar = 0;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_arg) continue;
    auto v = ev.EvalScalar(*call.args[i]);
    if (!v.ok()) return v.status();
    scalar = *v;
  }
  const auto& selector = static_cast<const MatrixSelector&>(UnwrapParens(*call.args[matrix_arg]));
  Matrix matrix = ev.SelectMatrix(selector);

  if (name == "absent_over_time") {
    Vector out;
    if (matrix.empty()) out.push_back(Sample{AbsentLabels(*call.args[matrix_arg]), ev.time(), 1});
    return Value(std::move(out));
  }

  auto fn = RangeFunctions().find(name);
  if (fn == RangeFunctions().end()) {
    return Status::InvalidArgument("function \"" + std::string(name) + "\" is not implemented");
  }
  RangeArgs args;
  args.eval_t = ev.time();
  args.range_end = ev.time() - selector.selector->offset_ms;
  args.range_start = args.range_end - selector.range_ms;
  args.range_ms = selector.range_ms;
  args.scalar = scalar;
  bool keep_name = name == "last_over_time";

  Vector out;
  out.reserve(matrix.size());
  for (auto& series : matrix) {
    args.points = series.points;
    std::optional<double> v = fn->second(args);
    if (!v) continue;
    if (!keep_name) SetLabel(series.metric, kMetricName, "");
    out.push_back(Sample{std::move(series.metric), ev.time(), *v});
  }
  SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(out));
  return Value(std::move(out));
}

}  // namespace sidecar::promql::internal
