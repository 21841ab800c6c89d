// AlertmanagerNotifier against local HTTP servers standing in for Alertmanager.
#include "agent/notify/alertmanager_notifier.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/loop/event_loop.h"
#include "tests/support/https_test_server.h"

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

void RunUntil(EventLoop& loop, const std::function<bool()>& done, Duration bound = 20s) {
  const TimePoint end = Clock::now() + bound;
  while (!done() && Clock::now() < end) loop.RunOnce(5ms);
}

std::unique_ptr<HttpsTestServer> Server(std::atomic<int>* failures = nullptr) {
  return std::make_unique<HttpsTestServer>(
      [failures](const TestRequest&) {
        TestResponse response;
        if (failures != nullptr && failures->fetch_sub(1) > 0) response.status = 503;
        return response;
      },
      HttpsTestServer::Cert::kValid, /*tls=*/false);
}

std::string Base(const HttpsTestServer& server, const std::string& prefix = "") {
  return "http://127.0.0.1:" + std::to_string(server.port()) + prefix;
}

AlertNotice Alert(int i, bool resolved = false) {
  AlertNotice alert;
  alert.labels = promql::MakeLabels(
      {{"alertname", "DatabaseDown"}, {"probe", "pg-" + std::to_string(i)}, {"severity", "page"}});
  alert.annotations = {{"summary", "pg is down"}, {"runbook", "http://wiki/pg"}};
  alert.starts_at = 1700000000123;
  alert.ends_at = resolved ? 1700000300000 : 1700000240456;
  alert.resolved = resolved;
  alert.generator_url = "http://agent:9779/alerts?g0.expr=up";
  return alert;
}

TEST_CASE("AlertmanagerNotifier: POSTs postableAlerts to /api/v2/alerts of every URL", "[notify]") {
  auto first = Server();
  auto second = Server();
  EventLoop loop;
  CurlMulti curl(&loop);
  AlertmanagerOptions options;
  options.urls = {Base(*first, "/am/"), Base(*second)};
  options.http.headers = {"Authorization: Bearer tok-4711"};
  AlertmanagerNotifier notifier(options, &curl);
  CHECK(notifier.name() == "alertmanager");
  notifier.Notify({Alert(1), Alert(2, /*resolved=*/true)});
  RunUntil(loop, [&] { return notifier.idle(); });
  REQUIRE(first->requests().size() == 1);
  REQUIRE(second->requests().size() == 1);
  CHECK(first->requests()[0].target == "/am/api/v2/alerts");
  CHECK(second->requests()[0].target == "/api/v2/alerts");
  const TestRequest request = first->requests()[0];
  CHECK(request.method == "POST");
  CHECK(request.headers.at("content-type") == "application/json");
  CHECK(request.headers.at("authorization") == "Bearer tok-4711");
  const nlohmann::json body = nlohmann::json::parse(request.body);
  REQUIRE(body.is_array());
  REQUIRE(body.size() == 2);
  const nlohmann::json& alert = body[0];
  CHECK(alert["labels"] ==
        nlohmann::json({{"alertname", "DatabaseDown"}, {"probe", "pg-1"}, {"severity", "page"}}));
  CHECK(alert["annotations"] ==
        nlohmann::json({{"summary", "pg is down"}, {"runbook", "http://wiki/pg"}}));
  CHECK(alert["startsAt"] == "2023-11-14T22:13:20.123Z");
  CHECK(alert["endsAt"] == "2023-11-14T22:17:20.456Z");
  CHECK(alert["generatorURL"] == "http://agent:9779/alerts?g0.expr=up");
  CHECK(body[1]["endsAt"] == "2023-11-14T22:18:20.000Z");
  CHECK(second->requests()[0].body == request.body);
  const NotifierStats stats = notifier.stats();
  CHECK(stats.sent == 4);  // two alerts, two Alertmanagers
  CHECK(stats.errors == 0);
  CHECK(stats.dropped == 0);
}

TEST_CASE("AlertmanagerNotifier: sends at most 64 alerts per request", "[notify]") {
  auto server = Server();
  EventLoop loop;
  CurlMulti curl(&loop);
  AlertmanagerOptions options;
  options.urls = {Base(*server)};
  AlertmanagerNotifier notifier(options, &curl);
  std::vector<AlertNotice> alerts;
  for (int i = 0; i < 130; ++i) alerts.push_back(Alert(i));
  notifier.Notify(alerts);
  RunUntil(loop, [&] { return notifier.idle(); });
  const auto requests = server->requests();
  REQUIRE(requests.size() == 3);
  CHECK(nlohmann::json::parse(requests[0].body).size() == 64);
  CHECK(nlohmann::json::parse(requests[1].body).size() == 64);
  CHECK(nlohmann::json::parse(requests[2].body).size() == 2);
  CHECK(nlohmann::json::parse(requests[2].body)[1]["labels"]["probe"] == "pg-129");
  CHECK(notifier.stats().sent == 130);
}

TEST_CASE("AlertmanagerNotifier: a 503 is retried, one dead URL does not hold up the other",
          "[notify]") {
  std::atomic<int> failures{1};
  auto flaky = Server(&failures);
  EventLoop loop;
  CurlMulti curl(&loop);
  AlertmanagerOptions options;
  options.urls = {Base(*flaky), "http://127.0.0.1:1"};  // nothing listens on port 1
  options.http.initial_backoff = 1ms;
  options.http.max_backoff = 2ms;
  options.http.max_attempts = 2;
  AlertmanagerNotifier notifier(options, &curl);
  notifier.Notify({Alert(1)});
  RunUntil(loop, [&] { return notifier.idle(); });
  CHECK(flaky->requests().size() == 2);
  const NotifierStats stats = notifier.stats();
  CHECK(stats.sent == 1);
  CHECK(stats.dropped == 1);  // the dead one, after its two attempts
  CHECK(stats.errors == 3);
  CHECK(stats.last_error.rfind("POST http://127.0.0.1:", 0) == 0);
}

TEST_CASE("AlertmanagerNotifier: the queue keeps the newest 10,000 alerts", "[notify]") {
  EventLoop loop;
  CurlMulti curl(&loop);
  AlertmanagerOptions options;
  options.urls = {"http://127.0.0.1:1"};
  options.http.max_attempts = 1;
  AlertmanagerNotifier notifier(options, &curl);
  std::vector<AlertNotice> alerts(10100, Alert(0));
  // As Prometheus: the batch is queued first, the oldest past capacity dropped, then sent.
  notifier.Notify(alerts);
  CHECK(notifier.stats().dropped == 100);
  CHECK(notifier.stats().sent == 0);
}

}  // namespace
}  // namespace sidecar::notify
