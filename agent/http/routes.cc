#include "agent/http/routes.h"

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

HttpResponse Health(const RouteContext& context) {
  const auto snapshot = context.board->Current();
  health::AgentFacts facts{context.version, ToSeconds(Clock::now() - context.started)};
  HttpResponse response;
  response.status = health::HttpStatusFor(*snapshot);
  response.content_type = "application/json";
  response.body = health::RenderHealthJson(*snapshot, facts);
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
  if (request.path == "/") {
    return Text(200, "agent " + context.version +
                         "\n/health   JSON health of every probe (200 ready, 503 not)\n"
                         "/readyz   readiness (critical probes); ?verbose for details\n"
                         "/livez    liveness of the agent itself\n"
                         "/metrics  Prometheus metrics\n");
  }
  return Text(404, "not found\n");
}

}  // namespace sidecar::http
