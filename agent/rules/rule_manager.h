// The rule engine as the running agent uses it: the loaded groups, each evaluated on its own
// interval by a timer on the agent's loop (offset within the interval by a hash of its name, as
// Prometheus spreads groups), over a SampleRing filled from the agent's own series just before
// each evaluation; what Prometheus would send goes to every notifier. A snapshot of alerts,
// groups and notifiers is published after each evaluation for /alerts, /health and /metrics.
//
// Thread-safety: everything on the loop thread, except snapshot(), which any thread may call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/loop/event_loop.h"
#include "agent/notify/notifier.h"
#include "agent/rules/rule_group.h"
#include "agent/rules/sample_ring.h"

namespace sidecar::rules {

struct RuleManagerOptions {
  GroupOptions group;                   // default interval, external labels and URL, lookback
  int64_t resend_delay_ms = 60 * 1000;  // Prometheus' --rules.alert.resend-delay
};

// A rule as the snapshot shows it: copied, so a snapshot outlives a reload.
struct RuleView {
  std::string name;  // the alert or record name
  bool alerting = false;
  std::string expr;
  std::string health;
  std::string last_error;
  double evaluation_seconds = 0;
  size_t active_alerts = 0;
};

struct GroupView {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;
  uint64_t evaluations = 0;
  uint64_t failures = 0;  // rule evaluations that failed
  double last_duration_seconds = 0;
  promql::Timestamp last_evaluation = 0;
  std::vector<RuleView> rules;
};

struct AlertView {
  std::string group;  // "file;name", as Prometheus' rule_group label
  Alert alert;
};

struct NotifierView {
  std::string name;
  notify::NotifierStats stats;
};

struct RulesSnapshot {
  std::vector<GroupView> groups;
  std::vector<AlertView> alerts;  // pending and firing
  std::vector<NotifierView> notifiers;
  size_t ring_series = 0;
  size_t ring_bytes = 0;
};

class RuleManager {
 public:
  // The agent's series at this moment (a scrape of its own /metrics).
  using Scrape = std::function<std::vector<promql::Sample>()>;
  using WallClock = std::function<promql::Timestamp()>;  // ms since the epoch

  RuleManager(EventLoop* loop, Scrape scrape, WallClock clock = nullptr);
  ~RuleManager();
  RuleManager(const RuleManager&) = delete;
  RuleManager& operator=(const RuleManager&) = delete;

  // Starts (or replaces) the groups, carrying alert state over to groups of the same file and
  // name, and replaces the notifiers.
  void Update(std::vector<GroupDef> groups, RuleManagerOptions options,
              std::vector<notify::NotifierPtr> notifiers);
  // Cancels the timers; the groups stay for the last snapshot.
  void Stop();

  // Scrapes and evaluates every group at once (tests and the benchmark).
  void EvaluateAllNow();

  std::shared_ptr<const RulesSnapshot> snapshot() const;
  // Called on the loop thread after each new snapshot.
  void set_on_publish(std::function<void()> callback) { on_publish_ = std::move(callback); }
  const SampleRing& ring() const { return ring_; }

 private:
  struct Group;

  void Schedule(Group& group);
  void Evaluate(Group& group);
  void Publish();

  EventLoop* loop_;
  Scrape scrape_;
  WallClock clock_;
  RuleManagerOptions options_;
  SampleRing ring_;
  promql::Timestamp last_scrape_ = 0;
  std::vector<std::unique_ptr<Group>> groups_;
  std::vector<notify::NotifierPtr> notifiers_;
  std::function<void()> on_publish_;
  mutable std::mutex mutex_;
  std::shared_ptr<const RulesSnapshot> snapshot_;
};

// Prometheus' rule_group label value.
std::string GroupKey(const std::string& file, const std::string& name);

}  // namespace sidecar::rules
