#include "agent/http/http_server.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/http/http_client.h"
#include "tests/agent/http/http_test_util.h"

namespace sidecar::http {
namespace {

using testing::Get;
using testing::Gunzip;
using testing::RawConnection;
using testing::RawResponse;

constexpr size_t kBigBodyBytes = 256 * 1024;

std::string CompressibleText() {
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text +=
        "probe_duration_seconds{probe=\"db-" + std::to_string(i) + "\",type=\"postgres\"} 0.01\n";
  }
  return text;
}

// Echoes the request back; a few paths answer otherwise. Counts what it serves.
struct TestHandler {
  std::shared_ptr<std::atomic<int>> big_served = std::make_shared<std::atomic<int>>(0);

  HttpResponse operator()(const HttpRequest& request) const {
    if (request.path == "/missing") return TextResponse(404, "no such page");
    if (request.path == "/throw") throw std::runtime_error("handler bug");
    HttpResponse response;
    response.content_type = "text/plain";
    if (request.path == "/big") {
      ++*big_served;
      response.body = std::string(kBigBodyBytes, 'b');
    } else if (request.path == "/text") {
      response.body = CompressibleText();
      response.compressible = true;
    } else {
      response.body = std::string(request.method) + " " + std::string(request.path) + " " +
                      std::string(request.query) + " " + std::string(request.Header("x-test"));
    }
    return response;
  }
};

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options = {}, TestHandler handler = {}) {
  options.host = "127.0.0.1";
  auto server = HttpServer::Start(options, handler);
  REQUIRE(server.ok());
  return std::move(server).value();
}

TEST_CASE("HttpServer: GET reaches the handler and its answer comes back", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  REQUIRE(client.Send(Get("/echo?a=1", "X-Test: hello\r\n")));
  const RawResponse response = client.Read();
  CHECK(response.status == 200);
  CHECK(response.body == "GET /echo a=1 hello");
  CHECK(response.Header("content-type") == "text/plain");
  CHECK(response.Header("content-length") == std::to_string(response.body.size()));
  CHECK(response.Header("server") == "agent");
  CHECK(response.Header("date").size() == 29);
  CHECK(server->requests_total() == 1);
}

TEST_CASE("HttpServer: HEAD gets the headers only and the connection stays usable", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  REQUIRE(client.Send("HEAD /echo HTTP/1.1\r\nHost: a\r\n\r\n"));
  const RawResponse head = client.Read(/*head_request=*/true);
  CHECK(head.status == 200);
  CHECK(head.Header("content-length") == std::to_string(std::string("HEAD /echo  ").size()));
  CHECK(head.body.empty());
  REQUIRE(client.Send(Get("/after")));
  const RawResponse next = client.Read();
  CHECK(next.body == "GET /after  ");
  CHECK(client.buffered().empty());
}

TEST_CASE("HttpServer: a 404 from the handler is passed through", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  REQUIRE(client.Send(Get("/missing")));
  const RawResponse response = client.Read();
  CHECK(response.status == 404);
  CHECK(response.body == "no such page\n");
}

TEST_CASE("HttpServer: a handler that throws gives 500 and the server goes on", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  REQUIRE(client.Send(Get("/throw") + Get("/ok")));
  CHECK(client.Read().status == 500);
  CHECK(client.Read().status == 200);
}

TEST_CASE("HttpServer: one keep-alive connection serves many requests", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  for (int i = 0; i < 200; ++i) {
    REQUIRE(client.Send(Get("/n", "X-Test: " + std::to_string(i) + "\r\n")));
    const RawResponse response = client.Read();
    REQUIRE(response.status == 200);
    CHECK(response.body == "GET /n  " + std::to_string(i));
    CHECK(response.Header("connection").empty());
  }
  CHECK(server->connections_open() == 1);
  CHECK(server->requests_total() == 200);
}

TEST_CASE("HttpServer: pipelined requests are answered in order", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  std::string batch;
  for (int i = 0; i < 50; ++i) batch += Get("/p" + std::to_string(i));
  batch += "HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n" + Get("/last");
  REQUIRE(client.Send(batch));
  for (int i = 0; i < 50; ++i) {
    CHECK(client.Read().body == "GET /p" + std::to_string(i) + "  ");
  }
  CHECK(client.Read(/*head_request=*/true).status == 200);
  CHECK(client.Read().body == "GET /last  ");
}

