// Aggregation operators, as Prometheus 2.42's aggregation(): groups in order of first
// appearance, `without` also drops the metric name, topk/bottomk keep whole series (selected
// with Go's container/heap so ties resolve the same way), avg with its incremental mean.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>

#include "agent/promql/eval_internal.h"
#include "agent/promql/eval_math.h"

namespace sidecar::promql::internal {
namespace {

struct Group {
  Labels labels;
  double value = 0;
  double mean = 0;
  int64_t count = 0;
  std::vector<size_t> heap;    // topk/bottomk: indexes into the input vector
  std::vector<double> values;  // quantile
};

// Go's container/heap over indexes into `in`, ordered by `less` on values.
template <typename Less>
class IndexHeap {
 public:
  IndexHeap(std::vector<size_t>& h, const Vector& in, Less less) : h_(h), in_(in), less_(less) {}

  void Push(size_t index) {
    h_.push_back(index);
    Up(h_.size() - 1);
  }
  void Pop() {
    size_t n = h_.size() - 1;
    std::swap(h_[0], h_[n]);
    Down(0, n);
    h_.pop_back();
  }

 private:
  bool LessAt(size_t i, size_t j) const { return less_(in_[h_[i]].v, in_[h_[j]].v); }
  void Up(size_t j) {
    while (j > 0) {
      size_t i = (j - 1) / 2;
      if (!LessAt(j, i)) break;
      std::swap(h_[i], h_[j]);
      j = i;
    }
  }
  void Down(size_t i, size_t n) {
    for (;;) {
      size_t j = 2 * i + 1;
      if (j >= n) break;
      if (j + 1 < n && LessAt(j + 1, j)) ++j;
      if (!LessAt(j, i)) break;
      std::swap(h_[i], h_[j]);
      i = j;
    }
  }
  std::vector<size_t>& h_;
  const Vector& in_;
  Less less_;
};

// vectorByValueHeap / vectorByReverseValueHeap's Less, NaN first in both.
bool HeapLess(double a, double b) { return std::isnan(a) || a < b; }
bool ReverseHeapLess(double a, double b) { return std::isnan(a) || a > b; }

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest round-trip digits laid out without an
// exponent (1e+21 is "1000000000000000000000", not the exact binary value).
std::string FormatFloatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf, end - buf);
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
    return out;
  }
  size_t int_len = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
  } else {
    out += digits.substr(0, int_len);
    out += '.';
    out += digits.substr(int_len);
  }
  return out;
}

bool Listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

uint64_t GroupingKey(const Labels& metric, const std::vector<std::string>& grouping, bool without) {
  if (!without && grouping.empty()) return 0;
  return MatchingSignature(metric, !without, grouping);
}

Labels GroupLabels(const Labels& metric, const std::vector<std::string>& grouping, bool without) {
  Labels out;
  if (!without && grouping.empty()) return out;
  for (const auto& label : metric) {
    bool listed = Listed(grouping, label.name);
    if (without ? (!listed && label.name != kMetricName) : listed) out.push_back(label);
  }
  return out;
}

}  // namespace

