// Slack, PagerDuty and webhook notifiers against local HTTP servers: bodies checked field by
// field, change-only semantics on a hand-driven clock, refusals, and secrets kept out of stats
// and logs.
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/common/log.h"
#include "agent/common/redact.h"
#include "agent/loop/event_loop.h"
#include "agent/notify/notify_format.h"
#include "agent/notify/pagerduty_notifier.h"
#include "agent/notify/slack_notifier.h"
#include "agent/notify/webhook_notifier.h"
#include "tests/support/fake_timers.h"
#include "tests/support/https_test_server.h"

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::FakeTimers;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

constexpr char kSlackSentinel[] = "T0SENTINEL/B0SENTINEL/xoxsentinel4711";
constexpr char kRoutingSentinel[] = "routing-key-sentinel-4711";

void RunUntil(EventLoop& loop, const std::function<bool()>& done, Duration bound = 20s) {
  const TimePoint end = Clock::now() + bound;
  while (!done() && Clock::now() < end) loop.RunOnce(5ms);
}

std::unique_ptr<HttpsTestServer> Server(int status, std::string body) {
  return std::make_unique<HttpsTestServer>(
      [status, body](const TestRequest&) {
        TestResponse response;
        response.status = status;
        response.body = body;
        return response;
      },
      HttpsTestServer::Cert::kValid, /*tls=*/false);
}

std::string Url(const HttpsTestServer& server, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

AlertNotice Alert(const std::string& probe, bool resolved = false) {
  AlertNotice alert;
  alert.labels = promql::MakeLabels({{"alertname", "DatabaseDown"},
                                     {"probe", probe},
                                     {"instance", probe + ":5432"},
                                     {"severity", "warning"}});
  alert.annotations = {{"summary", probe + " is down"}};
  alert.starts_at = 1700000000000;
  alert.ends_at = resolved ? 1700000600000 : 1700000240000;
  alert.resolved = resolved;
  return alert;
}

SenderOptions Fast() {
  SenderOptions http;
  http.initial_backoff = 1ms;
  http.max_backoff = 2ms;
  return http;
}

// Captures what is logged while alive (through the agent's redacting sink).
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    SetUpLoggingForTesting(&lines_, LogFormat::kText);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  const std::string& lines() const { return lines_; }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::string lines_;
};

TEST_CASE("SlackNotifier: new, repeated after repeat_interval, and resolved alerts only",
          "[notify]") {
  auto server = Server(200, "ok");
  EventLoop loop;
  CurlMulti curl(&loop);
  FakeTimers clock;
  SlackOptions options;
  options.webhook_url = Url(*server, "/services/T0/B0/x");
  options.channel = "#ops";
  options.repeat_interval = 4h;
  options.http = Fast();
  SlackNotifier slack(options, &curl, &clock);
  auto texts = [&] {
    std::vector<std::string> out;
    for (const auto& request : server->requests()) {
      const auto body = nlohmann::json::parse(request.body);
      CHECK(body["channel"] == "#ops");
      out.push_back(body["text"]);
    }
    return out;
  };
  slack.Notify({Alert("postgres-main")});
  RunUntil(loop, [&] { return slack.idle(); });
  REQUIRE(texts() ==
          std::vector<std::string>{"[FIRING] DatabaseDown postgres-main: postgres-main is down"});
  CHECK(server->requests()[0].target == "/services/T0/B0/x");
  clock.Advance(1min);
  slack.Notify({Alert("postgres-main"), Alert("pg-replica")});  // one resent, one new
  RunUntil(loop, [&] { return slack.idle(); });
  REQUIRE(texts().size() == 2);
  CHECK(texts()[1] == "[FIRING] DatabaseDown pg-replica: pg-replica is down");
  clock.Advance(4h - 2min);
  slack.Notify({Alert("postgres-main"), Alert("pg-replica")});
  RunUntil(loop, [&] { return slack.idle(); });
  CHECK(texts().size() == 2);  // 3h59m after the first: quiet
  clock.Advance(1min);
  slack.Notify({Alert("postgres-main"), Alert("pg-replica")});
  RunUntil(loop, [&] { return slack.idle(); });
  REQUIRE(texts().size() == 3);
  CHECK(texts()[2] == "[FIRING] DatabaseDown postgres-main: postgres-main is down");
  clock.Advance(1min);
  slack.Notify({Alert("postgres-main", /*resolved=*/true), Alert("pg-replica")});
  slack.Notify({Alert("postgres-main", /*resolved=*/true)});  // resolved is told once
  RunUntil(loop, [&] { return slack.idle(); });
  REQUIRE(texts().size() == 4);
  // pg-replica was first sent a minute after postgres-main: its repeat is due now.
  CHECK(texts()[3] ==
        "[RESOLVED] DatabaseDown postgres-main: postgres-main is down\n"
        "[FIRING] DatabaseDown pg-replica: pg-replica is down");
  CHECK(slack.stats().sent == 5);
  CHECK(slack.name() == "slack");
}

