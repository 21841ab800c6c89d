#include "agent/notify/webhook_notifier.h"

#include <utility>

#include "agent/common/redact.h"
#include "agent/notify/notify_format.h"

namespace sidecar::notify {
namespace {

SenderOptions WebhookHttp(const WebhookOptions& options) {
  SenderOptions http = options.http;
  http.url = options.url;
  http.display_url = RedactUrl(options.url);
  http.max_batch = 1;
  return http;
}

}  // namespace

WebhookNotifier::WebhookNotifier(WebhookOptions options, CurlMulti* curl, Timers* timers)
    : ChangeNotifier(options.name, curl, timers, WebhookHttp(options), options.repeat_interval),
      receiver_(options.name),
      external_url_(std::move(options.external_url)) {}

void WebhookNotifier::Send(const std::vector<AlertNotice>& changes, HttpSender& sender) {
  sender.Enqueue({{DumpJson(WebhookMessage(changes, receiver_, external_url_)), changes.size()}});
}

}  // namespace sidecar::notify
