// Where PromQL reads series from: label matchers and the Queryable interface, plus
// MemoryStorage, a plain in-memory Queryable (promtool-style unit tests and the agent's own
// sample ring both fill one).
//
// Thread-safety: LabelMatcher is immutable after Make. Queryable implementations say their own;
// MemoryStorage is thread-compatible (one writer, no concurrent reads while writing).
#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/status.h"
#include "agent/promql/value.h"

namespace sidecar::promql {

class LabelMatcher {
 public:
  enum class Type { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };  // = != =~ !~

  // Regexes are RE2, anchored at both ends as in Prometheus ("a.*" must match the whole value).
  // An invalid regex is an InvalidArgument naming it and RE2's complaint.
  static Result<LabelMatcher> Make(Type type, std::string name, std::string value);

  Type type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  // An absent label matches as the empty string, as in Prometheus.
  bool Matches(std::string_view label_value) const;
  // name="value" with the operator as written: job=~"api.*".
  std::string ToString() const;

 private:
  LabelMatcher(Type type, std::string name, std::string value, std::shared_ptr<const RE2> re);
  Type type_;
  std::string name_;
  std::string value_;
  std::shared_ptr<const RE2> re_;  // for the regex types; shared by copies
};

using Matchers = std::vector<LabelMatcher>;
bool MatchesAll(const Matchers& matchers, const Labels& labels);

class Queryable {
 public:
  virtual ~Queryable() = default;
  // Every series whose labels match all `matchers`, with its points in [mint, maxt] (both
  // inclusive) in time order, stale markers included. Series with no point in the window may be
  // left out.
  virtual Matrix Select(const Matchers& matchers, Timestamp mint, Timestamp maxt) const = 0;
};

// Series kept whole in memory, appended in time order.
class MemoryStorage : public Queryable {
 public:
  // Appends one point; a point older than the series' last one is refused (InvalidArgument),
  // one at the same time replaces it.
  Status Append(const Labels& labels, Timestamp t, double v);
  // Drops points older than `t` from every series, and series left empty.
  void Truncate(Timestamp t);
  size_t series_count() const { return series_.size(); }

  Matrix Select(const Matchers& matchers, Timestamp mint, Timestamp maxt) const override;

 private:
  std::map<Labels, std::vector<Point>> series_;
};

}  // namespace sidecar::promql
