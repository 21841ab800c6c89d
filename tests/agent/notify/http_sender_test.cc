// HttpSender against local HTTP servers on a real EventLoop + CurlMulti: retries, Retry-After,
// refusals, a tarpit, and the bounded queue. Backoffs are tiny or on a hand-driven clock.
#include "agent/notify/http_sender.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "agent/loop/event_loop.h"
#include "tests/support/fake_timers.h"
#include "tests/support/https_test_server.h"

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::FakeTimers;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

// Answers the n-th request with script[n] (the last one again past the end).
HttpsTestServer::Handler Script(std::vector<TestResponse> script) {
  auto count = std::make_shared<std::atomic<size_t>>(0);
  return [script = std::move(script), count](const TestRequest&) {
    const size_t n = (*count)++;
    return script[std::min(n, script.size() - 1)];
  };
}

TestResponse Status(int status, std::string body = "") {
  TestResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

void RunUntil(EventLoop& loop, const std::function<bool()>& done, Duration bound = 20s) {
  const TimePoint end = Clock::now() + bound;
  while (!done() && Clock::now() < end) loop.RunOnce(5ms);
}

SenderOptions Options(const HttpsTestServer& server) {
  SenderOptions options;
  options.name = "test";
  options.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  options.display_url = options.url;
  options.initial_backoff = 1ms;
  options.max_backoff = 2ms;
  return options;
}

TEST_CASE("HttpSender: a 503 is retried with backoff, then the alerts count as sent", "[notify]") {
  HttpsTestServer server(Script({Status(503, "busy"), Status(503), Status(200)}),
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti curl(&loop);
  HttpSender sender(&curl, &loop, Options(server));
  sender.Enqueue({{R"({"a":1})", 2}});
  RunUntil(loop, [&] { return sender.idle(); });
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  for (const auto& request : requests) {
    CHECK(request.method == "POST");
    CHECK(request.target == "/hook");
    CHECK(request.headers.at("content-type") == "application/json");
    CHECK(request.body == R"({"a":1})");
  }
  CHECK(sender.stats().sent == 2);
  CHECK(sender.stats().errors == 2);
  CHECK(sender.stats().dropped == 0);
  CHECK(sender.stats().last_error.find("HTTP 503") != std::string::npos);
}

TEST_CASE("HttpSender: a 400 is not retried, its alerts are dropped and counted", "[notify]") {
  HttpsTestServer server(Script({Status(400, "invalid_payload"), Status(200)}),
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti curl(&loop);
  HttpSender sender(&curl, &loop, Options(server));
  sender.Enqueue({{"{}", 3}, {"{}", 1}});
  RunUntil(loop, [&] { return sender.idle(); });
  CHECK(server.requests().size() == 2);  // the first refused, the second sent
  CHECK(sender.stats().dropped == 3);
  CHECK(sender.stats().sent == 1);
  CHECK(sender.stats().errors == 1);
  CHECK(sender.stats().last_error == "POST " + Options(server).url + ": HTTP 400: invalid_payload");
}

TEST_CASE("HttpSender: retries stop after max_attempts and the batch is dropped", "[notify]") {
  HttpsTestServer server(Script({Status(500)}), HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti curl(&loop);
  SenderOptions options = Options(server);
  options.max_attempts = 4;
  HttpSender sender(&curl, &loop, options);
  sender.Enqueue({{"{}", 1}});
  RunUntil(loop, [&] { return sender.idle(); });
  CHECK(server.requests().size() == 4);
  CHECK(sender.stats().errors == 4);
  CHECK(sender.stats().dropped == 1);
  CHECK(sender.stats().sent == 0);
}

TEST_CASE("HttpSender: Retry-After sets the wait before the next attempt exactly", "[notify]") {
  TestResponse limited = Status(429, "rate limited");
  limited.headers.emplace_back("Retry-After", "7");
  HttpsTestServer server(Script({limited, Status(202)}), HttpsTestServer::Cert::kValid,
                         /*tls=*/false);
  EventLoop loop;
  CurlMulti curl(&loop);
  FakeTimers clock;
  SenderOptions options = Options(server);
  options.initial_backoff = 1s;
  options.max_backoff = 60s;
  HttpSender sender(&curl, &clock, options);
  sender.Enqueue({{"{}", 1}});
  RunUntil(loop, [&] { return sender.stats().errors == 1; });
  REQUIRE(clock.pending() == 1);
  CHECK(clock.NextDue() - clock.Now() == 7s);
  clock.Advance(6s);
  CHECK(server.requests().size() == 1);
  clock.Advance(1s);
  RunUntil(loop, [&] { return sender.idle(); });
  CHECK(server.requests().size() == 2);
  CHECK(sender.stats().sent == 1);
}

TEST_CASE("HttpSender: without Retry-After the waits double from the initial backoff", "[notify]") {
  HttpsTestServer server(Script({Status(502), Status(502), Status(200)}),
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti curl(&loop);
  FakeTimers clock;
  SenderOptions options = Options(server);
  options.initial_backoff = 10s;
  options.max_backoff = 60s;
  HttpSender sender(&curl, &clock, options);
  sender.Enqueue({{"{}", 1}});
  RunUntil(loop, [&] { return sender.stats().errors == 1; });
  const Duration first = clock.NextDue() - clock.Now();
  CHECK(first >= 5s);  // jitter: [0.5, 1) of 10s
  CHECK(first < 10s);
  clock.Advance(first);
  RunUntil(loop, [&] { return sender.stats().errors == 2; });
  const Duration second = clock.NextDue() - clock.Now();
  CHECK(second >= 10s);
  CHECK(second < 20s);
  clock.Advance(second);
  RunUntil(loop, [&] { return sender.idle(); });
  CHECK(sender.stats().sent == 1);
}

TEST_CASE("HttpSender: a tarpit receiver neither blocks the loop nor the caller, it times out",
          "[notify]") {
  HttpsTestServer server([](const TestRequest&) { return TestResponse{}; },
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  server.set_silent(true);
  EventLoop loop;
  CurlMulti curl(&loop);
  SenderOptions options = Options(server);
  options.timeout = 300ms;
  options.max_attempts = 1;
  HttpSender sender(&curl, &loop, options);
  const TimePoint before = Clock::now();
  sender.Enqueue({{"{}", 5}});
  CHECK(Clock::now() - before < 50ms);  // Enqueue returns at once
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    loop.AddTimer(20ms, tick);
  };
  loop.AddTimer(20ms, tick);
  RunUntil(loop, [&] { return sender.idle(); });
  CHECK(ticks >= 5);  // the loop kept running timers while the request hung
  CHECK(Clock::now() - before >= 300ms);
  CHECK(sender.stats().dropped == 5);
  CHECK(sender.stats().errors == 1);
  CHECK(sender.stats().last_error.find("timed out") != std::string::npos);
}

TEST_CASE("HttpSender: a full queue drops its oldest entries and counts their alerts", "[notify]") {
  HttpsTestServer server(Script({Status(200)}), HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti curl(&loop);
  SenderOptions options = Options(server);
  options.queue_capacity = 3;
  options.max_batch = 64;
  HttpSender sender(&curl, &loop, options);
  sender.Enqueue({{"0", 1}});  // taken at once as the batch in flight
  std::vector<HttpSender::Entry> more;
  for (int i = 1; i <= 6; ++i) more.push_back({std::to_string(i), 1});
  sender.Enqueue(std::move(more));
  CHECK(sender.queued() == 3);
  CHECK(sender.stats().dropped == 3);
  RunUntil(loop, [&] { return sender.idle(); });
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(nlohmann::json::parse(requests[0].body) == nlohmann::json::array({0}));
  CHECK(nlohmann::json::parse(requests[1].body) == nlohmann::json::array({4, 5, 6}));
  CHECK(sender.stats().sent == 4);
}

TEST_CASE("HttpSender: https with the test CA, and basic auth", "[notify]") {
  HttpsTestServer server(Script({Status(200)}));
  EventLoop loop;
  CurlMulti curl(&loop);
  SenderOptions options = Options(server);
  options.url = server.Url("/tls", "localhost");
  options.ca_file = std::getenv("AGENT_TEST_TLS_CA");
  options.username = "am";
  options.password = "pw-4711";
  HttpSender sender(&curl, &loop, options);
  sender.Enqueue({{"{}", 1}});
  RunUntil(loop, [&] { return sender.idle(); });
  INFO(sender.stats().last_error);
  REQUIRE(sender.stats().sent == 1);
  // base64("am:pw-4711")
  CHECK(server.requests().at(0).headers.at("authorization") == "Basic YW06cHctNDcxMQ==");
}

TEST_CASE("HttpSender: destroyed mid-request, it leaves nothing on the loop", "[notify]") {
  HttpsTestServer server([](const TestRequest&) { return TestResponse{}; },
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  server.set_silent(true);
  EventLoop loop;
  CurlMulti curl(&loop);
  {
    HttpSender sender(&curl, &loop, Options(server));
    sender.Enqueue({{"{}", 1}});
    RunUntil(loop, [&] { return server.accepted() > 0; });
  }
  CHECK(curl.in_flight() == 0);
}

}  // namespace
}  // namespace sidecar::notify
