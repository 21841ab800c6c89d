// The values PromQL computes with, as Prometheus 2.x defines them: label sets, samples, instant
// vectors, range vectors (matrices), scalars and strings. Time is milliseconds since the Unix
// epoch, as in Prometheus' storage and in promtool's unit tests.
//
// Plain value types: thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sidecar::promql {

using Timestamp = int64_t;  // milliseconds since the epoch

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
  auto operator<=>(const Label&) const = default;
};

// A label set: sorted by name, names unique, no empty values (an empty value means "absent",
// as in Prometheus). Build one with MakeLabels; keep it sorted when editing.
using Labels = std::vector<Label>;

// Sorts, drops empty values, and keeps the last of duplicate names.
Labels MakeLabels(std::vector<Label> labels);
// The value of `name`, or "" when absent.
std::string_view GetLabel(const Labels& labels, std::string_view name);
// Sets (or with an empty value removes) one label, keeping the set sorted.
void SetLabel(Labels& labels, std::string_view name, std::string_view value);
// `labels` without __name__.
Labels DropMetricName(Labels labels);
// {a="1", b="2"} with __name__ written in front as Prometheus prints it: up{job="x"}.
// Values are escaped as in the exposition format.
std::string FormatLabels(const Labels& labels);
// A stable 64-bit hash of the whole set (for maps keyed by series).
uint64_t HashLabels(const Labels& labels);

// Prometheus' staleness marker: a NaN with this exact bit pattern, written to a series that
// disappeared. Queries never return it; an instant selector that meets it returns nothing.
double StaleNaN();
bool IsStaleNaN(double value);

struct Point {
  Timestamp t = 0;
  double v = 0;
  bool operator==(const Point&) const = default;
};

// One element of an instant vector.
struct Sample {
  Labels metric;
  Timestamp t = 0;
  double v = 0;
};
using Vector = std::vector<Sample>;

// One element of a range vector: a series and its points in time order.
struct Series {
  Labels metric;
  std::vector<Point> points;
};
using Matrix = std::vector<Series>;

struct Scalar {
  Timestamp t = 0;
  double v = 0;
};

struct String {
  Timestamp t = 0;
  std::string v;
};

enum class ValueType { kScalar, kVector, kMatrix, kString };
std::string_view ValueTypeName(ValueType type);  // "scalar", "instant vector", ...

using Value = std::variant<Scalar, Vector, Matrix, String>;

// Formats a float as Prometheus prints sample values (Go's shortest round-trip form, as
// fmt's %v: 1, 0.5, 100000, 1e+06, 1.5e-07, +Inf, -Inf, NaN).
std::string FormatValue(double value);

}  // namespace sidecar::promql
