// The alert state of one alerting rule, as Prometheus' rules.AlertingRule keeps it: each
// sample of the rule's result is an alert keyed by its labels (the sample's, the rule's
// expanded labels, alertname); new ones are pending, pending ones fire after `for`, firing ones
// that stop matching stay firing for `keep_firing_for` and are then resolved and kept 15
// minutes so the resolution can be sent. Internal to RuleGroup.
//
// Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "agent/common/status.h"
#include "agent/promql/value.h"
#include "agent/rules/rule_group.h"

namespace sidecar::rules {

// How long a resolved alert is kept for notifications (Prometheus' resolvedRetention).
inline constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

class AlertingRule {
 public:
  // `def` and `options` must outlive the rule.
  AlertingRule(const RuleDef* def, const GroupOptions* options);

  // Takes the rule's query result at `t`: updates the alerts and returns the ALERTS and
  // ALERTS_FOR_STATE samples of the active ones. An error (a duplicate label set after the
  // rule's labels, or more than `limit` alerts) leaves the alerts as Prometheus does.
  Result<promql::Vector> Update(const promql::Vector& result, promql::Timestamp t, int limit);

  // Pending and firing alerts, ordered by labels.
  std::vector<Alert> ActiveAlerts() const;

  // The alerts Prometheus' sendAlerts would send at `t`, marked as sent.
  std::vector<Alert> AlertsToSend(promql::Timestamp t, int64_t resend_delay_ms,
                                  int64_t interval_ms);

  // Takes over every alert of `from` (Prometheus' CopyState).
  void CopyAlertsFrom(const AlertingRule& from);

 private:
  // Go's zero time.Time has no equivalent in milliseconds since the epoch, hence the flags.
  struct Tracked {
    Alert alert;
    bool resolved = false;     // alert.resolved_at is set
    bool sent = false;         // alert.last_sent_at is set
    bool keep_firing = false;  // alert.keep_firing_since is set
  };

  promql::Sample StateSample(const Alert& alert, bool for_state, promql::Timestamp t) const;

  const RuleDef* def_;
  const GroupOptions* options_;
  std::map<promql::Labels, Tracked> active_;
};

}  // namespace sidecar::rules
