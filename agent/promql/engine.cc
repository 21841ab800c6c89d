#include "agent/promql/engine.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "agent/promql/eval_internal.h"

namespace sidecar::promql {
namespace internal {
namespace {

// FNV-1a, mixed as HashLabels does, over the labels a matching signature keeps.
class SignatureHasher {
 public:
  void Add(const Label& label) {
    Mix(label.name);
    Mix(label.value);
  }
  uint64_t hash() const { return hash_; }

 private:
  void Mix(std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash_ ^= c;
      hash_ *= 1099511628211ULL;
    }
    hash_ ^= 0xff;
    hash_ *= 1099511628211ULL;
  }
  uint64_t hash_ = 14695981039346656037ULL;
};

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<Value> Evaluator::Eval(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kNumber:
      return Value(Scalar{t_, static_cast<const NumberLiteral&>(expr).value});
    case ExprKind::kString:
      return Value(String{t_, static_cast<const StringLiteral&>(expr).value});
    case ExprKind::kVectorSelector:
      return Value(SelectVector(static_cast<const VectorSelector&>(expr), false));
    case ExprKind::kMatrixSelector:
      return Value(SelectMatrix(static_cast<const MatrixSelector&>(expr)));
    case ExprKind::kCall:
      return EvalCall(*this, static_cast<const Call&>(expr));
    case ExprKind::kAggregate: {
      auto vector = EvalAggregate(*this, static_cast<const AggregateExpr&>(expr));
      if (!vector.ok()) return vector.status();
      return Value(std::move(*vector));
    }
    case ExprKind::kBinary:
      return EvalBinary(*this, static_cast<const BinaryExpr&>(expr));
    case ExprKind::kParen:
      return Eval(*static_cast<const ParenExpr&>(expr).expr);
    case ExprKind::kUnary: {
      const auto& unary = static_cast<const UnaryExpr&>(expr);
      auto value = Eval(*unary.expr);
      if (!value.ok() || !unary.negate) return value;
      if (auto* scalar = std::get_if<Scalar>(&*value)) {
        scalar->v = -scalar->v;
        return value;
      }
      if (auto* vector = std::get_if<Vector>(&*value)) {
        for (auto& sample : *vector) {
          SetLabel(sample.metric, kMetricName, "");
          sample.v = -sample.v;
        }
        SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(*vector));
        return value;
      }
      return Status::Internal("unary minus on a " + std::string(ValueTypeName(expr.type)));
    }
  }
  return Status::Internal("unknown expression kind");
}

Result<Vector> Evaluator::EvalVector(const Expr& expr) {
  auto value = Eval(expr);
  if (!value.ok()) return value.status();
  if (auto* vector = std::get_if<Vector>(&*value)) return std::move(*vector);
  return Status::Internal("expected an instant vector from " + FormatExpr(expr));
}

Result<double> Evaluator::EvalScalar(const Expr& expr) {
  auto value = Eval(expr);
  if (!value.ok()) return value.status();
  if (auto* scalar = std::get_if<Scalar>(&*value)) return scalar->v;
  return Status::Internal("expected a scalar from " + FormatExpr(expr));
}

Vector Evaluator::SelectVector(const VectorSelector& selector, bool keep_sample_time) {
  Timestamp ref = t_ - selector.offset_ms;
  Matrix series = storage_.Select(selector.matchers, ref - options_.lookback_ms, ref);
  Vector out;
  out.reserve(series.size());
  for (auto& s : series) {
    if (s.points.empty()) continue;
    const Point& newest = s.points.back();
    // A stale marker as newest sample means the series is gone.
    if (IsStaleNaN(newest.v)) continue;
    out.push_back(Sample{std::move(s.metric), keep_sample_time ? newest.t : t_, newest.v});
  }
  return out;
}

Matrix Evaluator::SelectMatrix(const MatrixSelector& selector) {
  Timestamp max_t = t_ - selector.selector->offset_ms;
  Matrix series = storage_.Select(selector.selector->matchers, max_t - selector.range_ms, max_t);
  std::erase_if(series, [](Series& s) {
    std::erase_if(s.points, [](const Point& p) { return IsStaleNaN(p.v); });
    return s.points.empty();
  });
  return series;
}

Status CheckUniqueLabelsets(const Vector& vector) {
  static const char kMessage[] = "vector cannot contain metrics with the same labelset";
  if (vector.size() < 2) return Status::Ok();
  if (vector.size() == 2) {
    if (vector[0].metric == vector[1].metric) return Status::InvalidArgument(kMessage);
    return Status::Ok();
  }
  std::unordered_set<uint64_t> seen;
  seen.reserve(vector.size());
  for (const auto& sample : vector) {
    if (!seen.insert(HashLabels(sample.metric)).second) {
      return Status::InvalidArgument(kMessage);
    }
  }
  return Status::Ok();
}

const Expr& UnwrapParens(const Expr& expr) {
  const Expr* e = &expr;
  while (e->kind == ExprKind::kParen) e = static_cast<const ParenExpr*>(e)->expr.get();
  return *e;
}

std::string GoQuote(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string GoLabelsString(const Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].name;
    out += '=';
    out += GoQuote(labels[i].value);
  }
  out += '}';
  return out;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

uint64_t HashLabelsWithout(const Labels& labels, std::string_view name) {
  SignatureHasher hasher;
  for (const auto& label : labels) {
    if (label.name != name) hasher.Add(label);
  }
  return hasher.hash();
}

uint64_t MatchingSignature(const Labels& labels, bool on, const std::vector<std::string>& names) {
  SignatureHasher hasher;
  for (const auto& label : labels) {
    bool listed = Contains(names, label.name);
    if (on ? listed : (!listed && label.name != kMetricName)) hasher.Add(label);
  }
  return hasher.hash();
}

}  // namespace internal

Result<Value> Evaluate(const Expr& expr, const Queryable& storage, Timestamp t,
                       const EvalOptions& options) {
  internal::Evaluator evaluator(storage, t, options);
  return evaluator.Eval(expr);
}

namespace {

void Walk(const Expr& expr, const EvalOptions& options, int64_t& max) {
  switch (expr.kind) {
    case ExprKind::kNumber:
    case ExprKind::kString:
      return;
    case ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(expr);
      max = std::max(max, options.lookback_ms + vs.offset_ms);
      return;
    }
    case ExprKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(expr);
      max = std::max(max, ms.range_ms + ms.selector->offset_ms);
      return;
    }
    case ExprKind::kCall:
      for (const auto& arg : static_cast<const Call&>(expr).args) Walk(*arg, options, max);
      return;
    case ExprKind::kAggregate: {
      const auto& agg = static_cast<const AggregateExpr&>(expr);
      Walk(*agg.expr, options, max);
      if (agg.param) Walk(*agg.param, options, max);
      return;
    }
    case ExprKind::kBinary: {
      const auto& bin = static_cast<const BinaryExpr&>(expr);
      Walk(*bin.lhs, options, max);
      Walk(*bin.rhs, options, max);
      return;
    }
    case ExprKind::kUnary:
      Walk(*static_cast<const UnaryExpr&>(expr).expr, options, max);
      return;
    case ExprKind::kParen:
      Walk(*static_cast<const ParenExpr&>(expr).expr, options, max);
      return;
  }
}

}  // namespace

int64_t MaxLookbackMs(const Expr& expr, const EvalOptions& options) {
  int64_t max = 0;
  Walk(expr, options, max);
  return max;
}

}  // namespace sidecar::promql
