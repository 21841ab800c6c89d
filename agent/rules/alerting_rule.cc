#include "agent/rules/alerting_rule.h"

#include <algorithm>
#include <string>

#include "agent/rules/template.h"

namespace sidecar::rules {
namespace {

constexpr std::string_view kAlertName = "alertname";
constexpr std::string_view kAlertState = "alertstate";
constexpr std::string_view kAlertsMetric = "ALERTS";
constexpr std::string_view kForStateMetric = "ALERTS_FOR_STATE";

// Go's time.Unix(): whole seconds, rounded down.
double UnixSeconds(promql::Timestamp ms) {
  int64_t seconds = ms / 1000;
  if (ms % 1000 < 0) --seconds;
  return static_cast<double>(seconds);
}

}  // namespace

AlertingRule::AlertingRule(const RuleDef* def, const GroupOptions* options)
    : def_(def), options_(options) {}

Result<promql::Vector> AlertingRule::Update(const promql::Vector& result, promql::Timestamp t,
                                            int limit) {
  const std::string template_name = "__alert_" + def_->alert;
  std::map<promql::Labels, Alert> current;
  for (const promql::Sample& sample : result) {
    TemplateData data;
    // As in Prometheus, the template sees every label of the sample, __name__ included.
    for (const promql::Label& label : sample.metric) data.labels[label.name] = label.value;
    data.value = sample.v;
    data.external_labels = options_->external_labels;
    data.external_url = options_->external_url;
    auto expand = [&](const std::string& text) {
      Result<std::string> expanded = ExpandTemplate(template_name, text, data);
      if (expanded.ok()) return *expanded;
      return "<error expanding template: " + expanded.status().message() + ">";
    };

    Alert alert;
    alert.labels = promql::DropMetricName(sample.metric);
    for (const auto& [name, text] : def_->labels)
      promql::SetLabel(alert.labels, name, expand(text));
    promql::SetLabel(alert.labels, kAlertName, def_->alert);
    for (const auto& [name, text] : def_->annotations) alert.annotations[name] = expand(text);
    alert.state = Alert::State::kPending;
    alert.active_at = t;
    alert.value = sample.v;
    promql::Labels key = alert.labels;
    if (!current.emplace(std::move(key), std::move(alert)).second) {
      return Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying alert labels");
    }
  }

  for (auto& [labels, alert] : current) {
    auto it = active_.find(labels);
    if (it != active_.end() && it->second.alert.state != Alert::State::kInactive) {
      it->second.alert.value = alert.value;
      it->second.alert.annotations = std::move(alert.annotations);
      continue;
    }
    active_[labels] = Tracked{std::move(alert)};
  }

  promql::Vector out;
  int active_count = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Tracked& tracked = it->second;
    Alert& alert = tracked.alert;
    if (current.count(it->first) == 0) {
      bool keep_firing = false;
      if (alert.state == Alert::State::kFiring && def_->keep_firing_for_ms > 0) {
        if (!tracked.keep_firing) {
          tracked.keep_firing = true;
          alert.keep_firing_since = t;
        }
        keep_firing = t - alert.keep_firing_since < def_->keep_firing_for_ms;
      }
      // A resolved alert stays for the retention so its resolution can be sent.
      const bool drop = alert.state == Alert::State::kPending ||
                        (tracked.resolved && t - alert.resolved_at > kResolvedRetentionMs);
      if (alert.state != Alert::State::kInactive && !keep_firing) {
        alert.state = Alert::State::kInactive;
        alert.resolved_at = t;
        tracked.resolved = true;
      }
      if (drop) {
        it = active_.erase(it);
        continue;
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else {
      tracked.keep_firing = false;
      alert.keep_firing_since = 0;
    }
    ++active_count;
    if (alert.state == Alert::State::kPending && t - alert.active_at >= def_->for_ms) {
      alert.state = Alert::State::kFiring;
      alert.fired_at = t;
    }
    out.push_back(StateSample(alert, false, t));
    out.push_back(StateSample(alert, true, t));
    ++it;
  }

  if (limit > 0 && active_count > limit) {
    active_.clear();
    return Status::InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                                   std::to_string(active_count) + " alerts");
  }
  return out;
}

promql::Sample AlertingRule::StateSample(const Alert& alert, bool for_state,
                                         promql::Timestamp t) const {
  // Prometheus starts from the rule's unexpanded labels and overlays the alert's, so a label
  // whose template expanded to "" shows its template text here.
  std::vector<promql::Label> base;
  for (const auto& [name, text] : def_->labels) base.push_back({name, text});
  promql::Labels labels = promql::MakeLabels(std::move(base));
  for (const promql::Label& label : alert.labels) promql::SetLabel(labels, label.name, label.value);
  promql::SetLabel(labels, promql::kMetricName, for_state ? kForStateMetric : kAlertsMetric);
  if (!for_state) promql::SetLabel(labels, kAlertState, AlertStateName(alert.state));
  return promql::Sample{std::move(labels), t, for_state ? UnixSeconds(alert.active_at) : 1.0};
}

std::vector<Alert> AlertingRule::ActiveAlerts() const {
  std::vector<Alert> alerts;
  for (const auto& [labels, tracked] : active_) {
    if (tracked.alert.state != Alert::State::kInactive) alerts.push_back(tracked.alert);
  }
  return alerts;
}

std::vector<Alert> AlertingRule::AlertsToSend(promql::Timestamp t, int64_t resend_delay_ms,
                                              int64_t interval_ms) {
  std::vector<Alert> due;
  for (auto& [labels, tracked] : active_) {
    Alert& alert = tracked.alert;
    if (alert.state == Alert::State::kPending) continue;
    // Prometheus' Alert.needsSending: a resolution not sent yet, or the resend delay passed.
    const bool needs_sending = !tracked.sent ||
                               (tracked.resolved && alert.resolved_at > alert.last_sent_at) ||
                               alert.last_sent_at + resend_delay_ms < t;
    if (!needs_sending) continue;
    alert.last_sent_at = t;
    tracked.sent = true;
    // Allows for two missed evaluations or failed sends before Alertmanager resolves it.
    alert.valid_until = t + 4 * std::max(interval_ms, resend_delay_ms);
    due.push_back(alert);
  }
  return due;
}

void AlertingRule::CopyAlertsFrom(const AlertingRule& from) {
  for (const auto& [labels, tracked] : from.active_) active_[labels] = tracked;
}

}  // namespace sidecar::rules
