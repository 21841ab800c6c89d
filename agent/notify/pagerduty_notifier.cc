#include "agent/notify/pagerduty_notifier.h"

#include <unistd.h>

#include <climits>
#include <utility>

#include "agent/common/redact.h"
#include "agent/notify/notify_format.h"

namespace sidecar::notify {
namespace {

SenderOptions PagerDutyHttp(const PagerDutyOptions& options) {
  SenderOptions http = options.http;
  http.url = options.url;
  http.display_url = RedactUrl(options.url);
  http.max_batch = 1;
  return http;
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "agent";
  return name;
}

}  // namespace

PagerDutyNotifier::PagerDutyNotifier(PagerDutyOptions options, CurlMulti* curl, Timers* timers)
    : ChangeNotifier(options.name, curl, timers, PagerDutyHttp(options), options.repeat_interval),
      options_(std::move(options)) {
  if (options_.source.empty()) options_.source = HostName();
}

void PagerDutyNotifier::Send(const std::vector<AlertNotice>& changes, HttpSender& sender) {
  std::vector<HttpSender::Entry> events;
  for (const AlertNotice& alert : changes) {
    std::string severity;
    std::string error;
    // The template was checked when the config was read; an error here leaves it empty.
    ExpandLabelTemplate(options_.severity, alert.labels, &severity, &error);
    events.push_back({DumpJson(PagerDutyEvent(alert, options_.routing_key,
                                              PagerDutySeverity(severity), options_.source)),
                      1});
  }
  sender.Enqueue(std::move(events));
}

}  // namespace sidecar::notify
