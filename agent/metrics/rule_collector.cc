#include "agent/metrics/rule_collector.h"

#include <string>

namespace sidecar::metrics {
namespace {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

prometheus::ClientMetric Metric(std::vector<prometheus::ClientMetric::Label> labels,
                                prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

std::vector<prometheus::ClientMetric::Label> AlertLabels(const rules::Alert& alert,
                                                         const char* state) {
  std::vector<prometheus::ClientMetric::Label> labels;
  for (const promql::Label& label : alert.labels) {
    if (label.name == promql::kMetricName) continue;
    labels.push_back({label.name, label.value});
    if (state != nullptr && label.name == "alertname") labels.push_back({"alertstate", state});
  }
  return labels;
}

void AddIfAny(std::vector<prometheus::MetricFamily>& out, prometheus::MetricFamily family) {
  if (!family.metric.empty()) out.push_back(std::move(family));
}

}  // namespace

std::vector<prometheus::MetricFamily> RuleCollector::Collect() const {
  using prometheus::MetricType;
  std::shared_ptr<const rules::RulesSnapshot> snapshot = source_();
  std::vector<prometheus::MetricFamily> out;
  if (snapshot == nullptr || (snapshot->groups.empty() && snapshot->notifiers.empty())) {
    return out;
  }

  auto alerts = Family("ALERTS", "Pending and firing alerts of the agent's alerting rules.",
                       MetricType::Gauge);
  auto for_state =
      Family("ALERTS_FOR_STATE", "Unix time at which each pending or firing alert became active.",
             MetricType::Gauge);
  for (const rules::AlertView& view : snapshot->alerts) {
    const char* state = rules::AlertStateName(view.alert.state).data();
    alerts.metric.push_back(Metric(AlertLabels(view.alert, state), MetricType::Gauge, 1));
    for_state.metric.push_back(Metric(AlertLabels(view.alert, nullptr), MetricType::Gauge,
                                      static_cast<double>(view.alert.active_at) / 1000));
  }
  AddIfAny(out, std::move(alerts));
  AddIfAny(out, std::move(for_state));

  auto evaluations = Family("agent_rule_evaluations_total", "Rule evaluations, per rule group.",
                            MetricType::Counter);
  auto failures = Family("agent_rule_evaluation_failures_total",
                         "Rule evaluations that failed, per rule group.", MetricType::Counter);
  auto duration = Family("agent_rule_group_last_duration_seconds",
                         "Duration of the last evaluation of each rule group.", MetricType::Gauge);
  auto last = Family("agent_rule_group_last_evaluation_timestamp_seconds",
                     "Unix time of the last evaluation of each rule group.", MetricType::Gauge);
  auto interval = Family("agent_rule_group_interval_seconds",
                         "Evaluation interval of each rule group.", MetricType::Gauge);
  auto count = Family("agent_rule_group_rules", "Rules in each rule group.", MetricType::Gauge);
  for (const rules::GroupView& group : snapshot->groups) {
    std::vector<prometheus::ClientMetric::Label> labels{
        {"rule_group", rules::GroupKey(group.file, group.name)}};
    evaluations.metric.push_back(
        Metric(labels, MetricType::Counter, static_cast<double>(group.evaluations)));
    failures.metric.push_back(
        Metric(labels, MetricType::Counter, static_cast<double>(group.failures)));
    duration.metric.push_back(Metric(labels, MetricType::Gauge, group.last_duration_seconds));
    last.metric.push_back(
        Metric(labels, MetricType::Gauge, static_cast<double>(group.last_evaluation) / 1000));
    interval.metric.push_back(
        Metric(labels, MetricType::Gauge, static_cast<double>(group.interval_ms) / 1000));
    count.metric.push_back(
        Metric(labels, MetricType::Gauge, static_cast<double>(group.rules.size())));
  }
  for (auto* family : {&evaluations, &failures, &duration, &last, &interval, &count}) {
    AddIfAny(out, std::move(*family));
  }

  auto sent = Family("agent_notifications_sent_total", "Alerts delivered, per notifier.",
                     MetricType::Counter);
  auto dropped = Family("agent_notifications_dropped_total",
                        "Alerts given up (queue full, refused, retries exhausted), per notifier.",
                        MetricType::Counter);
  auto errors = Family("agent_notifications_errors_total",
                       "Failed delivery attempts, per notifier.", MetricType::Counter);
  for (const rules::NotifierView& notifier : snapshot->notifiers) {
    std::vector<prometheus::ClientMetric::Label> labels{{"notifier", notifier.name}};
    sent.metric.push_back(
        Metric(labels, MetricType::Counter, static_cast<double>(notifier.stats.sent)));
    dropped.metric.push_back(
        Metric(labels, MetricType::Counter, static_cast<double>(notifier.stats.dropped)));
    errors.metric.push_back(
        Metric(labels, MetricType::Counter, static_cast<double>(notifier.stats.errors)));
  }
  for (auto* family : {&sent, &dropped, &errors}) AddIfAny(out, std::move(*family));

  auto ring = Family("agent_rule_sample_ring_series",
                     "Series held in the rule engine's sample ring.", MetricType::Gauge);
  ring.metric.push_back(Metric({}, MetricType::Gauge, static_cast<double>(snapshot->ring_series)));
  out.push_back(std::move(ring));
  auto ring_bytes = Family("agent_rule_sample_ring_bytes",
                           "Heap bytes held by the rule engine's sample ring.", MetricType::Gauge);
  ring_bytes.metric.push_back(
      Metric({}, MetricType::Gauge, static_cast<double>(snapshot->ring_bytes)));
  out.push_back(std::move(ring_bytes));
  return out;
}

}  // namespace sidecar::metrics
