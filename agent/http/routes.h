// What each URL of the agent answers: /livez, /readyz, /health, /metrics and an index at /.
// Every answer comes from state that already exists (the published health snapshot, the metric
// store, the loop's heartbeat); no probe ever runs on a request.
//
// Thread-safety: HandleRequest runs on the HTTP server thread; everything it reads is
// thread-safe (HealthBoard, MetricStore::Render, atomics).
#pragma once

#include <functional>
#include <string>

#include "agent/health/health_board.h"
#include "agent/http/http_server.h"
#include "agent/metrics/metric_store.h"

namespace sidecar::http {

struct RouteContext {
  const health::HealthBoard* board;
  const metrics::MetricStore* store;
  std::string version;
  TimePoint started;
  // Monotonic time of the event loop's last iteration; /livez fails when it is stale.
  std::function<TimePoint()> loop_heartbeat;
  Duration max_loop_stall = std::chrono::seconds(5);
};

HttpResponse HandleRequest(const HttpRequest& request, const RouteContext& context);

}  // namespace sidecar::http
