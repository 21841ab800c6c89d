#include "agent/http/routes.h"

#include <cstdio>
#include <string_view>

#include "agent/http/alerts_json.h"

namespace sidecar::http {
namespace {

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

bool WantsVerbose(std::string_view query) {
  return query == "verbose" || query.find("verbose=") != std::string_view::npos ||
         query.find("verbose&") != std::string_view::npos;
}

HttpResponse Live(const RouteContext& context) {
  const Duration stalled = Clock::now() - context.loop_heartbeat();
  if (stalled > context.max_loop_stall) {
    return Text(503,
                "event loop stalled for " +
                    FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(stalled)) +
                    "\n");
  }
  return Text(200, "ok\n");
}

HttpResponse Ready(const HttpRequest& request, const RouteContext& context) {
  const auto snapshot = context.board->Current();
  const int status = health::HttpStatusFor(*snapshot);
  if (WantsVerbose(request.query)) {
    return Text(status, health::RenderCheckSummary(*snapshot));
  }
  return Text(status, status == 200 ? "ok\n" : health::RenderCheckSummary(*snapshot));
}

// Splits a rendered body around its uptime value so that only the uptime is new per request.
void Prerender(const health::HealthSnapshot& snapshot, const std::string& version,
               HealthJsonCache& cache) {
  const std::string body = health::RenderHealthJson(snapshot, {version, 0});
  constexpr std::string_view kKey = "\"uptime_seconds\":";
  const size_t key = body.find(kKey);
  const size_t value_end = body.find_first_of(",}", key + kKey.size());
  cache.before_uptime = body.substr(0, key + kKey.size());
  cache.after_uptime = body.substr(value_end);
}

HttpResponse Health(const RouteContext& context) {
  const auto snapshot = context.board->Current();
  HealthJsonCache& cache = *context.health_cache;
  if (cache.snapshot != snapshot.get()) {
    Prerender(*snapshot, context.version, cache);
    cache.snapshot = snapshot.get();
    cache.held = snapshot;
  }
  char uptime[32];
  std::snprintf(uptime, sizeof(uptime), "%.3f", ToSeconds(Clock::now() - context.started));
  HttpResponse response;
  response.status = health::HttpStatusFor(*snapshot);
  response.content_type = "application/json";
  response.body.reserve(cache.before_uptime.size() + cache.after_uptime.size() + 16);
  response.body.append(cache.before_uptime).append(uptime).append(cache.after_uptime);
  response.headers.emplace_back("Cache-Control", "no-store");
  response.compressible = true;
  return response;
}

HttpResponse Metrics(const RouteContext& context) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = context.store->Render();
  response.compressible = true;
  return response;
}

HttpResponse Alerts(const RouteContext& context) {
  std::shared_ptr<const rules::RulesSnapshot> snapshot = context.rules ? context.rules() : nullptr;
  HttpResponse response;
  response.content_type = "application/json";
  response.body = RenderAlertsJson(snapshot ? *snapshot : rules::RulesSnapshot{});
  response.headers.emplace_back("Cache-Control", "no-store");
  response.compressible = true;
  return response;
}

}  // namespace

HttpResponse HandleRequest(const HttpRequest& request, const RouteContext& context) {
  if (request.path == "/livez" || request.path == "/healthz") {
    return Live(context);
  }
  if (request.path == "/readyz") {
    return Ready(request, context);
  }
  if (request.path == "/health") {
    return Health(context);
  }
  if (request.path == "/metrics") {
    return Metrics(context);
  }
  if (request.path == "/alerts") {
    return Alerts(context);
  }
  if (request.path == "/") {
    return Text(200, "agent " + context.version +
                         "\n/health   JSON health of every probe (200 ready, 503 not)\n"
                         "/readyz   readiness (critical probes); ?verbose for details\n"
                         "/livez    liveness of the agent itself\n"
                         "/metrics  Prometheus metrics\n"
                         "/alerts   pending and firing alerts of the agent's rules (JSON)\n");
  }
  return Text(404, "not found\n");
}

}  // namespace sidecar::http
