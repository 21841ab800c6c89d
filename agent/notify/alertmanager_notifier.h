// Alertmanager API v2: every alert Notify() is given is POSTed as a postableAlert to
// {url}/api/v2/alerts of every URL of the entry (an HA pair gets each alert twice, as from
// Prometheus), in JSON arrays of at most 64 alerts, from a queue of 10,000 alerts per URL that
// drops its oldest when full. No change filtering: Alertmanager dedups by labels and resolves
// by endsAt, so alerts go as the rule manager computed them.
//
// Thread-safety: loop thread only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/loop/curl_multi.h"
#include "agent/loop/timers.h"
#include "agent/notify/http_sender.h"
#include "agent/notify/notifier.h"

namespace sidecar::notify {

inline constexpr size_t kAlertmanagerBatch = 64;  // Prometheus' maxBatchSize
inline constexpr size_t kAlertmanagerQueueCapacity =
    10000;  // --alertmanager.notification-queue-capacity

struct AlertmanagerOptions {
  std::string name = "alertmanager";
  std::vector<std::string> urls;  // base URLs, path prefix allowed: "http://am:9093/prefix"
  SenderOptions http;             // timeout, basic auth / bearer header, queue, retries
};

// "http://am:9093/prefix/" -> "http://am:9093/prefix/api/v2/alerts".
std::string AlertsEndpoint(const std::string& base_url);

class AlertmanagerNotifier final : public Notifier {
 public:
  // `timers` runs the retry waits (the loop when null).
  AlertmanagerNotifier(AlertmanagerOptions options, CurlMulti* curl, Timers* timers = nullptr);

  const std::string& name() const override { return name_; }
  void Notify(const std::vector<AlertNotice>& alerts) override;
  // Sums over the URLs; last_error is the latest of any.
  NotifierStats stats() const override;
  bool idle() const;

 private:
  std::string name_;
  std::vector<std::unique_ptr<HttpSender>> senders_;
};

}  // namespace sidecar::notify
