// Function calls: dispatch by name, and the functions over instant vectors and scalars, as
// Prometheus 2.42's functions.go computes them (math functions drop the metric name; label
// functions keep it).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "agent/promql/eval_internal.h"
#include "agent/promql/eval_math.h"

namespace sidecar::promql::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The evaluated arguments; string arguments are not evaluated (read them from the call).
struct Args {
  Evaluator& ev;
  const Call& call;
  std::vector<Value> values;

  Vector& vector(size_t i) { return std::get<Vector>(values[i]); }
  double scalar(size_t i) const { return std::get<Scalar>(values[i]).v; }
};

using InstantFn = Result<Value> (*)(Args&);

// Go's math.Max / math.Min: an infinity wins over NaN, NaN over numbers, +0 over -0.
double GoMax(double x, double y) {
  if ((std::isinf(x) && x > 0) || (std::isinf(y) && y > 0)) return kInf;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if ((std::isinf(x) && x < 0) || (std::isinf(y) && y < 0)) return -kInf;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

template <typename F>
Value MapValues(Vector& in, F f) {
  for (auto& sample : in) {
    SetLabel(sample.metric, kMetricName, "");
    sample.v = f(sample.v);
  }
  return Value(std::move(in));
}

template <double (*F)(double)>
Result<Value> Simple(Args& a) {
  return MapValues(a.vector(0), F);
}

double Sgn(double v) { return v < 0 ? -1 : (v > 0 ? 1 : v); }
double Rad(double v) { return v * M_PI / 180; }
double Deg(double v) { return v * 180 / M_PI; }
double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
double Log2(double v) { return std::log2(v); }
double Log10(double v) { return std::log10(v); }

Result<Value> Round(Args& a) {
  double to_nearest = a.values.size() >= 2 ? a.scalar(1) : 1;
  double inverse = 1.0 / to_nearest;  // fewer accuracy issues than dividing by to_nearest
  return MapValues(a.vector(0),
                   [inverse](double v) { return std::floor(v * inverse + 0.5) / inverse; });
}

Result<Value> Clamp(Args& a) {
  double min = a.scalar(1), max = a.scalar(2);
  if (max < min) return Value(Vector{});
  return MapValues(a.vector(0), [min, max](double v) { return GoMax(min, GoMin(max, v)); });
}

Result<Value> ClampMin(Args& a) {
  double min = a.scalar(1);
  return MapValues(a.vector(0), [min](double v) { return GoMax(min, v); });
}

Result<Value> ClampMax(Args& a) {
  double max = a.scalar(1);
  return MapValues(a.vector(0), [max](double v) { return GoMin(max, v); });
}

Result<Value> Time(Args& a) {
  return Value(Scalar{a.ev.time(), static_cast<double>(a.ev.time()) / 1000});
}

Result<Value> Pi(Args& a) { return Value(Scalar{a.ev.time(), M_PI}); }

Result<Value> ScalarFn(Args& a) {
  Vector& in = a.vector(0);
  return Value(Scalar{a.ev.time(), in.size() == 1 ? in[0].v : kNaN});
}

Result<Value> VectorFn(Args& a) { return Value(Vector{Sample{{}, a.ev.time(), a.scalar(0)}}); }

Result<Value> TimestampFn(Args& a) {
  Vector& in = a.vector(0);
  for (auto& sample : in) {
    SetLabel(sample.metric, kMetricName, "");
    sample.v = static_cast<double>(sample.t) / 1000;
    sample.t = a.ev.time();
  }
  return Value(std::move(in));
}

Result<Value> Sort(Args& a) {
  Vector& in = a.vector(0);
  // Ascending, NaN last.
  std::stable_sort(in.begin(), in.end(), [](const Sample& x, const Sample& y) {
    return !std::isnan(x.v) && (std::isnan(y.v) || x.v < y.v);
  });
  return Value(std::move(in));
}

Result<Value> SortDesc(Args& a) {
  Vector& in = a.vector(0);
  // Descending, NaN last.
  std::stable_sort(in.begin(), in.end(), [](const Sample& x, const Sample& y) {
    return !std::isnan(x.v) && (std::isnan(y.v) || x.v > y.v);
  });
  return Value(std::move(in));
}

Result<Value> Absent(Args& a) {
  Vector out;
  if (a.vector(0).empty()) out.push_back(Sample{AbsentLabels(*a.call.args[0]), a.ev.time(), 1});
  return Value(std::move(out));
}

Result<Value> LabelReplaceFn(Args& a) {
  auto out = LabelReplace(a.call, std::move(a.vector(0)));
  if (!out.ok()) return out.status();
  return Value(std::move(*out));
}

Result<Value> LabelJoinFn(Args& a) {
  auto out = LabelJoin(a.call, std::move(a.vector(0)));
  if (!out.ok()) return out.status();
  return Value(std::move(*out));
}

Result<Value> HistogramQuantile(Args& a) {
  double q = a.scalar(0);
  Vector& in = a.vector(1);
  struct Group {
    Labels metric;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;
  std::unordered_map<uint64_t, size_t> index;
  for (auto& sample : in) {
    std::optional<double> bound = ParseGoFloat(GetLabel(sample.metric, "le"));
    if (!bound) continue;  // no or malformed bucket label
    // Grouped by all labels but `le` (the name included); the result has neither.
    uint64_t key = HashLabelsWithout(sample.metric, "le");
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      SetLabel(sample.metric, kMetricName, "");
      SetLabel(sample.metric, "le", "");
      groups.push_back(Group{std::move(sample.metric), {}});
    }
    groups[it->second].buckets.push_back(Bucket{*bound, sample.v});
  }
  Vector out;
  out.reserve(groups.size());
  for (auto& group : groups) {
    out.push_back(Sample{std::move(group.metric), a.ev.time(), BucketQuantile(q, group.buckets)});
  }
  return Value(std::move(out));
}

// Go's int64(float64) on amd64: truncation, and the minimum for NaN and out-of-range values.
int64_t GoInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

struct CivilTime {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int hour, minute;
  int weekday;  // 0 = Sunday
  int yearday;  // 1..366
};

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

CivilTime ToCivil(int64_t seconds) {
  // Howard Hinnant's civil_from_days.
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  CivilTime c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  static const int kBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yearday = kBefore[c.month - 1] + c.day + (c.month > 2 && IsLeap(c.year) ? 1 : 0);
  return c;
}

double DaysInMonth(const CivilTime& c) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return c.month == 2 && IsLeap(c.year) ? 29 : kDays[c.month - 1];
}

