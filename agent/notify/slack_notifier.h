// Slack incoming webhooks: one message per batch of changes, {"text": ...} with a line per alert
// ("[FIRING] DatabaseDown postgres-main: the summary"), optionally to another channel. The
// webhook URL's path is the credential: it is shown as "https://hooks.slack.com/***".
//
// Thread-safety: loop thread only.
#pragma once

#include <string>

#include "agent/notify/change_notifier.h"

namespace sidecar::notify {

struct SlackOptions {
  std::string name = "slack";
  std::string webhook_url;  // secret
  std::string channel;      // "#ops"; empty: the webhook's own channel
  Duration repeat_interval = kDefaultRepeatInterval;
  SenderOptions http;  // timeout, retries, queue; url and display_url are set here
};

// "https://hooks.slack.com/***": scheme and authority only (what may be printed of a URL whose
// path is a secret).
std::string UrlOrigin(const std::string& url);

class SlackNotifier final : public ChangeNotifier {
 public:
  SlackNotifier(SlackOptions options, CurlMulti* curl, Timers* timers);

 protected:
  void Send(const std::vector<AlertNotice>& changes, HttpSender& sender) override;

 private:
  std::string channel_;
};

}  // namespace sidecar::notify
