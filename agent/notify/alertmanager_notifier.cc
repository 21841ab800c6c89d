#include "agent/notify/alertmanager_notifier.h"

#include <utility>

#include "agent/common/redact.h"
#include "agent/notify/notify_format.h"

namespace sidecar::notify {

std::string AlertsEndpoint(const std::string& base_url) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/api/v2/alerts";
}

AlertmanagerNotifier::AlertmanagerNotifier(AlertmanagerOptions options, CurlMulti* curl,
                                           Timers* timers)
    : name_(std::move(options.name)) {
  if (timers == nullptr) timers = curl->loop();
  for (size_t i = 0; i < options.urls.size(); ++i) {
    SenderOptions http = options.http;
    http.name = options.urls.size() == 1 ? name_ : name_ + "[" + std::to_string(i) + "]";
    http.url = AlertsEndpoint(options.urls[i]);
    http.display_url = RedactUrl(http.url);
    http.max_batch = kAlertmanagerBatch;
    senders_.push_back(std::make_unique<HttpSender>(curl, timers, std::move(http)));
  }
}

void AlertmanagerNotifier::Notify(const std::vector<AlertNotice>& alerts) {
  if (alerts.empty()) return;
  std::vector<HttpSender::Entry> entries;
  entries.reserve(alerts.size());
  for (const AlertNotice& alert : alerts) entries.push_back({DumpJson(PostableAlert(alert)), 1});
  for (auto& sender : senders_) sender->Enqueue(entries);
}

NotifierStats AlertmanagerNotifier::stats() const {
  NotifierStats total;
  TimePoint latest{};
  for (const auto& sender : senders_) {
    const NotifierStats& one = sender->stats();
    total.sent += one.sent;
    total.dropped += one.dropped;
    total.errors += one.errors;
    if (!one.last_error.empty() && (total.last_error.empty() || sender->last_error_at() > latest)) {
      total.last_error = one.last_error;
      latest = sender->last_error_at();
    }
  }
  return total;
}

bool AlertmanagerNotifier::idle() const {
  for (const auto& sender : senders_) {
    if (!sender->idle()) return false;
  }
  return true;
}

}  // namespace sidecar::notify
