// The numeric kernels of PromQL's functions, computed exactly as Prometheus 2.42 does (same
// operation order, Kahan-Neumaier sums where it uses them, same NaN/Inf cases), on plain point
// lists so they can be tested without storage or parser.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "agent/promql/value.h"

namespace sidecar::promql::internal {

// rate/increase/delta over `points` (time order, no stale markers) read from the window
// [range_start, range_end]; nullopt with fewer than two points. `is_counter` handles resets and
// extrapolates no further back than the counter's zero point; `is_rate` divides by range_ms.
std::optional<double> ExtrapolatedRate(std::span<const Point> points, Timestamp range_start,
                                       Timestamp range_end, int64_t range_ms, bool is_counter,
                                       bool is_rate);

// irate (is_rate) / idelta from the last two points; nullopt with fewer than two points or two
// points at the same time.
std::optional<double> InstantValue(std::span<const Point> points, bool is_rate);

// Least squares fit of the points, x in seconds relative to intercept_time.
struct Regression {
  double slope = 0;
  double intercept = 0;
};
Regression LinearRegression(std::span<const Point> points, Timestamp intercept_time);

// One step of Kahan-Neumaier summation: returns the new sum, updates `c`.
double KahanSumInc(double inc, double sum, double& c);

double SumOverTime(std::span<const Point> points);
double AvgOverTime(std::span<const Point> points);
double MinOverTime(std::span<const Point> points);
double MaxOverTime(std::span<const Point> points);
double StdvarOverTime(std::span<const Point> points);
double Changes(std::span<const Point> points);
double Resets(std::span<const Point> points);

// φ-quantile with linear interpolation between closest ranks, as Prometheus' quantile():
// NaN for no values or φ = NaN, -Inf for φ < 0, +Inf for φ > 1. Sorts `values`.
double Quantile(double q, std::vector<double>& values);

struct Bucket {
  double upper_bound = 0;
  double count = 0;
};
// histogram_quantile over classic buckets (any order): sorted, coalesced by bound, made
// monotonic; NaN without a +Inf bucket, with fewer than two buckets or with no observations.
double BucketQuantile(double q, std::vector<Bucket>& buckets);

// Go's strconv.ParseFloat(s, 64) for the forms label values use ("0.5", "+Inf", "1e3", "NaN").
std::optional<double> ParseGoFloat(std::string_view text);

}  // namespace sidecar::promql::internal
