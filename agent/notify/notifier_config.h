// The `alerting:` section of the agent config and the notifiers it describes:
//
//   alerting:
//     resend_delay: 1m                  # Prometheus' --rules.alert.resend-delay
//     alertmanagers:                    # API v2; every alert goes to each URL of an entry
//       - urls: [http://alertmanager:9093]
//         timeout: 10s
//         basic_auth: {username: x, password: ${AM_PASSWORD}}   # or bearer_token
//     slack:
//       - webhook_url: ${SLACK_WEBHOOK_URL}                     # secret (env or _file)
//         channel: "#ops"
//         repeat_interval: 4h
//     pagerduty:
//       - routing_key: ${PAGERDUTY_ROUTING_KEY}                 # secret
//         url: https://events.pagerduty.com/v2/enqueue
//         severity: '{{ $labels.severity }}'                    # or critical|error|warning|info
//     webhooks:
//       - url: http://hooks.internal/alerts                     # Alertmanager webhook JSON
//
// Every entry also takes `if_env_set` (left out unless one of the variables is set), `name`,
// `timeout`, `max_attempts`, and (except Slack and PagerDuty)
// `basic_auth`, `bearer_token` and `ca_file`. Secrets are read with GetSecret (environment or
// *_file only) and so registered for redaction.
//
// Thread-compatible: parsed on one thread; MakeNotifiers on the loop thread.
#pragma once

#include <vector>

#include "agent/config/config_node.h"
#include "agent/loop/curl_multi.h"
#include "agent/notify/alertmanager_notifier.h"
#include "agent/notify/notifier.h"
#include "agent/notify/pagerduty_notifier.h"
#include "agent/notify/slack_notifier.h"
#include "agent/notify/webhook_notifier.h"

namespace sidecar::notify {

struct AlertingConfig {
  Duration resend_delay = std::chrono::minutes(1);
  std::vector<AlertmanagerOptions> alertmanagers;
  std::vector<SlackOptions> slack;
  std::vector<PagerDutyOptions> pagerduty;
  std::vector<WebhookOptions> webhooks;
};

// Reads `alerting` into `out`; false when it recorded an error in the node. Unknown keys are
// reported for every level below `alerting`; the caller checks `alerting` itself (after reading
// any keys of its own there) with alerting.CheckUnknownKeys().
bool ParseAlerting(config::ConfigNode& alerting, AlertingConfig* out);

// One notifier per entry, sending on `curl` (its loop runs their timers). `curl` must outlive
// them; it may be null only when `config` has no receiver.
std::vector<NotifierPtr> MakeNotifiers(const AlertingConfig& config, CurlMulti* curl);

}  // namespace sidecar::notify