TEST_CASE("SlackNotifier: the webhook URL's secret path never reaches stats or logs", "[notify]") {
  ClearSecretsForTesting();  // shown safe by construction, not by the redactor
  auto server = Server(404, std::string("no_service for /services/") + kSlackSentinel);
  LogCapture logs;
  EventLoop loop;
  CurlMulti curl(&loop);
  SlackOptions options;
  options.webhook_url = Url(*server, "/services/") + kSlackSentinel;
  options.http = Fast();
  SlackNotifier slack(options, &curl, &loop);
  RegisterSecret(kSlackSentinel);  // as the config does: the error body echoes the path
  slack.Notify({Alert("pg")});
  RunUntil(loop, [&] { return slack.idle(); });
  const NotifierStats stats = slack.stats();
  CHECK(stats.dropped == 1);
  CHECK(stats.errors == 1);  // 404 is not retried
  CHECK(stats.last_error.find("HTTP 404") != std::string::npos);
  CHECK(stats.last_error.find("http://127.0.0.1:" + std::to_string(server->port()) + "/***") !=
        std::string::npos);
  CHECK(stats.last_error.find("SENTINEL") == std::string::npos);
  CHECK(logs.lines().find("HTTP 404") != std::string::npos);
  CHECK(logs.lines().find("SENTINEL") == std::string::npos);
  ClearSecretsForTesting();
}

TEST_CASE("SlackNotifier: Notify returns at once and the loop runs on while Slack hangs",
          "[notify]") {
  HttpsTestServer tarpit([](const TestRequest&) { return TestResponse{}; },
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  tarpit.set_silent(true);
  EventLoop loop;
  CurlMulti curl(&loop);
  SlackOptions options;
  options.webhook_url = Url(tarpit, "/services/T/B/x");
  options.http = Fast();
  options.http.timeout = 300ms;
  options.http.max_attempts = 1;
  SlackNotifier slack(options, &curl, &loop);
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    loop.AddTimer(10ms, tick);
  };
  loop.AddTimer(10ms, tick);
  const TimePoint before = Clock::now();
  slack.Notify({Alert("pg")});
  CHECK(Clock::now() - before < 50ms);
  RunUntil(loop, [&] { return tarpit.accepted() > 0; });
  CHECK_FALSE(slack.idle());
  const int ticks_while_hung = ticks;
  RunUntil(loop, [&] { return slack.idle(); });
  CHECK(ticks > ticks_while_hung + 5);  // timers kept firing during the hung request
  CHECK(slack.stats().dropped == 1);
  CHECK(slack.stats().last_error.find("timed out") != std::string::npos);
}

TEST_CASE("PagerDutyNotifier: trigger then resolve with one dedup key, 202 is success",
          "[notify]") {
  auto server = Server(202, R"({"status":"success","message":"Event processed"})");
  EventLoop loop;
  CurlMulti curl(&loop);
  FakeTimers clock;
  PagerDutyOptions options;
  options.routing_key = "R0UT1NGKEY";
  options.url = Url(*server, "/v2/enqueue");
  options.http = Fast();
  PagerDutyNotifier pagerduty(options, &curl, &clock);
  AlertNotice no_instance = Alert("cache");
  promql::SetLabel(no_instance.labels, "instance", "");
  promql::SetLabel(no_instance.labels, "severity", "critical");
  pagerduty.Notify({Alert("pg"), no_instance});
  RunUntil(loop, [&] { return pagerduty.idle(); });
  clock.Advance(1min);
  pagerduty.Notify({Alert("pg", /*resolved=*/true), no_instance});
  RunUntil(loop, [&] { return pagerduty.idle(); });
  const auto requests = server->requests();
  REQUIRE(requests.size() == 3);
  const auto trigger = nlohmann::json::parse(requests[0].body);
  CHECK(requests[0].target == "/v2/enqueue");
  CHECK(trigger["routing_key"] == "R0UT1NGKEY");
  CHECK(trigger["event_action"] == "trigger");
  CHECK(trigger["dedup_key"] == Fingerprint(Alert("pg").labels));
  CHECK(trigger["payload"]["summary"] == "pg is down");
  CHECK(trigger["payload"]["source"] == "pg:5432");
  CHECK(trigger["payload"]["severity"] == "warning");
  CHECK(trigger["payload"]["timestamp"] == "2023-11-14T22:13:20.000Z");
  CHECK(trigger["payload"]["custom_details"]["labels"]["probe"] == "pg");
  CHECK(trigger["payload"]["custom_details"]["annotations"]["summary"] == "pg is down");
  const auto second = nlohmann::json::parse(requests[1].body);
  CHECK(second["payload"]["severity"] == "critical");
  CHECK_FALSE(second["payload"]["source"].get<std::string>().empty());  // the host name
  const auto resolve = nlohmann::json::parse(requests[2].body);
  CHECK(resolve == nlohmann::json({{"routing_key", "R0UT1NGKEY"},
                                   {"dedup_key", trigger["dedup_key"]},
                                   {"event_action", "resolve"}}));
  CHECK(pagerduty.stats().sent == 3);
}

