// PagerDuty Events API v2: one event per changed alert, "trigger" while firing and "resolve" once
// resolved, with dedup_key = the label set's fingerprint (stable across restarts, so a resolve
// after a restart still closes the incident). 202 is success; 400 is final (dropped, counted);
// 429 and 5xx are retried. The routing key travels in the body only and is never printed.
//
// Thread-safety: loop thread only.
#pragma once

#include <string>

#include "agent/notify/change_notifier.h"

namespace sidecar::notify {

inline constexpr char kPagerDutyUrl[] = "https://events.pagerduty.com/v2/enqueue";

struct PagerDutyOptions {
  std::string name = "pagerduty";
  std::string routing_key;  // secret
  std::string url = kPagerDutyUrl;
  // A fixed value or "{{ $labels.severity }}", mapped to critical|error|warning|info.
  std::string severity = "{{ $labels.severity }}";
  std::string source;  // payload.source when the alert has no instance label; default host name
  Duration repeat_interval = kDefaultRepeatInterval;
  SenderOptions http;
};

class PagerDutyNotifier final : public ChangeNotifier {
 public:
  PagerDutyNotifier(PagerDutyOptions options, CurlMulti* curl, Timers* timers);

 protected:
  void Send(const std::vector<AlertNotice>& changes, HttpSender& sender) override;

 private:
  PagerDutyOptions options_;
};

}  // namespace sidecar::notify
