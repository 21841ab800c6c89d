#include "agent/http/routes.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace sidecar::http {
namespace {

HttpRequest Get(std::string_view path, std::string_view query = "") {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  request.query = query;
  return request;
}

struct Fixture {
  health::HealthBoard board;
  metrics::MetricStore store;
  TimePoint heartbeat = Clock::now();
  RouteContext context{&board, &store, "1.2.3", Clock::now() - std::chrono::seconds(90),
                       [this] { return heartbeat; }};

  void Publish(health::ProbeState state, bool critical, std::string reason = "") {
    auto snapshot = std::make_shared<health::HealthSnapshot>();
    health::ProbeView view;
    view.name = "db";
    view.type = "postgres";
    view.critical = critical;
    view.state = state;
    view.reason = std::move(reason);
    snapshot->probes.push_back(view);
    health::Summarize(*snapshot);
    board.Publish(std::move(snapshot));
  }
};

TEST_CASE("Routes: /health is the snapshot as JSON, 200 when ready and 503 when not", "[http]") {
  Fixture f;
  f.Publish(health::ProbeState::kHealthy, true);
  HttpResponse ready = HandleRequest(Get("/health"), f.context);
  CHECK(ready.status == 200);
  CHECK(ready.content_type == "application/json");
  const auto body = nlohmann::json::parse(ready.body);
  CHECK(body["status"] == "healthy");
  CHECK(body["version"] == "1.2.3");
  CHECK(body["uptime_seconds"].get<double>() >= 90.0);
  CHECK(body["probes"]["db"]["status"] == "healthy");

  SECTION("a new snapshot is rendered anew, not served from the cache") {
    f.Publish(health::ProbeState::kUnhealthy, true, "connect: refused");
    HttpResponse down = HandleRequest(Get("/health"), f.context);
    CHECK(down.status == 503);
    const auto down_body = nlohmann::json::parse(down.body);
    CHECK(down_body["status"] == "unhealthy");
    CHECK(down_body["probes"]["db"]["reason"] == "connect: refused");
  }
  SECTION("the same snapshot twice gives the same body but a fresh uptime") {
    HttpResponse again = HandleRequest(Get("/health"), f.context);
    CHECK(nlohmann::json::parse(again.body)["probes"] == body["probes"]);
  }
}

TEST_CASE("Routes: a non-critical failure is degraded and still ready", "[http]") {
  Fixture f;
  f.Publish(health::ProbeState::kUnhealthy, false, "timeout after 5s");
  CHECK(HandleRequest(Get("/health"), f.context).status == 200);
  HttpResponse ready = HandleRequest(Get("/readyz"), f.context);
  CHECK(ready.status == 200);
  CHECK(ready.body == "ok\n");
  HttpResponse verbose = HandleRequest(Get("/readyz", "verbose"), f.context);
  CHECK_THAT(verbose.body, Catch::Contains("db (postgres): unhealthy: timeout after 5s"));
}

TEST_CASE("Routes: /readyz says why it is not ready", "[http]") {
  Fixture f;
  f.Publish(health::ProbeState::kStarting, true);
  HttpResponse response = HandleRequest(Get("/readyz"), f.context);
  CHECK(response.status == 503);
  CHECK_THAT(response.body, Catch::StartsWith("not ready: starting"));
}

TEST_CASE("Routes: /livez follows the event loop's heartbeat, not the probes", "[http]") {
  Fixture f;
  f.Publish(health::ProbeState::kUnhealthy, true);
  CHECK(HandleRequest(Get("/livez"), f.context).status == 200);
  f.heartbeat = Clock::now() - std::chrono::seconds(6);
  HttpResponse stalled = HandleRequest(Get("/livez"), f.context);
  CHECK(stalled.status == 503);
  CHECK_THAT(stalled.body, Catch::StartsWith("event loop stalled"));
}

TEST_CASE("Routes: /metrics is the exposition format, unknown paths are 404", "[http]") {
  Fixture f;
  HttpResponse metrics = HandleRequest(Get("/metrics"), f.context);
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK_THAT(metrics.body, Catch::Contains("# TYPE agent_build_info gauge"));
  CHECK(HandleRequest(Get("/nope"), f.context).status == 404);
  CHECK(HandleRequest(Get("/"), f.context).status == 200);
}

}  // namespace
}  // namespace sidecar::http
