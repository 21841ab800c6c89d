// A generic webhook receiving what Alertmanager's webhook_config sends (version "4": status,
// alerts[] with fingerprints, common labels and annotations, groupKey), one message per batch of
// changes, for teams without an Alertmanager.
//
// Thread-safety: loop thread only.
#pragma once

#include <string>

#include "agent/notify/change_notifier.h"

namespace sidecar::notify {

struct WebhookOptions {
  std::string name = "webhook";
  std::string url;           // may carry a password (masked when printed)
  std::string external_url;  // the message's externalURL (e.g. the agent's own address)
  Duration repeat_interval = kDefaultRepeatInterval;
  SenderOptions http;  // headers and basic auth may be set by the config
};

class WebhookNotifier final : public ChangeNotifier {
 public:
  WebhookNotifier(WebhookOptions options, CurlMulti* curl, Timers* timers);

 protected:
  void Send(const std::vector<AlertNotice>& changes, HttpSender& sender) override;

 private:
  std::string receiver_;
  std::string external_url_;
};

}  // namespace sidecar::notify