TEST_CASE("HttpServer: HTTP/1.0 closes unless keep-alive is asked for", "[http]") {
  auto server = StartServer();
  SECTION("plain HTTP/1.0") {
    RawConnection client(server->port());
    REQUIRE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
    const RawResponse response = client.Read();
    CHECK(response.status == 200);
    CHECK(response.Header("connection") == "close");
    CHECK(client.WaitForClose());
  }
  SECTION("HTTP/1.0 with keep-alive") {
    RawConnection client(server->port());
    REQUIRE(client.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    CHECK(client.Read().Header("connection") == "keep-alive");
    REQUIRE(client.Send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    CHECK(client.Read().body == "GET /again  ");
  }
  SECTION("HTTP/1.1 with Connection: close") {
    RawConnection client(server->port());
    REQUIRE(client.Send(Get("/bye", "Connection: close\r\n") + Get("/never")));
    CHECK(client.Read().Header("connection") == "close");
    CHECK(client.WaitForClose());
  }
}

TEST_CASE("HttpServer: methods other than GET and HEAD get 405 with Allow", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  REQUIRE(client.Send("DELETE /health HTTP/1.1\r\nHost: a\r\n\r\n"));
  const RawResponse response = client.Read();
  CHECK(response.status == 405);
  CHECK(response.Header("allow") == "GET, HEAD");
  REQUIRE(client.Send(Get("/still-open")));
  CHECK(client.Read().status == 200);
}

TEST_CASE("HttpServer: requests with bodies are answered at once and closed", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  SECTION("POST with Content-Length") {
    REQUIRE(client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"));
    const RawResponse response = client.Read();
    CHECK(response.status == 405);
    CHECK(response.Header("connection") == "close");
  }
  SECTION("GET with a chunked body that never comes") {
    REQUIRE(client.Send("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const RawResponse response = client.Read();
    CHECK(response.status == 413);
    CHECK(response.Header("connection") == "close");
  }
  CHECK(client.WaitForClose());
}

TEST_CASE("HttpServer: malformed and oversized heads get 400 and 431, then close", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  SECTION("no Host") {
    REQUIRE(client.Send("GET / HTTP/1.1\r\n\r\n"));
    CHECK(client.Read().status == 400);
  }
  SECTION("head over 8 KiB") {
    REQUIRE(client.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20000, 'x')));
    CHECK(client.Read().status == 431);
  }
  CHECK(client.WaitForClose());
}

TEST_CASE("HttpServer: 200 idle keep-alive connections do not delay another client", "[http]") {
  auto server = StartServer();
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server->port()));
    REQUIRE(idle.back()->Send(Get("/hello")));
    REQUIRE(idle.back()->Read().status == 200);
  }
  RawConnection other(server->port());
  REQUIRE(other.Send(Get("/other")));
  CHECK(other.Read().body == "GET /other  ");
  CHECK(server->connections_open() == 201);
  // The idle ones are still served on their own connections.
  for (int i : {0, 99, 199}) {
    REQUIRE(idle[i]->Send(Get("/again")));
    CHECK(idle[i]->Read().status == 200);
  }
}

TEST_CASE("HttpServer: a client stalled half-way through a request blocks no one", "[http]") {
  auto server = StartServer();
  RawConnection stalled(server->port());
  REQUIRE(stalled.Send("GET /slow HTTP/1.1\r\nHo"));
  RawConnection other(server->port());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(other.Send(Get("/fast")));
    CHECK(other.Read().status == 200);
  }
  REQUIRE(stalled.Send("st: a\r\n\r\n"));
  CHECK(stalled.Read().body == "GET /slow  ");
}

TEST_CASE("HttpServer: a client that does not read holds back only itself", "[http]") {
  HttpServerOptions options;
  options.max_output_bytes = 64 * 1024;
  TestHandler handler;
  auto server = StartServer(options, handler);
  constexpr int kRequests = 100;  // 25 MiB of answers: far more than socket buffers hold
  RawConnection slow(server->port());
  std::string batch;
  for (int i = 0; i < kRequests; ++i) batch += Get("/big");
  REQUIRE(slow.Send(batch));

  RawConnection other(server->port());
  for (int i = 0; i < 10000 && *handler.big_served == 0; ++i) {
    REQUIRE(other.Send(Get("/fast")));
    REQUIRE(other.Read().status == 200);
  }
  CHECK(*handler.big_served > 0);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(other.Send(Get("/fast")));
    REQUIRE(other.Read().status == 200);
  }
  // The server stopped reading the slow client's requests once its output was full.
  CHECK(*handler.big_served < kRequests);
  // And resumes as the client reads.
  for (int i = 0; i < kRequests; ++i) {
    INFO("response " << i << " served " << *handler.big_served << " buffered "
                     << slow.buffered().size());
    const RawResponse response = slow.Read();
    REQUIRE(response.status == 200);
    REQUIRE(response.body.size() == kBigBodyBytes);
  }
  CHECK(*handler.big_served == kRequests);
}

