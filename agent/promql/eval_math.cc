#include "agent/promql/eval_math.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "agent/promql/eval_internal.h"

namespace sidecar::promql::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

std::optional<double> ExtrapolatedRate(std::span<const Point> points, Timestamp range_start,
                                       Timestamp range_end, int64_t range_ms, bool is_counter,
                                       bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const Point& first = points.front();
  const Point& last = points.back();
  double result = last.v - first.v;
  if (is_counter) {
    double prev = first.v;
    for (const Point& p : points.subspan(1)) {
      if (p.v < prev) result += prev;
      prev = p.v;
    }
  }

  double duration_to_start = static_cast<double>(first.t - range_start) / 1000;
  double duration_to_end = static_cast<double>(range_end - last.t) / 1000;
  double sampled_interval = static_cast<double>(last.t - first.t) / 1000;
  double average_between = sampled_interval / static_cast<double>(points.size() - 1);

  if (is_counter && result > 0 && first.v >= 0) {
    // A counter starts at zero: extrapolate no further back than where it would have been zero.
    double duration_to_zero = sampled_interval * (first.v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }

  double threshold = average_between * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to += duration_to_start < threshold ? duration_to_start : average_between / 2;
  extrapolate_to += duration_to_end < threshold ? duration_to_end : average_between / 2;
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= static_cast<double>(range_ms) / 1000;
  return result * factor;
}

std::optional<double> InstantValue(std::span<const Point> points, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const Point& last = points[points.size() - 1];
  const Point& previous = points[points.size() - 2];
  double result = (is_rate && last.v < previous.v) ? last.v : last.v - previous.v;
  int64_t interval = last.t - previous.t;
  if (interval == 0) return std::nullopt;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return result;
}

double KahanSumInc(double inc, double sum, double& c) {
  double t = sum + inc;
  // Neumaier's improvement: compensate with whichever term is larger.
  if (std::abs(sum) >= std::abs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  return t;
}

Regression LinearRegression(std::span<const Point> points, Timestamp intercept_time) {
  double n = 0;
  double sum_x = 0, c_x = 0;
  double sum_y = 0, c_y = 0;
  double sum_xy = 0, c_xy = 0;
  double sum_x2 = 0, c_x2 = 0;
  double init_y = points.front().v;
  bool const_y = true;
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (const_y && i > 0 && p.v != init_y) const_y = false;
    n += 1.0;
    double x = static_cast<double>(p.t - intercept_time) / 1e3;
    sum_x = KahanSumInc(x, sum_x, c_x);
    sum_y = KahanSumInc(p.v, sum_y, c_y);
    sum_xy = KahanSumInc(x * p.v, sum_xy, c_xy);
    sum_x2 = KahanSumInc(x * x, sum_x2, c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  double cov_xy = sum_xy - sum_x * sum_y / n;
  double var_x = sum_x2 - sum_x * sum_x / n;
  double slope = cov_xy / var_x;
  return {slope, sum_y / n - slope * sum_x / n};
}

double SumOverTime(std::span<const Point> points) {
  double sum = 0, c = 0;
  for (const Point& p : points) sum = KahanSumInc(p.v, sum, c);
  if (std::isinf(sum)) return sum;
  return sum + c;
}

double AvgOverTime(std::span<const Point> points) {
  double mean = 0, count = 0, c = 0;
  for (const Point& p : points) {
    count++;
    if (std::isinf(mean)) {
      // An infinite mean stays as it is unless an opposite infinity or a NaN arrives (Inf - Inf
      // in the update below would turn it into NaN).
      if (std::isinf(p.v) && (mean > 0) == (p.v > 0)) continue;
      if (!std::isinf(p.v) && !std::isnan(p.v)) continue;
    }
    mean = KahanSumInc(p.v / count - mean / count, mean, c);
  }
  if (std::isinf(mean)) return mean;
  return mean + c;
}

double MinOverTime(std::span<const Point> points) {
  double min = points.front().v;
  for (const Point& p : points) {
    if (p.v < min || std::isnan(min)) min = p.v;
  }
  return min;
}

double MaxOverTime(std::span<const Point> points) {
  double max = points.front().v;
  for (const Point& p : points) {
    if (p.v > max || std::isnan(max)) max = p.v;
  }
  return max;
}

double StdvarOverTime(std::span<const Point> points) {
  double count = 0;
  double mean = 0, c_mean = 0;
  double aux = 0, c_aux = 0;
  for (const Point& p : points) {
    count++;
    double delta = p.v - (mean + c_mean);
    mean = KahanSumInc(delta / count, mean, c_mean);
    aux = KahanSumInc(delta * (p.v - (mean + c_mean)), aux, c_aux);
  }
  return (aux + c_aux) / count;
}

double Changes(std::span<const Point> points) {
  int changes = 0;
  double prev = points.front().v;
  for (const Point& p : points.subspan(1)) {
    if (p.v != prev && !(std::isnan(p.v) && std::isnan(prev))) changes++;
    prev = p.v;
  }
  return changes;
}

double Resets(std::span<const Point> points) {
  int resets = 0;
  double prev = points.front().v;
  for (const Point& p : points.subspan(1)) {
    if (p.v < prev) resets++;
    prev = p.v;
  }
  return resets;
}

double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(values.begin(), values.end(), NaNFirstLess);
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

double BucketQuantile(double q, std::vector<Bucket>& buckets) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) {
    return NaNFirstLess(a.upper_bound, b.upper_bound);
  });
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return kNaN;

  // Merge buckets with the same bound (e.g. "1" and "1.0").
  size_t n = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == buckets[n].upper_bound) {
      buckets[n].count += buckets[i].count;
    } else {
      buckets[++n] = buckets[i];
    }
  }
  buckets.resize(n + 1);

  // Counts scraped or rated non-atomically may decrease: take the envelope.
  double max = buckets[0].count;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].count > max) {
      max = buckets[i].count;
    } else if (buckets[i].count < max) {
      buckets[i].count = max;
    }
  }

  if (buckets.size() < 2) return kNaN;
  double observations = buckets.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first with count >= rank.
  size_t b = 0;
  size_t hi = buckets.size() - 1;
  while (b < hi) {
    size_t mid = b + (hi - b) / 2;
    if (!(buckets[mid].count >= rank)) {
      b = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].upper_bound;
  if (b == 0 && buckets[0].upper_bound <= 0) return buckets[0].upper_bound;
  double bucket_start = 0;
  double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

std::optional<double> ParseGoFloat(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  size_t body = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  if (body >= s.size()) return std::nullopt;
  for (char c : s) {
    // strtod would also take leading spaces, "nan(...)" and underscores-free hex without 'p'.
    if (c == ' ' || c == '\t' || c == '\n' || c == '(' || c == '_') return std::nullopt;
  }
  if (body == 1 && (s[1] == 'n' || s[1] == 'N')) return std::nullopt;  // Go refuses "+NaN"
  bool hex = s.size() > body + 1 && s[body] == '0' && (s[body + 1] == 'x' || s[body + 1] == 'X');
  if (hex && s.find_first_of("pP") == std::string::npos) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(v)) return std::nullopt;  // Go: ErrRange on overflow
  return v;
}

}  // namespace sidecar::promql::internal
