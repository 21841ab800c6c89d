// process_* series as every Prometheus client library exports them (cpu seconds, resident and
// virtual memory, open and max file descriptors, start time), read from /proc/self on each
// scrape. Thread-safe: Collect() reads files and keeps no state.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace sidecar::metrics {

class ProcessCollector : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string proc_self = "/proc/self")
      : proc_self_(std::move(proc_self)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string proc_self_;
};

}  // namespace sidecar::metrics
