#include "agent/rules/rule_manager.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "agent/common/duration.h"
#include "agent/promql/engine.h"

namespace sidecar::rules {
namespace {

promql::Timestamp SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A scrape at most this often, however many groups evaluate at nearly the same time.
constexpr promql::Timestamp kMinScrapeGapMs = 1000;

notify::AlertNotice NoticeFor(const Alert& alert, const GroupOptions& options) {
  notify::AlertNotice notice;
  notice.labels = alert.labels;
  // Prometheus adds the external labels to what it sends, unless the alert has them already.
  for (const auto& [name, value] : options.external_labels) {
    if (promql::GetLabel(notice.labels, name).empty()) promql::SetLabel(notice.labels, name, value);
  }
  notice.annotations = alert.annotations;
  notice.starts_at = alert.fired_at != 0 ? alert.fired_at : alert.active_at;
  notice.resolved = alert.resolved_at != 0;
  notice.ends_at = notice.resolved ? alert.resolved_at : alert.valid_until;
  notice.value = alert.value;
  if (!options.external_url.empty()) notice.generator_url = options.external_url + "/alerts";
  return notice;
}

}  // namespace

std::string GroupKey(const std::string& file, const std::string& name) { return file + ";" + name; }

struct RuleManager::Group {
  std::unique_ptr<RuleGroup> rules;
  TimerId timer = 0;
  uint64_t evaluations = 0;
  uint64_t failures = 0;
  double last_duration_seconds = 0;
  promql::Timestamp last_evaluation = 0;
};

RuleManager::RuleManager(EventLoop* loop, Scrape scrape, WallClock clock)
    : loop_(loop),
      scrape_(std::move(scrape)),
      clock_(clock ? std::move(clock) : WallClock(SystemNowMs)),
      ring_(options_.group.eval.lookback_ms),
      snapshot_(std::make_shared<RulesSnapshot>()) {}

RuleManager::~RuleManager() { Stop(); }

void RuleManager::Update(std::vector<GroupDef> groups, RuleManagerOptions options,
                         std::vector<notify::NotifierPtr> notifiers) {
  Stop();
  options_ = std::move(options);
  std::vector<std::unique_ptr<Group>> old = std::move(groups_);
  groups_.clear();
  // Keep as much of each series as the most demanding expression reads, plus one interval so
  // that a range at the window's edge still finds its first point.
  int64_t retention = options_.group.eval.lookback_ms;
  for (GroupDef& def : groups) {
    auto group = std::make_unique<Group>();
    for (const RuleDef& rule : def.rules) {
      retention = std::max(retention, promql::MaxLookbackMs(*rule.expr, options_.group.eval));
    }
    group->rules = std::make_unique<RuleGroup>(std::move(def), options_.group);
    retention = std::max(retention, options_.group.eval.lookback_ms + group->rules->interval_ms());
    for (auto& previous : old) {
      if (previous->rules->name() == group->rules->name() &&
          previous->rules->file() == group->rules->file()) {
        group->rules->CopyState(*previous->rules);
        group->evaluations = previous->evaluations;
        group->failures = previous->failures;
      }
    }
    groups_.push_back(std::move(group));
  }
  ring_.set_retention_ms(retention);
  notifiers_ = std::move(notifiers);
  for (auto& group : groups_) Schedule(*group);
  Publish();
}

void RuleManager::Stop() {
  for (auto& group : groups_) {
    if (group->timer != 0) loop_->CancelTimer(group->timer);
    group->timer = 0;
  }
}

void RuleManager::Schedule(Group& group) {
  // Each group at the same offset within its interval every time, spread by a hash of its
  // key, so that groups do not all run at once and evaluation times are regular.
  const int64_t interval = std::max<int64_t>(group.rules->interval_ms(), 1);
  const int64_t offset = static_cast<int64_t>(
      std::hash<std::string>()(GroupKey(group.rules->file(), group.rules->name())) %
      static_cast<uint64_t>(interval));
  const int64_t now = clock_();
  int64_t delay = ((offset - now % interval) % interval + interval) % interval;
  if (delay == 0) delay = interval;
  group.timer = loop_->AddTimer(std::chrono::milliseconds(delay), [this, &group] {
    group.timer = 0;
    Evaluate(group);
    Schedule(group);
  });
}

void RuleManager::EvaluateAllNow() {
  for (auto& group : groups_) Evaluate(*group);
}

void RuleManager::Evaluate(Group& group) {
  const promql::Timestamp t = clock_();
  if (scrape_ && (last_scrape_ == 0 || t - last_scrape_ >= kMinScrapeGapMs)) {
    ring_.AppendScrape(scrape_(), t);
    last_scrape_ = t;
  }
  const TimePoint started = Clock::now();
  group.rules->Eval(t, ring_, ring_);
  group.last_duration_seconds = ToSeconds(Clock::now() - started);
  group.last_evaluation = t;
  ++group.evaluations;
  for (const RuleStatus& status : group.rules->RuleStatuses()) {
    if (status.health == "err") ++group.failures;
  }
  std::vector<Alert> due = group.rules->AlertsToSend(t, options_.resend_delay_ms);
  if (!due.empty() && !notifiers_.empty()) {
    std::vector<notify::AlertNotice> notices;
    notices.reserve(due.size());
    for (const Alert& alert : due) notices.push_back(NoticeFor(alert, options_.group));
    for (auto& notifier : notifiers_) notifier->Notify(notices);
  }
  Publish();
}

void RuleManager::Publish() {
  auto snapshot = std::make_shared<RulesSnapshot>();
  for (const auto& group : groups_) {
    GroupView view;
    view.name = group->rules->name();
    view.file = group->rules->file();
    view.interval_ms = group->rules->interval_ms();
    view.evaluations = group->evaluations;
    view.failures = group->failures;
    view.last_duration_seconds = group->last_duration_seconds;
    view.last_evaluation = group->last_evaluation;
    for (const RuleStatus& status : group->rules->RuleStatuses()) {
      RuleView rule;
      rule.alerting = !status.def->alert.empty();
      rule.name = rule.alerting ? status.def->alert : status.def->record;
      rule.expr = status.def->expr_text;
      rule.health = status.health;
      rule.last_error = status.last_error;
      rule.evaluation_seconds = status.evaluation_seconds;
      rule.active_alerts = status.alerts.size();
      view.rules.push_back(std::move(rule));
    }
    const std::string key = GroupKey(view.file, view.name);
    for (Alert& alert : group->rules->ActiveAlerts()) {
      snapshot->alerts.push_back({key, std::move(alert)});
    }
    snapshot->groups.push_back(std::move(view));
  }
  for (const auto& notifier : notifiers_) {
    snapshot->notifiers.push_back({notifier->name(), notifier->stats()});
  }
  snapshot->ring_series = ring_.series_count();
  snapshot->ring_bytes = ring_.memory_bytes();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_ = std::move(snapshot);
  }
  if (on_publish_) on_publish_();
}

std::shared_ptr<const RulesSnapshot> RuleManager::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return snapshot_;
}

}  // namespace sidecar::rules
