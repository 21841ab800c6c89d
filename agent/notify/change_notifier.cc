#include "agent/notify/change_notifier.h"

#include <utility>

namespace sidecar::notify {
namespace {

SenderOptions Named(SenderOptions http, const std::string& name) {
  http.name = name;
  return http;
}

}  // namespace

std::vector<AlertNotice> ChangeFilter::Filter(const std::vector<AlertNotice>& alerts,
                                              TimePoint now) {
  std::vector<AlertNotice> out;
  for (const AlertNotice& alert : alerts) {
    auto [it, inserted] = states_.try_emplace(alert.labels);
    State& state = it->second;
    state.last_seen = now;
    if (alert.resolved) {
      if (inserted || !state.resolved) {
        state.resolved = true;
        state.last_sent = now;
        out.push_back(alert);
      }
      continue;
    }
    if (inserted || state.resolved || now - state.last_sent >= repeat_interval_) {
      state.resolved = false;
      state.last_sent = now;
      out.push_back(alert);
    }
  }
  std::erase_if(states_,
                [now](const auto& entry) { return now - entry.second.last_seen > kForgetAfter; });
  return out;
}

ChangeNotifier::ChangeNotifier(std::string name, CurlMulti* curl, Timers* timers,
                               SenderOptions http, Duration repeat_interval)
    : name_(std::move(name)),
      timers_(timers),
      sender_(curl, timers, Named(std::move(http), name_)),
      filter_(repeat_interval) {}

void ChangeNotifier::Notify(const std::vector<AlertNotice>& alerts) {
  const std::vector<AlertNotice> changes = filter_.Filter(alerts, timers_->Now());
  if (!changes.empty()) Send(changes, sender_);
}

}  // namespace sidecar::notify