Result<Vector> EvalAggregate(Evaluator& ev, const AggregateExpr& e) {
  const AggregateOp op = e.op;
  double param = 0;
  std::string value_label;
  if (op == AggregateOp::kCountValues) {
    value_label = StringArg(*e.param);
  } else if (e.param) {
    auto p = ev.EvalScalar(*e.param);
    if (!p.ok()) return p.status();
    param = *p;
  }
  auto input = ev.EvalVector(*e.expr);
  if (!input.ok()) return input.status();
  Vector& in = *input;

  int64_t k = 0;
  if (op == AggregateOp::kTopK || op == AggregateOp::kBottomK) {
    if (!(param <= 9223372036854774784.0 && param >= -9223372036854775808.0)) {
      return Status::InvalidArgument("Scalar value " + FormatValue(param) + " overflows int64");
    }
    k = static_cast<int64_t>(param);
    if (k < 1) return Vector{};
  }
  std::vector<std::string> grouping = e.grouping;
  if (op == AggregateOp::kCountValues) {
    if (!IsValidLabelName(value_label)) {
      return Status::InvalidArgument("invalid label name " + GoQuote(value_label));
    }
    if (!e.without) grouping.push_back(value_label);
    for (auto& sample : in) SetLabel(sample.metric, value_label, FormatFloatF(sample.v));
  }

  std::vector<Group> groups;
  std::unordered_map<uint64_t, size_t> index;
  for (size_t si = 0; si < in.size(); ++si) {
    const Sample& s = in[si];
    auto [it, inserted] =
        index.try_emplace(GroupingKey(s.metric, grouping, e.without), groups.size());
    if (inserted) {
      Group g;
      g.labels = GroupLabels(s.metric, grouping, e.without);
      g.value = s.v;
      g.mean = s.v;
      g.count = 1;
      switch (op) {
        case AggregateOp::kStddev:
        case AggregateOp::kStdvar:
          g.value = 0;
          break;
        case AggregateOp::kTopK:
        case AggregateOp::kBottomK:
          g.heap.push_back(si);
          break;
        case AggregateOp::kQuantile:
          g.values.push_back(s.v);
          break;
        case AggregateOp::kGroup:
          g.value = 1;
          break;
        default:
          break;
      }
      groups.push_back(std::move(g));
      continue;
    }
    Group& g = groups[it->second];
    switch (op) {
      case AggregateOp::kSum:
        g.value += s.v;
        break;
      case AggregateOp::kAvg:
        g.count++;
        if (std::isinf(g.mean)) {
          // Inf - Inf below would give NaN: an infinite mean only changes for the opposite
          // infinity or a NaN.
          if (std::isinf(s.v) && (g.mean > 0) == (s.v > 0)) break;
          if (!std::isinf(s.v) && !std::isnan(s.v)) break;
        }
        g.mean += s.v / static_cast<double>(g.count) - g.mean / static_cast<double>(g.count);
        break;
      case AggregateOp::kGroup:
        break;
      case AggregateOp::kMax:
        if (g.value < s.v || std::isnan(g.value)) g.value = s.v;
        break;
      case AggregateOp::kMin:
        if (g.value > s.v || std::isnan(g.value)) g.value = s.v;
        break;
      case AggregateOp::kCount:
      case AggregateOp::kCountValues:
        g.count++;
        break;
      case AggregateOp::kStddev:
      case AggregateOp::kStdvar: {
        g.count++;
        double delta = s.v - g.mean;
        g.mean += delta / static_cast<double>(g.count);
        g.value += delta * (s.v - g.mean);
        break;
      }
      case AggregateOp::kTopK: {
        double top = in[g.heap[0]].v;
        if (static_cast<int64_t>(g.heap.size()) < k || top < s.v || std::isnan(top)) {
          IndexHeap heap(g.heap, in, HeapLess);
          if (static_cast<int64_t>(g.heap.size()) == k) {
            if (k == 1) {
              g.heap[0] = si;
              break;
            }
            heap.Pop();
          }
          heap.Push(si);
        }
        break;
      }
      case AggregateOp::kBottomK: {
        double top = in[g.heap[0]].v;
        if (static_cast<int64_t>(g.heap.size()) < k || top > s.v || std::isnan(top)) {
          IndexHeap heap(g.heap, in, ReverseHeapLess);
          if (static_cast<int64_t>(g.heap.size()) == k) {
            if (k == 1) {
              g.heap[0] = si;
              break;
            }
            heap.Pop();
          }
          heap.Push(si);
        }
        break;
      }
      case AggregateOp::kQuantile:
        g.values.push_back(s.v);
        break;
    }
  }

  Vector out;
  out.reserve(groups.size());
  const Timestamp t = ev.time();
  for (auto& g : groups) {
    double v = g.value;
    switch (op) {
      case AggregateOp::kAvg:
        v = g.mean;
        break;
      case AggregateOp::kCount:
      case AggregateOp::kCountValues:
        v = static_cast<double>(g.count);
        break;
      case AggregateOp::kStdvar:
        v = g.value / static_cast<double>(g.count);
        break;
      case AggregateOp::kStddev:
        v = std::sqrt(g.value / static_cast<double>(g.count));
        break;
      case AggregateOp::kTopK:
      case AggregateOp::kBottomK: {
        bool top = op == AggregateOp::kTopK;
        // Best first, NaN last.
        std::stable_sort(g.heap.begin(), g.heap.end(), [&in, top](size_t a, size_t b) {
          double x = in[a].v, y = in[b].v;
          return !std::isnan(x) && (std::isnan(y) || (top ? x > y : x < y));
        });
        for (size_t i : g.heap) out.push_back(Sample{std::move(in[i].metric), t, in[i].v});
        continue;
      }
      case AggregateOp::kQuantile:
        v = Quantile(param, g.values);
        break;
      default:
        break;
    }
    out.push_back(Sample{std::move(g.labels), t, v});
  }
  SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(out));
  return out;
}

}  // namespace sidecar::promql::internal