template <double (*F)(const CivilTime&)>
Result<Value> DateFn(Args& a) {
  if (a.values.empty()) {
    return Value(Vector{Sample{{}, a.ev.time(), F(ToCivil(a.ev.time() / 1000))}});
  }
  return MapValues(a.vector(0), [](double v) { return F(ToCivil(GoInt64(v))); });
}

double Minute(const CivilTime& c) { return c.minute; }
double Hour(const CivilTime& c) { return c.hour; }
double DayOfWeek(const CivilTime& c) { return c.weekday; }
double DayOfMonth(const CivilTime& c) { return c.day; }
double DayOfYear(const CivilTime& c) { return c.yearday; }
double Month(const CivilTime& c) { return c.month; }
double Year(const CivilTime& c) { return static_cast<double>(c.year); }

const std::unordered_map<std::string_view, InstantFn>& InstantFunctions() {
  static const auto* table = new std::unordered_map<std::string_view, InstantFn>{
      {"abs", Simple<Abs>},
      {"ceil", Simple<Ceil>},
      {"floor", Simple<Floor>},
      {"exp", Simple<Exp>},
      {"sqrt", Simple<Sqrt>},
      {"ln", Simple<Ln>},
      {"log2", Simple<Log2>},
      {"log10", Simple<Log10>},
      {"sgn", Simple<Sgn>},
      {"sin", Simple<static_cast<double (*)(double)>(std::sin)>},
      {"cos", Simple<static_cast<double (*)(double)>(std::cos)>},
      {"tan", Simple<static_cast<double (*)(double)>(std::tan)>},
      {"asin", Simple<static_cast<double (*)(double)>(std::asin)>},
      {"acos", Simple<static_cast<double (*)(double)>(std::acos)>},
      {"atan", Simple<static_cast<double (*)(double)>(std::atan)>},
      {"sinh", Simple<static_cast<double (*)(double)>(std::sinh)>},
      {"cosh", Simple<static_cast<double (*)(double)>(std::cosh)>},
      {"tanh", Simple<static_cast<double (*)(double)>(std::tanh)>},
      {"asinh", Simple<static_cast<double (*)(double)>(std::asinh)>},
      {"acosh", Simple<static_cast<double (*)(double)>(std::acosh)>},
      {"atanh", Simple<static_cast<double (*)(double)>(std::atanh)>},
      {"rad", Simple<Rad>},
      {"deg", Simple<Deg>},
      {"round", Round},
      {"clamp", Clamp},
      {"clamp_min", ClampMin},
      {"clamp_max", ClampMax},
      {"time", Time},
      {"pi", Pi},
      {"scalar", ScalarFn},
      {"vector", VectorFn},
      {"timestamp", TimestampFn},
      {"sort", Sort},
      {"sort_desc", SortDesc},
      {"absent", Absent},
      {"label_replace", LabelReplaceFn},
      {"label_join", LabelJoinFn},
      {"histogram_quantile", HistogramQuantile},
      {"minute", DateFn<Minute>},
      {"hour", DateFn<Hour>},
      {"day_of_week", DateFn<DayOfWeek>},
      {"day_of_month", DateFn<DayOfMonth>},
      {"day_of_year", DateFn<DayOfYear>},
      {"days_in_month", DateFn<DaysInMonth>},
      {"month", DateFn<Month>},
      {"year", DateFn<Year>},
  };
  return *table;
}

}  // namespace

Result<Value> EvalCall(Evaluator& ev, const Call& call) {
  std::string_view name = call.func->name;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (UnwrapParens(*call.args[i]).kind == ExprKind::kMatrixSelector) {
      return EvalRangeCall(ev, call, i);
    }
  }
  auto fn = InstantFunctions().find(name);
  if (fn == InstantFunctions().end()) {
    return Status::InvalidArgument("function \"" + std::string(name) + "\" is not implemented");
  }
  Args args{ev, call, {}};
  args.values.reserve(call.args.size());
  const Expr* first = call.args.empty() ? nullptr : &UnwrapParens(*call.args[0]);
  if (name == "timestamp" && first->kind == ExprKind::kVectorSelector) {
    // The samples' own times, not the evaluation time every other vector carries.
    args.values.push_back(ev.SelectVector(static_cast<const VectorSelector&>(*first), true));
  } else {
    for (const auto& arg : call.args) {
      if (arg->type == ValueType::kString) {
        args.values.emplace_back(String{});
        continue;
      }
      auto value = ev.Eval(*arg);
      if (!value.ok()) return value.status();
      args.values.push_back(std::move(*value));
    }
  }
  auto result = fn->second(args);
  if (!result.ok()) return result;
  if (auto* vector = std::get_if<Vector>(&*result)) {
    SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(*vector));
  }
  return result;
}

}  // namespace sidecar::promql::internal
