// Notifiers: where the rule engine sends its alerts. The manager hands every notifier the
// alerts Prometheus would send to Alertmanager at that moment (firing ones due for resend,
// resolved ones for 15 minutes after resolving); each notifier turns them into its receiver's
// protocol: Alertmanager API v2 (sent as given, so Alertmanager dedups and resolves), Slack
// incoming webhooks, PagerDuty Events API v2 and Alertmanager-style webhooks (these three notify
// on changes only: new firing, resolved, and a repeat after `repeat_interval`).
//
// A notifier never blocks its caller: Notify() queues (bounded; the oldest are dropped and
// counted) and the HTTP work runs on the CurlMulti of the loop it was built with, with a timeout
// and retries with backoff. Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/promql/value.h"

namespace sidecar::notify {

struct AlertNotice {
  promql::Labels labels;  // includes alertname
  std::map<std::string, std::string> annotations;
  promql::Timestamp starts_at = 0;  // ms since the epoch
  promql::Timestamp ends_at = 0;    // valid_until while firing, resolved_at once resolved
  bool resolved = false;
  double value = 0;
  std::string generator_url;
};

struct NotifierStats {
  uint64_t sent = 0;       // alerts delivered (receiver said yes)
  uint64_t dropped = 0;    // alerts given up: queue full, retries exhausted, or refused (4xx)
  uint64_t errors = 0;     // failed attempts
  std::string last_error;  // redacted: never a webhook URL's secret path or a routing key
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual const std::string& name() const = 0;  // "alertmanager", "slack:ops", ...
  virtual void Notify(const std::vector<AlertNotice>& alerts) = 0;
  virtual NotifierStats stats() const = 0;
};
using NotifierPtr = std::unique_ptr<Notifier>;

}  // namespace sidecar::notify
