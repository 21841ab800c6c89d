#include "agent/rules/rule_group.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <variant>

#include "agent/rules/alerting_rule.h"

namespace sidecar::rules {
namespace {

// Prometheus' EngineQueryFunc: a scalar becomes a one-sample vector without labels.
Result<promql::Vector> QueryVector(const promql::Expr& expr, const promql::Queryable& storage,
                                   promql::Timestamp t, const promql::EvalOptions& options) {
  Result<promql::Value> value = promql::Evaluate(expr, storage, t, options);
  if (!value.ok()) return value.status();
  if (auto* vector = std::get_if<promql::Vector>(&*value)) return std::move(*vector);
  if (auto* scalar = std::get_if<promql::Scalar>(&*value)) {
    return promql::Vector{promql::Sample{{}, scalar->t, scalar->v}};
  }
  return Status::InvalidArgument("rule result is not a vector or scalar");
}

// Prometheus' RecordingRule.Eval: the record name and the rule's labels on every sample.
Result<promql::Vector> Record(const RuleDef& def, promql::Vector vector, int limit) {
  std::set<promql::Labels> seen;
  for (promql::Sample& sample : vector) {
    promql::SetLabel(sample.metric, promql::kMetricName, def.record);
    for (const auto& [name, value] : def.labels) promql::SetLabel(sample.metric, name, value);
    if (!seen.insert(sample.metric).second) {
      return Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying rule labels");
    }
  }
  if (limit > 0 && static_cast<int64_t>(vector.size()) > limit) {
    return Status::InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                                   std::to_string(vector.size()) + " series");
  }
  return vector;
}

// What Prometheus' CopyState matches rules by: name and (unexpanded) labels.
std::string NameAndLabels(const RuleDef& def) {
  std::string key = def.alert.empty() ? def.record : def.alert;
  key += '{';
  for (const auto& [name, value] : def.labels) key += name + "=\"" + value + "\",";
  key += '}';
  return key;
}

}  // namespace

struct RuleGroup::Impl {
  struct Rule {
    RuleStatus status;  // without alerts: those are in `alerting`
    std::unique_ptr<AlertingRule> alerting;
    std::set<promql::Labels> previous_series;  // written by the last successful evaluation
  };

  GroupDef def;
  GroupOptions options;
  std::vector<Rule> rules;
  std::vector<promql::Labels> stale_series;  // of rules gone in a reload, marked next Eval

  void EvalRule(Rule& rule, promql::Timestamp t, const promql::Queryable& storage, Appender& out);
};

RuleGroup::RuleGroup(GroupDef def, GroupOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->def = std::move(def);
  impl_->options = std::move(options);
  impl_->rules.resize(impl_->def.rules.size());
  for (size_t i = 0; i < impl_->def.rules.size(); ++i) {
    const RuleDef* def_ptr = &impl_->def.rules[i];
    impl_->rules[i].status.def = def_ptr;
    if (!def_ptr->alert.empty()) {
      impl_->rules[i].alerting = std::make_unique<AlertingRule>(def_ptr, &impl_->options);
    }
  }
}

RuleGroup::~RuleGroup() = default;

const std::string& RuleGroup::name() const { return impl_->def.name; }
const std::string& RuleGroup::file() const { return impl_->def.file; }
int64_t RuleGroup::interval_ms() const {
  return impl_->def.interval_ms.value_or(impl_->options.default_interval_ms);
}

void RuleGroup::Eval(promql::Timestamp t, const promql::Queryable& storage, Appender& out) {
  for (Impl::Rule& rule : impl_->rules) impl_->EvalRule(rule, t, storage, out);
  for (const promql::Labels& labels : impl_->stale_series)
    out.Append(labels, t, promql::StaleNaN());
  impl_->stale_series.clear();
}

void RuleGroup::Impl::EvalRule(Rule& rule, promql::Timestamp t, const promql::Queryable& storage,
                               Appender& out) {
  const auto started = std::chrono::steady_clock::now();
  const RuleDef& rule_def = *rule.status.def;
  rule.status.last_evaluation = t;
  Result<promql::Vector> vector = Status::InvalidArgument("the rule has no expression");
  if (rule_def.expr != nullptr) {
    vector = QueryVector(*rule_def.expr, storage, t, options.eval);
    if (vector.ok()) {
      vector = rule.alerting ? rule.alerting->Update(*vector, t, def.limit)
                             : Record(rule_def, std::move(*vector), def.limit);
    }
  }
  rule.status.evaluation_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // As in Prometheus' Group.Eval, a failed rule writes nothing, not even staleness markers.
  if (!vector.ok()) {
    rule.status.health = "err";
    rule.status.last_error = vector.status().message();
    return;
  }
  rule.status.health = "ok";
  rule.status.last_error.clear();
  std::set<promql::Labels> written;
  for (const promql::Sample& sample : *vector) {
    out.Append(sample.metric, t, sample.v);
    written.insert(sample.metric);
  }
  for (const promql::Labels& labels : rule.previous_series) {
    if (written.count(labels) == 0) out.Append(labels, t, promql::StaleNaN());
  }
  rule.previous_series = std::move(written);
}

void RuleGroup::CopyState(RuleGroup& old) {
  std::map<std::string, std::vector<size_t>> by_key;
  for (size_t i = 0; i < old.impl_->rules.size(); ++i) {
    by_key[NameAndLabels(old.impl_->def.rules[i])].push_back(i);
  }
  for (size_t i = 0; i < impl_->rules.size(); ++i) {
    auto it = by_key.find(NameAndLabels(impl_->def.rules[i]));
    if (it == by_key.end() || it->second.empty()) continue;
    Impl::Rule& from = old.impl_->rules[it->second.front()];
    it->second.erase(it->second.begin());
    Impl::Rule& to = impl_->rules[i];
    to.previous_series = from.previous_series;
    if (to.alerting && from.alerting) to.alerting->CopyAlertsFrom(*from.alerting);
  }
  // Rules that are gone (or unmatched duplicates) have their series marked stale next time.
  impl_->stale_series = old.impl_->stale_series;
  for (const auto& [key, indexes] : by_key) {
    for (size_t index : indexes) {
      for (const promql::Labels& labels : old.impl_->rules[index].previous_series) {
        impl_->stale_series.push_back(labels);
      }
    }
  }
}

std::vector<Alert> RuleGroup::AlertsToSend(promql::Timestamp t, int64_t resend_delay_ms) {
  std::vector<Alert> due;
  for (Impl::Rule& rule : impl_->rules) {
    // Prometheus sends right after a successful evaluation only.
    if (!rule.alerting || rule.status.health != "ok") continue;
    for (Alert& alert : rule.alerting->AlertsToSend(t, resend_delay_ms, interval_ms())) {
      due.push_back(std::move(alert));
    }
  }
  return due;
}

std::vector<RuleStatus> RuleGroup::RuleStatuses() const {
  std::vector<RuleStatus> statuses;
  statuses.reserve(impl_->rules.size());
  for (const Impl::Rule& rule : impl_->rules) {
    statuses.push_back(rule.status);
    if (rule.alerting) statuses.back().alerts = rule.alerting->ActiveAlerts();
  }
  return statuses;
}

std::vector<Alert> RuleGroup::ActiveAlerts() const {
  std::vector<Alert> alerts;
  for (const Impl::Rule& rule : impl_->rules) {
    if (!rule.alerting) continue;
    for (Alert& alert : rule.alerting->ActiveAlerts()) alerts.push_back(std::move(alert));
  }
  return alerts;
}

}  // namespace sidecar::rules
