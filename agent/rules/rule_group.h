// One group of rules evaluated together, as Prometheus' rules.Group does: each rule in order at
// the same timestamp, later rules seeing what earlier ones recorded; alerting rules keep their
// alerts (pending after the first match, firing after `for`, kept for `keep_firing_for`,
// resolved when the match is gone) and write ALERTS and ALERTS_FOR_STATE; series that vanish
// from a rule's output get a staleness marker.
//
// Thread-compatible: the rule manager (or the unit-test runner) drives a group from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/promql/engine.h"
#include "agent/promql/storage.h"
#include "agent/rules/rule_file.h"

namespace sidecar::rules {

// Where rule results go. MemoryStorage (and the agent's sample ring) implement it.
class Appender {
 public:
  virtual ~Appender() = default;
  virtual void Append(const promql::Labels& labels, promql::Timestamp t, double v) = 0;
};

struct Alert {
  enum class State { kInactive, kPending, kFiring };
  State state = State::kInactive;
  promql::Labels labels;  // the series' labels, the rule's (expanded) labels, alertname
  std::map<std::string, std::string> annotations;  // expanded
  double value = 0;
  promql::Timestamp active_at = 0;     // first evaluation that matched
  promql::Timestamp fired_at = 0;      // when it became firing; 0 before
  promql::Timestamp resolved_at = 0;   // when it stopped matching; 0 while active
  promql::Timestamp last_sent_at = 0;  // notifications
  promql::Timestamp valid_until = 0;   // endsAt sent to Alertmanager
  promql::Timestamp keep_firing_since = 0;
};
std::string_view AlertStateName(Alert::State state);  // "inactive", "pending", "firing"

struct RuleStatus {
  const RuleDef* def = nullptr;
  std::string health = "unknown";  // "ok", "err", "unknown"
  std::string last_error;
  promql::Timestamp last_evaluation = 0;
  double evaluation_seconds = 0;
  std::vector<Alert> alerts;  // alerting rules: pending and firing ones
};

struct GroupOptions {
  int64_t default_interval_ms = 60 * 1000;  // when the group has no `interval`
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  promql::EvalOptions eval;
};

class RuleGroup {
 public:
  RuleGroup(GroupDef def, GroupOptions options);
  ~RuleGroup();
  RuleGroup(const RuleGroup&) = delete;
  RuleGroup& operator=(const RuleGroup&) = delete;

  const std::string& name() const;
  const std::string& file() const;
  int64_t interval_ms() const;

  // Evaluates every rule at `t`, reading `storage` and appending results to `out` (pass the
  // same storage for both so later rules see earlier records). A rule's error is kept in its
  // status and does not stop the others.
  void Eval(promql::Timestamp t, const promql::Queryable& storage, Appender& out);

  // Takes over alert state and series from the same-named group before a reload, as
  // Prometheus' Group.CopyState (rules matched by name and labels).
  void CopyState(RuleGroup& old);

  // What Prometheus' sendAlerts would send at `t`: firing alerts not sent within
  // `resend_delay_ms`, and resolved ones (kept 15 minutes after resolving). Marks them sent and
  // sets valid_until = t + 4 * max(group interval, resend delay) for firing ones.
  std::vector<Alert> AlertsToSend(promql::Timestamp t, int64_t resend_delay_ms);

  // Per rule, in file order.
  std::vector<RuleStatus> RuleStatuses() const;
  // Pending and firing alerts of every alerting rule.
  std::vector<Alert> ActiveAlerts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar::rules
