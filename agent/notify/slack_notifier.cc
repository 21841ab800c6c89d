#include "agent/notify/slack_notifier.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "agent/common/redact.h"
#include "agent/notify/notify_format.h"

namespace sidecar::notify {
namespace {

SenderOptions SlackHttp(const SlackOptions& options) {
  SenderOptions http = options.http;
  http.url = options.webhook_url;
  http.display_url = UrlOrigin(options.webhook_url);
  http.max_batch = 1;
  return http;
}

}  // namespace

std::string UrlOrigin(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return std::string(kRedacted);
  size_t end = url.find_first_of("/?#", scheme + 3);
  std::string authority = url.substr(scheme + 3, end == std::string::npos ? end : end - scheme - 3);
  const size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  return url.substr(0, scheme + 3) + authority + "/" + std::string(kRedacted);
}

SlackNotifier::SlackNotifier(SlackOptions options, CurlMulti* curl, Timers* timers)
    : ChangeNotifier(options.name, curl, timers, SlackHttp(options), options.repeat_interval),
      channel_(std::move(options.channel)) {}

void SlackNotifier::Send(const std::vector<AlertNotice>& changes, HttpSender& sender) {
  nlohmann::json body = {{"text", SlackText(changes)}};
  if (!channel_.empty()) body["channel"] = channel_;
  sender.Enqueue({{DumpJson(body), changes.size()}});
}

}  // namespace sidecar::notify
