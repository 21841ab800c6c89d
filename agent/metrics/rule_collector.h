// The rule engine's series on /metrics: ALERTS and ALERTS_FOR_STATE as Prometheus writes them
// (one series per pending or firing alert), and the engine's own health under the names of
// Prometheus' rule manager and notifier with the agent_ prefix
// (agent_rule_evaluations_total{rule_group}, agent_notifications_sent_total{notifier}, ...).
//
// Thread-safe: Collect() reads the manager's published snapshot.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <vector>

#include "agent/rules/rule_manager.h"

namespace sidecar::metrics {

class RuleCollector : public prometheus::Collectable {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const rules::RulesSnapshot>()>;
  explicit RuleCollector(SnapshotSource source) : source_(std::move(source)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  SnapshotSource source_;
};

}  // namespace sidecar::metrics