TEST_CASE("PagerDutyNotifier: 400 is dropped at once, 429 retried, the key is never printed",
          "[notify]") {
  ClearSecretsForTesting();
  RegisterSecret(kRoutingSentinel);  // as GetSecret does when the config is read
  std::atomic<int> calls{0};
  HttpsTestServer server(
      [&calls](const TestRequest& request) {
        TestResponse response;
        const auto body = nlohmann::json::parse(request.body);
        if (body["payload"]["custom_details"]["labels"]["probe"] == "bad") {
          response.status = 400;  // PagerDuty echoes what it did not like
          response.body = R"({"status":"invalid event","errors":["routing_key )" +
                          std::string(kRoutingSentinel) + R"( bad"]})";
        } else {
          response.status = calls++ == 0 ? 429 : 202;
        }
        return response;
      },
      HttpsTestServer::Cert::kValid, /*tls=*/false);
  LogCapture logs;
  EventLoop loop;
  CurlMulti curl(&loop);
  PagerDutyOptions options;
  options.routing_key = kRoutingSentinel;
  options.url = Url(server, "/v2/enqueue");
  options.severity = "critical";
  options.http = Fast();
  PagerDutyNotifier pagerduty(options, &curl, &loop);
  pagerduty.Notify({Alert("bad"), Alert("good")});
  RunUntil(loop, [&] { return pagerduty.idle(); });
  CHECK(server.requests().size() == 3);  // bad once, good twice
  const NotifierStats stats = pagerduty.stats();
  CHECK(stats.sent == 1);
  CHECK(stats.dropped == 1);
  CHECK(stats.errors == 2);
  CHECK(nlohmann::json::parse(server.requests()[1].body)["payload"]["severity"] == "critical");
  CHECK(logs.lines().find("HTTP 400") != std::string::npos);
  for (const std::string& text : {stats.last_error, logs.lines()}) {
    CHECK(text.find("sentinel") == std::string::npos);
  }
  ClearSecretsForTesting();
}

TEST_CASE("WebhookNotifier: Alertmanager's webhook JSON, on changes only", "[notify]") {
  auto server = Server(200, "");
  EventLoop loop;
  CurlMulti curl(&loop);
  FakeTimers clock;
  WebhookOptions options;
  options.name = "webhook:ops";
  options.url = Url(*server, "/alerts");
  options.external_url = "http://agent:9779";
  options.repeat_interval = 1h;
  options.http = Fast();
  options.http.headers = {"Authorization: Bearer hook-token"};
  WebhookNotifier webhook(options, &curl, &clock);
  webhook.Notify({Alert("pg"), Alert("cache")});
  clock.Advance(30min);
  webhook.Notify({Alert("pg"), Alert("cache", /*resolved=*/true)});
  clock.Advance(30min);
  webhook.Notify({Alert("pg")});  // an hour since it was sent: repeated
  RunUntil(loop, [&] { return webhook.idle(); });
  const auto requests = server->requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].headers.at("authorization") == "Bearer hook-token");
  const auto first = nlohmann::json::parse(requests[0].body);
  CHECK(first["version"] == "4");
  CHECK(first["status"] == "firing");
  CHECK(first["receiver"] == "webhook:ops");
  CHECK(first["externalURL"] == "http://agent:9779");
  CHECK(first["commonLabels"] ==
        nlohmann::json({{"alertname", "DatabaseDown"}, {"severity", "warning"}}));
  REQUIRE(first["alerts"].size() == 2);
  CHECK(first["alerts"][0]["labels"]["probe"] == "pg");
  CHECK(first["alerts"][0]["fingerprint"] == Fingerprint(Alert("pg").labels));
  const auto second = nlohmann::json::parse(requests[1].body);
  CHECK(second["status"] == "resolved");
  REQUIRE(second["alerts"].size() == 1);
  CHECK(second["alerts"][0]["labels"]["probe"] == "cache");
  CHECK(second["alerts"][0]["endsAt"] == "2023-11-14T22:23:20.000Z");
  const auto third = nlohmann::json::parse(requests[2].body);
  REQUIRE(third["alerts"].size() == 1);
  CHECK(third["alerts"][0]["labels"]["probe"] == "pg");
  CHECK(webhook.stats().sent == 4);
}

}  // namespace
}  // namespace sidecar::notify
