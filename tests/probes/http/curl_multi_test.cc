// CurlMulti: libcurl's multi interface on the EventLoop, against a local plain-HTTP server.
#include "agent/loop/curl_multi.h"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "agent/loop/event_loop.h"
#include "tests/support/https_test_server.h"

namespace sidecar {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

struct EasyFree {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using EasyPtr = std::unique_ptr<CURL, EasyFree>;

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

EasyPtr NewEasy(const std::string& url) {
  EasyPtr easy(curl_easy_init());
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 20000L);
  return easy;
}

void RunUntil(EventLoop& loop, const std::function<bool()>& done, Duration bound = 20s) {
  const TimePoint end = Clock::now() + bound;
  while (!done() && Clock::now() < end) loop.RunOnce(10ms);
}

TEST_CASE("CurlMulti: hundreds of transfers share the loop thread and each completes once",
          "[http]") {
  HttpsTestServer server(
      [](const TestRequest&) {
        TestResponse response;
        response.body = "ok";
        return response;
      },
      HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti multi(&loop);
  constexpr int kTransfers = 200;
  std::vector<EasyPtr> easies;
  std::vector<int> completions(kTransfers, 0);
  int ok = 0;
  for (int i = 0; i < kTransfers; ++i) {
    easies.push_back(NewEasy(server.Url("/" + std::to_string(i))));
    REQUIRE(multi.Submit(easies.back().get(), [&, i](CURLcode code) {
      ++completions[i];
      ok += code == CURLE_OK;
    }) != 0);
  }
  CHECK(multi.in_flight() == kTransfers);
  RunUntil(loop, [&] { return multi.in_flight() == 0; });
  CHECK(ok == kTransfers);
  for (int count : completions) CHECK(count == 1);
  CHECK(server.requests().size() == kTransfers);
  // A finished handle can be submitted again (keep-alive: the connection is reused).
  const int accepted = server.accepted();
  bool again = false;
  multi.Submit(easies[0].get(), [&](CURLcode code) { again = code == CURLE_OK; });
  RunUntil(loop, [&] { return again; });
  CHECK(again);
  CHECK(server.accepted() == accepted);
  CHECK(multi.quiescent());
}

TEST_CASE("CurlMulti: a cancelled transfer never completes and leaves no socket behind", "[http]") {
  HttpsTestServer tarpit([](const TestRequest&) { return TestResponse{}; },
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  tarpit.set_silent(true);
  EventLoop loop;
  CurlMulti multi(&loop);
  EasyPtr easy = NewEasy(tarpit.Url("/"));
  int completions = 0;
  const CurlMulti::TransferId id = multi.Submit(easy.get(), [&](CURLcode) { ++completions; });
  RunUntil(loop, [&] { return tarpit.accepted() == 1; });
  REQUIRE(tarpit.accepted() == 1);
  multi.Cancel(id);
  multi.Cancel(id);  // idempotent
  CHECK(multi.in_flight() == 0);
  CHECK(multi.quiescent());
  RunUntil(loop, [&] { return tarpit.closed() == 1; });
  CHECK(tarpit.closed() == 1);
  CHECK(completions == 0);
}

TEST_CASE("CurlMulti: a completion may cancel another transfer or submit a new one", "[http]") {
  HttpsTestServer server(
      [](const TestRequest&) {
        TestResponse response;
        response.body = "x";
        return response;
      },
      HttpsTestServer::Cert::kValid, /*tls=*/false);
  EventLoop loop;
  CurlMulti multi(&loop);
  EasyPtr a = NewEasy(server.Url("/a"));
  EasyPtr b = NewEasy(server.Url("/b"));
  EasyPtr c = NewEasy(server.Url("/c"));
  int a_done = 0, b_done = 0, c_done = 0;
  CurlMulti::TransferId b_id = 0;
  multi.Submit(a.get(), [&](CURLcode) {
    ++a_done;
    multi.Cancel(b_id);  // whether b finished in the same batch or not, it is never reported
    multi.Submit(c.get(), [&](CURLcode code) { c_done += code == CURLE_OK; });
  });
  b_id = multi.Submit(b.get(), [&](CURLcode) { ++b_done; });
  RunUntil(loop, [&] { return c_done == 1 || (b_done == 1 && a_done == 0); });
  if (b_done == 1) {  // b won the race: a still completes and submits c
    RunUntil(loop, [&] { return c_done == 1; });
  }
  CHECK(a_done == 1);
  CHECK(c_done == 1);
  CHECK(b_done <= 1);
}

TEST_CASE("CurlMulti: destroying it abandons the transfers in flight without callbacks", "[http]") {
  HttpsTestServer tarpit([](const TestRequest&) { return TestResponse{}; },
                         HttpsTestServer::Cert::kValid, /*tls=*/false);
  tarpit.set_silent(true);
  EventLoop loop;
  std::vector<EasyPtr> easies;
  int completions = 0;
  {
    CurlMulti multi(&loop);
    for (int i = 0; i < 10; ++i) {
      easies.push_back(NewEasy(tarpit.Url("/")));
      multi.Submit(easies.back().get(), [&](CURLcode) { ++completions; });
    }
    RunUntil(loop, [&] { return tarpit.accepted() == 10; });
  }
  RunUntil(loop, [&] { return tarpit.closed() == 10; });
  CHECK(tarpit.closed() == 10);
  CHECK(completions == 0);
}

}  // namespace
}  // namespace sidecar
