// The agent's recent samples, for the rule engine: every series it exports, each in a ring of
// points covering the retention window the loaded rules need (their largest range, offset and
// lookback), so that `rate(x[5m])` or `avg_over_time(y[10m])` reads what the agent itself saw.
// Series that vanish get a staleness marker, as a Prometheus scrape writes one.
//
// Memory: 16 bytes per point plus the label set per series; points older than the retention
// are dropped on every append, so a series at a 15 s interval with a 6 m window holds ~25.
//
// Thread-compatible: the rule manager fills and reads it on the loop thread.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "agent/promql/storage.h"
#include "agent/rules/rule_group.h"

namespace sidecar::rules {

class SampleRing : public promql::Queryable, public Appender {
 public:
  explicit SampleRing(int64_t retention_ms) : retention_ms_(retention_ms) {}

  void set_retention_ms(int64_t retention_ms) { retention_ms_ = retention_ms; }
  int64_t retention_ms() const { return retention_ms_; }

  // Appends one point; a point older than the series' newest is ignored, one at the same time
  // replaces it. Drops the series' points older than t - retention.
  void Append(const promql::Labels& labels, promql::Timestamp t, double v) override;

  // A whole scrape of the agent's own series at `t`: appends each, and a staleness marker for
  // every series of the previous scrape that is not in this one.
  void AppendScrape(std::vector<promql::Sample> samples, promql::Timestamp t);

  // Drops series whose newest point is older than t - retention.
  void Collect(promql::Timestamp t);

  promql::Matrix Select(const promql::Matchers& matchers, promql::Timestamp mint,
                        promql::Timestamp maxt) const override;

  size_t series_count() const { return series_.size(); }
  size_t point_count() const;
  // Heap bytes held by points and labels (for the benchmark and /metrics).
  size_t memory_bytes() const;

 private:
  struct Ring {
    promql::Labels labels;
    std::vector<promql::Point> points;  // circular once full; `head` is the oldest
    size_t head = 0;
    size_t size = 0;
    const promql::Point& at(size_t i) const { return points[(head + i) % points.size()]; }
    void Push(promql::Point point);
    void DropBefore(promql::Timestamp t);
  };

  int64_t retention_ms_;
  std::unordered_map<uint64_t, Ring> series_;  // by HashLabels
  std::unordered_map<std::string, std::vector<uint64_t>> by_name_;
  std::vector<uint64_t> last_scrape_;
};

}  // namespace sidecar::rules