TEST_CASE("HttpServer: gzip round trip when the client accepts it", "[http]") {
  auto server = StartServer();
  RawConnection client(server->port());
  REQUIRE(client.Send(Get("/text", "Accept-Encoding: gzip, deflate\r\n")));
  const RawResponse gzipped = client.Read();
  CHECK(gzipped.Header("content-encoding") == "gzip");
  CHECK(gzipped.Header("vary") == "Accept-Encoding");
  CHECK(gzipped.body.size() < CompressibleText().size() / 4);
  CHECK(Gunzip(gzipped.body) == CompressibleText());

  REQUIRE(client.Send(Get("/text")));
  const RawResponse plain = client.Read();
  CHECK(plain.Header("content-encoding").empty());
  CHECK(plain.body == CompressibleText());
}

TEST_CASE("HttpServer: idle and stalled connections are closed after their timeouts", "[http]") {
  HttpServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  options.request_timeout = std::chrono::milliseconds(100);
  SECTION("idle after a request") {
    options.request_timeout = std::chrono::hours(1);
    auto server = StartServer(options);
    RawConnection client(server->port());
    REQUIRE(client.Send(Get("/once")));
    CHECK(client.Read().status == 200);
    CHECK(client.WaitForClose());
    CHECK(server->connections_open() == 0);
  }
  SECTION("never sends anything") {
    auto server = StartServer(options);
    RawConnection client(server->port());
    CHECK(client.WaitForClose());
  }
  SECTION("half a request head") {
    options.idle_timeout = std::chrono::hours(1);
    auto server = StartServer(options);
    RawConnection client(server->port());
    REQUIRE(client.Send("GET / HTTP/1.1\r\n"));
    CHECK(client.WaitForClose());
  }
}

TEST_CASE("HttpServer: connections past the limit are accepted and closed", "[http]") {
  HttpServerOptions options;
  options.max_connections = 2;
  auto server = StartServer(options);
  RawConnection first(server->port());
  RawConnection second(server->port());
  REQUIRE(first.Send(Get("/1")));
  REQUIRE(second.Send(Get("/2")));
  CHECK(first.Read().status == 200);
  CHECK(second.Read().status == 200);
  RawConnection third(server->port());
  CHECK(third.WaitForClose());
  CHECK(server->connections_rejected() == 1);
  CHECK(server->connections_open() == 2);
}

TEST_CASE("HttpServer: Stop with open connections returns promptly and closes them", "[http]") {
  auto server = StartServer();
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(std::make_unique<RawConnection>(server->port()));
    REQUIRE(clients.back()->Send(i % 2 == 0 ? Get("/") : "GET / HTTP/1.1\r\n"));
  }
  REQUIRE(clients[0]->Read().status == 200);
  const TimePoint start = Clock::now();
  server->Stop();
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  for (auto& client : clients) {
    client->Read();  // the answer, if it was sent before the stop
    CHECK(client->WaitForClose());
  }
  server->Stop();  // idempotent
}

TEST_CASE("HttpServer: a busy port is reported with the address and the reason", "[http]") {
  auto first = StartServer();
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = first->port();
  auto second = HttpServer::Start(options, TestHandler());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Status::Code::kUnavailable);
  CHECK(second.status().message() ==
        "listen 127.0.0.1:" + std::to_string(first->port()) + ": Address already in use");
}

TEST_CASE("HttpServer: listens on IPv6 addresses, \"::\" also serving IPv4", "[http]") {
  if (!testing::Ipv6LoopbackAvailable()) {
    WARN("no IPv6 loopback on this host: not tested");
    return;
  }
  HttpServerOptions options;
  options.host = "::";
  auto any = HttpServer::Start(options, TestHandler());
  REQUIRE(any.ok());
  RawConnection ipv4((*any)->port());
  REQUIRE(ipv4.Send(Get("/v4")));
  CHECK(ipv4.Read().body == "GET /v4  ");

  options.host = "[::1]";
  auto loopback = HttpServer::Start(options, TestHandler());
  REQUIRE(loopback.ok());
  auto response = HttpGet("::1", (*loopback)->port(), "/v6", std::chrono::seconds(10));
  REQUIRE(response.ok());
  CHECK(response->body == "GET /v6  ");
}

}  // namespace
}  // namespace sidecar::http
