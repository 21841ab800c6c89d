#include "agent/promql/storage.h"

#include <algorithm>
#include <utility>

namespace sidecar::promql {
namespace {

std::string_view OperatorText(LabelMatcher::Type type) {
  switch (type) {
    case LabelMatcher::Type::kEqual:
      return "=";
    case LabelMatcher::Type::kNotEqual:
      return "!=";
    case LabelMatcher::Type::kRegexMatch:
      return "=~";
    case LabelMatcher::Type::kRegexNoMatch:
      return "!~";
  }
  return "=";
}

}  // namespace

LabelMatcher::LabelMatcher(Type type, std::string name, std::string value,
                           std::shared_ptr<const RE2> re)
    : type_(type), name_(std::move(name)), value_(std::move(value)), re_(std::move(re)) {}

Result<LabelMatcher> LabelMatcher::Make(Type type, std::string name, std::string value) {
  std::shared_ptr<const RE2> re;
  if (type == Type::kRegexMatch || type == Type::kRegexNoMatch) {
    RE2::Options options;
    options.set_log_errors(false);
    // Go's regexp lets `.` match a newline only with (?s); Prometheus compiles "^(?:re)$" with
    // the default flags, where `.` does not match "\n" (RE2's default too).
    re = std::make_shared<const RE2>("^(?:" + value + ")$", options);
    if (!re->ok()) {
      return Status::InvalidArgument("invalid regular expression \"" + value +
                                     "\": " + re->error());
    }
  }
  return LabelMatcher(type, std::move(name), std::move(value), std::move(re));
}

bool LabelMatcher::Matches(std::string_view label_value) const {
  switch (type_) {
    case Type::kEqual:
      return label_value == value_;
    case Type::kNotEqual:
      return label_value != value_;
    case Type::kRegexMatch:
      return RE2::FullMatch(label_value, *re_);
    case Type::kRegexNoMatch:
      return !RE2::FullMatch(label_value, *re_);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  std::string out = name_;
  out += OperatorText(type_);
  out += '"';
  for (char c : value_) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

bool MatchesAll(const Matchers& matchers, const Labels& labels) {
  for (const auto& matcher : matchers) {
    if (!matcher.Matches(GetLabel(labels, matcher.name()))) return false;
  }
  return true;
}

Status MemoryStorage::Append(const Labels& labels, Timestamp t, double v) {
  auto& points = series_[labels];
  if (!points.empty()) {
    if (t < points.back().t) {
      return Status::InvalidArgument("out of order sample for " + FormatLabels(labels) + " at " +
                                     std::to_string(t) + ": last one is at " +
                                     std::to_string(points.back().t));
    }
    if (t == points.back().t) {
      points.back().v = v;
      return Status::Ok();
    }
  }
  points.push_back(Point{t, v});
  return Status::Ok();
}

void MemoryStorage::Truncate(Timestamp t) {
  for (auto it = series_.begin(); it != series_.end();) {
    auto& points = it->second;
    auto keep = std::lower_bound(points.begin(), points.end(), t,
                                 [](const Point& p, Timestamp ts) { return p.t < ts; });
    points.erase(points.begin(), keep);
    if (points.empty()) {
      it = series_.erase(it);
    } else {
      ++it;
    }
  }
}

Matrix MemoryStorage::Select(const Matchers& matchers, Timestamp mint, Timestamp maxt) const {
  Matrix out;
  auto add = [&](const Labels& labels, const std::vector<Point>& points) {
    if (!MatchesAll(matchers, labels)) return;
    auto first = std::lower_bound(points.begin(), points.end(), mint,
                                  [](const Point& p, Timestamp ts) { return p.t < ts; });
    auto last = std::upper_bound(first, points.end(), maxt,
                                 [](Timestamp ts, const Point& p) { return ts < p.t; });
    if (first == last) return;
    out.push_back(Series{labels, std::vector<Point>(first, last)});
  };

  auto name = std::find_if(matchers.begin(), matchers.end(), [](const LabelMatcher& m) {
    return m.type() == LabelMatcher::Type::kEqual && m.name() == kMetricName && !m.value().empty();
  });
  if (name == matchers.end()) {
    for (const auto& [labels, points] : series_) add(labels, points);
    return out;
  }
  // The map is ordered by label set, and label sets by their first label: every series named
  // `name` is either in the run whose first label is that name, or in the prefix whose first
  // label sorts before __name__ (names like "Zone" or "_a"). No need to look at the rest.
  auto it = series_.begin();
  for (; it != series_.end(); ++it) {
    if (!it->first.empty() && it->first[0].name >= kMetricName) break;
    add(it->first, it->second);
  }
  const Label key{std::string(kMetricName), name->value()};
  for (it = series_.lower_bound(Labels{key}); it != series_.end() && it->first[0] == key; ++it) {
    add(it->first, it->second);
  }
  return out;
}

}  // namespace sidecar::promql
