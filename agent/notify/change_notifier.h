// Notify-on-change, for receivers without Alertmanager's dedup (Slack, PagerDuty, webhooks):
// an alert, keyed by its label set, is passed on when it first arrives firing, again every
// `repeat_interval` while it keeps firing, and once when it arrives resolved (also when this
// process never saw it firing: after a restart the receiver still learns of the resolution).
// An alert not seen for an hour is forgotten (the rule manager resends firing alerts every
// resend_delay and resolved ones for 15 minutes, so only vanished rules get there).
//
// ChangeFilter is pure state; ChangeNotifier puts it in front of an HttpSender.
// Thread-safety: loop thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/common/duration.h"
#include "agent/loop/curl_multi.h"
#include "agent/loop/timers.h"
#include "agent/notify/http_sender.h"
#include "agent/notify/notifier.h"

namespace sidecar::notify {

inline constexpr Duration kDefaultRepeatInterval = std::chrono::hours(4);
inline constexpr Duration kForgetAfter = std::chrono::hours(1);

class ChangeFilter {
 public:
  explicit ChangeFilter(Duration repeat_interval) : repeat_interval_(repeat_interval) {}

  // The alerts of `alerts` the receiver must hear about at `now`; updates the state as if they
  // were all sent.
  std::vector<AlertNotice> Filter(const std::vector<AlertNotice>& alerts, TimePoint now);
  size_t tracked() const { return states_.size(); }

 private:
  struct State {
    bool resolved = false;
    TimePoint last_sent{};
    TimePoint last_seen{};
  };
  Duration repeat_interval_;
  std::map<promql::Labels, State> states_;
};

class ChangeNotifier : public Notifier {
 public:
  // `timers` is the clock of repeat_interval and runs the retry waits.
  ChangeNotifier(std::string name, CurlMulti* curl, Timers* timers, SenderOptions http,
                 Duration repeat_interval);

  const std::string& name() const override { return name_; }
  void Notify(const std::vector<AlertNotice>& alerts) final;
  NotifierStats stats() const override { return sender_.stats(); }
  bool idle() const { return sender_.idle(); }

 protected:
  // Queues the changed alerts (never empty) in the receiver's format.
  virtual void Send(const std::vector<AlertNotice>& changes, HttpSender& sender) = 0;

 private:
  std::string name_;
  Timers* timers_;
  HttpSender sender_;
  ChangeFilter filter_;
};

}  // namespace sidecar::notify
