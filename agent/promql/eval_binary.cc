// Binary operators, as Prometheus 2.42's VectorBinop / VectorscalarBinop / set operators:
// one-to-one and group_left/group_right matching by hashed signatures, comparison filters or
// 0/1 with `bool`, the metric name dropped by arithmetic and by `bool`, `%` as Go's math.Mod and
// `^` as math.Pow.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "agent/promql/eval_internal.h"

namespace sidecar::promql::internal {
namespace {

using Card = VectorMatching::Cardinality;

bool DropsMetricName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
    case BinaryOp::kPow:
      return true;
    default:
      return false;
  }
}

// The value and, for comparisons, whether the pair is kept (vectorElemBinop).
struct ElemResult {
  double value;
  bool keep;
};

ElemResult ElemBinop(BinaryOp op, double lhs, double rhs) {
  switch (op) {
    case BinaryOp::kAdd:
      return {lhs + rhs, true};
    case BinaryOp::kSub:
      return {lhs - rhs, true};
    case BinaryOp::kMul:
      return {lhs * rhs, true};
    case BinaryOp::kDiv:
      return {lhs / rhs, true};
    case BinaryOp::kPow:
      return {std::pow(lhs, rhs), true};
    case BinaryOp::kMod:
      return {std::fmod(lhs, rhs), true};
    case BinaryOp::kEql:
      return {lhs, lhs == rhs};
    case BinaryOp::kNeq:
      return {lhs, lhs != rhs};
    case BinaryOp::kGtr:
      return {lhs, lhs > rhs};
    case BinaryOp::kLss:
      return {lhs, lhs < rhs};
    case BinaryOp::kGte:
      return {lhs, lhs >= rhs};
    case BinaryOp::kLte:
      return {lhs, lhs <= rhs};
    default:
      return {0, false};
  }
}

double ScalarBinop(BinaryOp op, double lhs, double rhs) {
  ElemResult r = ElemBinop(op, lhs, rhs);
  return IsComparison(op) ? (r.keep ? 1 : 0) : r.value;
}

// Labels.MatchLabels: the labels a signature is built from, for error messages.
Labels MatchedLabels(const Labels& labels, const VectorMatching& m) {
  Labels out;
  for (const auto& label : labels) {
    bool listed = std::find(m.labels.begin(), m.labels.end(), label.name) != m.labels.end();
    if (m.on == listed && (m.on || label.name != kMetricName)) out.push_back(label);
  }
  return out;
}

Labels ResultMetric(Labels metric, const Labels& one, BinaryOp op, const VectorMatching& m) {
  if (DropsMetricName(op)) SetLabel(metric, kMetricName, "");
  if (m.card == Card::kOneToOne) {
    std::erase_if(metric, [&m](const Label& l) {
      bool listed = std::find(m.labels.begin(), m.labels.end(), l.name) != m.labels.end();
      return m.on ? !listed : listed;
    });
  }
  for (const auto& name : m.include) SetLabel(metric, name, GetLabel(one, name));
  return metric;
}

