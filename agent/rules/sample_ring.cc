#include "agent/rules/sample_ring.h"

#include <algorithm>
#include <string>

namespace sidecar::rules {

using promql::Labels;
using promql::Point;
using promql::Timestamp;

void SampleRing::Ring::Push(Point point) {
  if (size == points.size()) {
    // Grow in order (oldest first) so the ring stays contiguous from head 0.
    std::vector<Point> grown;
    grown.reserve(std::max<size_t>(4, points.size() * 2));
    for (size_t i = 0; i < size; ++i) grown.push_back(at(i));
    grown.resize(grown.capacity());
    points = std::move(grown);
    head = 0;
  }
  points[(head + size) % points.size()] = point;
  ++size;
}

void SampleRing::Ring::DropBefore(Timestamp t) {
  while (size > 0 && at(0).t < t) {
    head = (head + 1) % points.size();
    --size;
  }
}

void SampleRing::Append(const Labels& labels, Timestamp t, double v) {
  const uint64_t hash = promql::HashLabels(labels);
  auto [it, inserted] = series_.try_emplace(hash);
  Ring& ring = it->second;
  if (inserted) {
    ring.labels = labels;
    by_name_[std::string(promql::GetLabel(labels, promql::kMetricName))].push_back(hash);
  }
  if (ring.size > 0) {
    Point& newest = ring.points[(ring.head + ring.size - 1) % ring.points.size()];
    if (t < newest.t) return;
    if (t == newest.t) {
      newest.v = v;
      return;
    }
  }
  ring.Push({t, v});
  ring.DropBefore(t - retention_ms_);
}

void SampleRing::AppendScrape(std::vector<promql::Sample> samples, Timestamp t) {
  std::vector<uint64_t> scraped;
  scraped.reserve(samples.size());
  for (promql::Sample& sample : samples) {
    scraped.push_back(promql::HashLabels(sample.metric));
    Append(sample.metric, t, sample.v);
  }
  std::sort(scraped.begin(), scraped.end());
  for (uint64_t hash : last_scrape_) {
    if (std::binary_search(scraped.begin(), scraped.end(), hash)) continue;
    auto it = series_.find(hash);
    if (it != series_.end()) Append(it->second.labels, t, promql::StaleNaN());
  }
  last_scrape_ = std::move(scraped);
  Collect(t);
}

void SampleRing::Collect(Timestamp t) {
  const Timestamp oldest = t - retention_ms_;
  for (auto it = series_.begin(); it != series_.end();) {
    Ring& ring = it->second;
    ring.DropBefore(oldest);
    if (ring.size > 0) {
      ++it;
      continue;
    }
    auto& names = by_name_[std::string(promql::GetLabel(ring.labels, promql::kMetricName))];
    std::erase(names, it->first);
    it = series_.erase(it);
  }
  std::erase_if(by_name_, [](const auto& entry) { return entry.second.empty(); });
}

promql::Matrix SampleRing::Select(const promql::Matchers& matchers, Timestamp mint,
                                  Timestamp maxt) const {
  promql::Matrix out;
  auto add = [&](const Ring& ring) {
    if (!promql::MatchesAll(matchers, ring.labels)) return;
    promql::Series series;
    for (size_t i = 0; i < ring.size; ++i) {
      const Point& point = ring.at(i);
      if (point.t >= mint && point.t <= maxt) series.points.push_back(point);
    }
    if (series.points.empty()) return;
    series.metric = ring.labels;
    out.push_back(std::move(series));
  };
  // Most selectors name their metric: look only at that name's series.
  for (const promql::LabelMatcher& matcher : matchers) {
    if (matcher.name() != promql::kMetricName ||
        matcher.type() != promql::LabelMatcher::Type::kEqual) {
      continue;
    }
    auto named = by_name_.find(matcher.value());
    if (named == by_name_.end()) return out;
    for (uint64_t hash : named->second) add(series_.at(hash));
    return out;
  }
  for (const auto& [hash, ring] : series_) add(ring);
  return out;
}

size_t SampleRing::point_count() const {
  size_t points = 0;
  for (const auto& [hash, ring] : series_) points += ring.size;
  return points;
}

size_t SampleRing::memory_bytes() const {
  size_t bytes = 0;
  for (const auto& [hash, ring] : series_) {
    bytes += sizeof(Ring) + ring.points.capacity() * sizeof(Point);
    for (const promql::Label& label : ring.labels) {
      bytes += sizeof(promql::Label) + label.name.capacity() + label.value.capacity();
    }
  }
  return bytes;
}

}  // namespace sidecar::rules
