// What each URL of the agent answers: /livez, /readyz, /health, /metrics, /alerts and an index
// at /.
// Every answer comes from state that already exists (the published health snapshot, the metric
// store, the loop's heartbeat); no probe ever runs on a request.
//
// Thread-safety: HandleRequest runs on the HTTP server thread; everything it reads is
// thread-safe (HealthBoard, MetricStore::Render, atomics).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "agent/health/health_board.h"
#include "agent/http/http_server.h"
#include "agent/metrics/metric_store.h"
#include "agent/rules/rule_manager.h"

namespace sidecar::http {

// The /health body of the last snapshot, rendered once per snapshot rather than per request.
// Only the server thread touches it.
struct HealthJsonCache {
  const health::HealthSnapshot* snapshot = nullptr;  // identity only; held alive by `held`
  std::shared_ptr<const health::HealthSnapshot> held;
  std::string before_uptime;  // the body up to the uptime value
  std::string after_uptime;   // the rest
};

struct RouteContext {
  const health::HealthBoard* board;
  const metrics::MetricStore* store;
  std::string version;
  TimePoint started;
  // Monotonic time of the event loop's last iteration; /livez fails when it is stale.
  std::function<TimePoint()> loop_heartbeat;
  Duration max_loop_stall = std::chrono::seconds(5);
  // The rule engine's latest snapshot, for /alerts; null when the agent has no rule engine.
  std::function<std::shared_ptr<const rules::RulesSnapshot>()> rules;
  std::shared_ptr<HealthJsonCache> health_cache = std::make_shared<HealthJsonCache>();
};

HttpResponse HandleRequest(const HttpRequest& request, const RouteContext& context);

}  // namespace sidecar::http