Result<Vector> VectorBinop(BinaryOp op, Vector lhs, Vector rhs, const VectorMatching& m,
                           bool return_bool) {
  if (lhs.empty() || rhs.empty()) return Vector{};
  bool swapped = m.card == Card::kOneToMany;
  Vector& many = swapped ? rhs : lhs;
  Vector& one = swapped ? lhs : rhs;

  std::unordered_map<uint64_t, size_t> one_by_sig;
  one_by_sig.reserve(one.size());
  for (size_t i = 0; i < one.size(); ++i) {
    auto [it, inserted] =
        one_by_sig.try_emplace(MatchingSignature(one[i].metric, m.on, m.labels), i);
    if (!inserted) {
      return Status::InvalidArgument(
          "found duplicate series for the match group " +
          GoLabelsString(MatchedLabels(one[i].metric, m)) + " on the " +
          (swapped ? "left" : "right") + " hand-side of the operation: [" +
          GoLabelsString(one[i].metric) + ", " + GoLabelsString(one[it->second].metric) +
          "];many-to-many matching not allowed: matching labels must be unique on one side");
    }
  }

  // One-to-one: the signatures matched so far. Many-to-one: per signature, the result label
  // sets produced, which must differ.
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> matched;
  Vector out;
  for (auto& sample : many) {
    uint64_t sig = MatchingSignature(sample.metric, m.on, m.labels);
    auto found = one_by_sig.find(sig);
    if (found == one_by_sig.end()) continue;
    const Sample& other = one[found->second];
    double vl = sample.v, vr = other.v;
    if (swapped) std::swap(vl, vr);
    ElemResult r = ElemBinop(op, vl, vr);
    if (return_bool) {
      r.value = r.keep ? 1 : 0;
    } else if (!r.keep) {
      continue;
    }
    Labels metric = ResultMetric(std::move(sample.metric), other.metric, op, m);
    if (return_bool) SetLabel(metric, kMetricName, "");
    auto [entry, first] = matched.try_emplace(sig);
    if (m.card == Card::kOneToOne) {
      if (!first) {
        return Status::InvalidArgument(
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
      }
    } else if (!entry->second.insert(HashLabels(metric)).second) {
      return Status::InvalidArgument(
          "multiple matches for labels: grouping labels must ensure unique matches");
    }
    out.push_back(Sample{std::move(metric), sample.t, r.value});
  }
  return out;
}

Vector SetBinop(BinaryOp op, Vector lhs, Vector rhs, const VectorMatching& m) {
  auto signatures = [&m](const Vector& v) {
    std::unordered_set<uint64_t> sigs;
    sigs.reserve(v.size());
    for (const auto& s : v) sigs.insert(MatchingSignature(s.metric, m.on, m.labels));
    return sigs;
  };
  switch (op) {
    case BinaryOp::kAnd: {
      if (lhs.empty() || rhs.empty()) return {};
      auto right = signatures(rhs);
      std::erase_if(lhs, [&](const Sample& s) {
        return !right.contains(MatchingSignature(s.metric, m.on, m.labels));
      });
      return lhs;
    }
    case BinaryOp::kOr: {
      if (lhs.empty()) return rhs;
      if (rhs.empty()) return lhs;
      auto left = signatures(lhs);
      for (auto& s : rhs) {
        if (!left.contains(MatchingSignature(s.metric, m.on, m.labels))) {
          lhs.push_back(std::move(s));
        }
      }
      return lhs;
    }
    default: {  // unless
      if (lhs.empty() || rhs.empty()) return lhs;
      auto right = signatures(rhs);
      std::erase_if(lhs, [&](const Sample& s) {
        return right.contains(MatchingSignature(s.metric, m.on, m.labels));
      });
      return lhs;
    }
  }
}

Vector VectorScalarBinop(BinaryOp op, Vector in, double scalar, bool swap, bool return_bool) {
  Vector out;
  out.reserve(in.size());
  for (auto& sample : in) {
    double lv = sample.v, rv = scalar;
    if (swap) std::swap(lv, rv);
    ElemResult r = ElemBinop(op, lv, rv);
    // A comparison keeps the vector's value even when the scalar is on the left.
    if (IsComparison(op) && swap) r.value = rv;
    if (return_bool) {
      r.value = r.keep ? 1 : 0;
      r.keep = true;
    }
    if (!r.keep) continue;
    sample.v = r.value;
    if (DropsMetricName(op) || return_bool) SetLabel(sample.metric, kMetricName, "");
    out.push_back(std::move(sample));
  }
  return out;
}

}  // namespace

Result<Value> EvalBinary(Evaluator& ev, const BinaryExpr& e) {
  auto lhs = ev.Eval(*e.lhs);
  if (!lhs.ok()) return lhs;
  auto rhs = ev.Eval(*e.rhs);
  if (!rhs.ok()) return rhs;
  auto* ls = std::get_if<Scalar>(&*lhs);
  auto* rs = std::get_if<Scalar>(&*rhs);
  auto* lv = std::get_if<Vector>(&*lhs);
  auto* rv = std::get_if<Vector>(&*rhs);

  Vector out;
  if (ls && rs) {
    return Value(Scalar{ev.time(), ScalarBinop(e.op, ls->v, rs->v)});
  } else if (lv && rv) {
    static const VectorMatching kDefault;
    const VectorMatching& m = e.matching ? *e.matching : kDefault;
    if (IsSetOperator(e.op)) {
      out = SetBinop(e.op, std::move(*lv), std::move(*rv), m);
    } else {
      auto result = VectorBinop(e.op, std::move(*lv), std::move(*rv), m, e.return_bool);
      if (!result.ok()) return result.status();
      out = std::move(*result);
    }
  } else if (lv && rs) {
    out = VectorScalarBinop(e.op, std::move(*lv), rs->v, false, e.return_bool);
  } else if (ls && rv) {
    out = VectorScalarBinop(e.op, std::move(*rv), ls->v, true, e.return_bool);
  } else {
    return Status::Internal("binary operator " + std::string(BinaryOpName(e.op)) +
                            " on unsupported operand types");
  }
  SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(out));
  return Value(std::move(out));
}

}  // namespace sidecar::promql::internal
