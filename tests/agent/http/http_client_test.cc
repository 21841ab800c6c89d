#include "agent/http/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "agent/http/http_server.h"
#include "tests/agent/http/http_test_util.h"

namespace sidecar::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A TCP socket on 127.0.0.1, bound to a free port; listening or not.
class LocalSocket {
 public:
  explicit LocalSocket(bool listening) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    if (listening) listen(fd_, 16);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~LocalSocket() { close(fd_); }
  LocalSocket(const LocalSocket&) = delete;
  LocalSocket& operator=(const LocalSocket&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::unique_ptr<HttpServer> StartServer(HttpHandler handler) {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  auto server = HttpServer::Start(options, std::move(handler));
  REQUIRE(server.ok());
  return std::move(server).value();
}

TEST_CASE("HttpGet: reads status, headers and body from the agent's server", "[http]") {
  auto server = StartServer([](const HttpRequest& request) {
    HttpResponse response;
    response.status = request.path == "/health" ? 503 : 404;
    response.content_type = "application/json";
    response.body =
        "{\"status\":\"unhealthy\",\"ua\":\"" + std::string(request.Header("user-agent")) + "\"}";
    response.compressible = true;
    return response;
  });
  auto response = HttpGet("127.0.0.1", server->port(), "/health", seconds(10));
  REQUIRE(response.ok());
  CHECK(response->status == 503);
  CHECK(response->Header("Content-Type") == "application/json");
  CHECK(response->Header("connection") == "close");
  CHECK(response->body == "{\"status\":\"unhealthy\",\"ua\":\"agent-check\"}");

  auto missing = HttpGet("localhost", server->port(), "/nope", seconds(10));
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
}

TEST_CASE("HttpGet: a large body arrives whole, and one over 1 MiB is refused", "[http]") {
  std::atomic<size_t> body_size{0};
  auto server = StartServer([&body_size](const HttpRequest&) {
    HttpResponse response;
    response.body = std::string(body_size.load(), 'x');
    return response;
  });
  body_size = 1024 * 1024;
  auto whole = HttpGet("127.0.0.1", server->port(), "/", seconds(10));
  REQUIRE(whole.ok());
  CHECK(whole->body.size() == body_size.load());

  body_size = 1024 * 1024 + 1;
  auto refused = HttpGet("127.0.0.1", server->port(), "/", seconds(10));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("larger than 1 MiB") != std::string::npos);
}

TEST_CASE("HttpGet: a port nobody listens on is refused, fast and recognisably", "[http]") {
  uint16_t port;
  {
    LocalSocket unused(/*listening=*/false);
    port = unused.port();
  }
  const TimePoint start = Clock::now();
  auto response = HttpGet("127.0.0.1", port, "/health", seconds(10));
  CHECK(Clock::now() - start < seconds(5));
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == Status::Code::kUnavailable);
  CHECK(response.status().message() ==
        "http://127.0.0.1:" + std::to_string(port) + "/health: connection refused");
  CHECK(IsConnectionRefused(response.status()));
}

TEST_CASE("HttpGet: a listener that never answers is given up at the timeout", "[http]") {
  LocalSocket silent(/*listening=*/true);  // the kernel completes connects; nobody reads
  const Duration timeout = milliseconds(300);
  const TimePoint start = Clock::now();
  auto response = HttpGet("127.0.0.1", silent.port(), "/health", timeout);
  const Duration elapsed = Clock::now() - start;
  CHECK(elapsed >= timeout);
  CHECK(elapsed < timeout + seconds(5));
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == Status::Code::kUnavailable);
  CHECK(response.status().message().find("no answer within 300ms") != std::string::npos);
  CHECK_FALSE(IsConnectionRefused(response.status()));
}

TEST_CASE("HttpGet: a body without Content-Length is read until the close", "[http]") {
  LocalSocket listener(/*listening=*/true);
  std::thread peer([&listener] {
    const int fd = accept(listener.fd(), nullptr, nullptr);
    char buffer[4096];
    [[maybe_unused]] ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    const std::string answer = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close";
    n = send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    close(fd);
  });
  auto response = HttpGet("127.0.0.1", listener.port(), "/", seconds(10));
  peer.join();
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == "until close");
}

TEST_CASE("HttpGet: a peer that is not HTTP is a bad response, not a hang", "[http]") {
  LocalSocket listener(/*listening=*/true);
  std::thread peer([&listener] {
    const int fd = accept(listener.fd(), nullptr, nullptr);
    char buffer[4096];
    [[maybe_unused]] ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    const std::string answer = "-ERR unknown command\r\n\r\n";
    n = send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    close(fd);
  });
  auto response = HttpGet("127.0.0.1", listener.port(), "/", seconds(10));
  peer.join();
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == Status::Code::kInvalidArgument);
  CHECK(response.status().message().find("malformed response head") != std::string::npos);
}

TEST_CASE("HttpGet: bracketed IPv6 hosts and bad paths", "[http]") {
  uint16_t port;
  {
    LocalSocket unused(/*listening=*/false);
    port = unused.port();
  }
  auto bad_path = HttpGet("127.0.0.1", port, "health", seconds(1));
  REQUIRE_FALSE(bad_path.ok());
  CHECK(bad_path.status().code() == Status::Code::kInvalidArgument);

  if (!testing::Ipv6LoopbackAvailable()) {
    WARN("no IPv6 loopback on this host: not tested");
    return;
  }
  HttpServerOptions options;
  options.host = "::1";
  auto server =
      HttpServer::Start(options, [](const HttpRequest&) { return TextResponse(200, "v6"); });
  REQUIRE(server.ok());
  auto response = HttpGet("[::1]", (*server)->port(), "/", seconds(10));
  REQUIRE(response.ok());
  CHECK(response->body == "v6\n");
}

// Accepts one connection, reads the request head and Content-Length body, and answers with
// `parts`, each in its own send.
class OnePeer {
 public:
  explicit OnePeer(std::vector<std::string> parts) : listener_(/*listening=*/true) {
    thread_ = std::thread([this, parts = std::move(parts)] {
      const int fd = accept(listener_.fd(), nullptr, nullptr);
      char buffer[4096];
      while (true) {
        const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        request_.append(buffer, static_cast<size_t>(n));
        const size_t head_end = request_.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        const size_t length_at = request_.find("Content-Length: ");
        const size_t length =
            length_at == std::string::npos ? 0 : std::stoul(request_.substr(length_at + 16));
        if (request_.size() >= head_end + 4 + length) break;
      }
      for (const std::string& part : parts) {
        [[maybe_unused]] ssize_t sent = send(fd, part.data(), part.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(milliseconds(5));
      }
      close(fd);
    });
  }
  ~OnePeer() { Join(); }
  OnePeer(const OnePeer&) = delete;
  OnePeer& operator=(const OnePeer&) = delete;

  uint16_t port() const { return listener_.port(); }
  // Waits for the peer's end of the exchange; returns the request it read.
  const std::string& Join() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  LocalSocket listener_;
  std::string request_;
  std::thread thread_;
};

TEST_CASE("HttpExchange: a POST sends its headers and body, and a chunked answer is decoded",
          "[http]") {
  OnePeer peer(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nRetry-After: 3\r\n\r\n5;ext=1\r\nhel",
       "lo\r\n", "7\r\n, world\r\n0\r\n", "X-Trailer: t\r\n\r\n"});
  HttpClientRequest request;
  request.method = "POST";
  request.host = "localhost";
  request.port = peer.port();
  request.path = "/v1/metrics?x=1";
  request.headers = {"Content-Type: application/x-protobuf", "Expect:", "X-Api-Key: k"};
  request.body = "payload";
  request.user_agent = "agent/test";
  auto response = HttpExchange(request, seconds(10));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == "hello, world");
  CHECK(response->Header("retry-after") == "3");
  const std::string sent = peer.Join();
  CHECK(sent == "POST /v1/metrics?x=1 HTTP/1.1\r\nHost: localhost:" + std::to_string(peer.port()) +
                    "\r\nUser-Agent: agent/test\r\nAccept: */*\r\n"
                    "Content-Type: application/x-protobuf\r\nX-Api-Key: k\r\n"
                    "Content-Length: 7\r\nConnection: close\r\n\r\npayload");
}

TEST_CASE("HttpExchange: bad requests are refused before anything is sent", "[http]") {
  HttpClientRequest request;
  request.host = "127.0.0.1";
  request.port = 1;
  request.headers = {"X-Evil: a\r\nInjected: b"};
  CHECK(HttpExchange(request, seconds(1)).status().code() == Status::Code::kInvalidArgument);
  request.headers = {"no colon"};
  CHECK(HttpExchange(request, seconds(1)).status().code() == Status::Code::kInvalidArgument);
  request.headers = {};
  request.method = "get";
  CHECK(HttpExchange(request, seconds(1)).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("HttpExchange: a chunked body that is cut or malformed is a bad response", "[http]") {
  SECTION("cut") {
    OnePeer peer({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort"});
    HttpClientRequest request;
    request.host = "127.0.0.1";
    request.port = peer.port();
    auto response = HttpExchange(request, seconds(10));
    REQUIRE_FALSE(response.ok());
    CHECK(response.status().message() == "connection closed before the body ended");
  }
  SECTION("not hex") {
    OnePeer peer({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"});
    HttpClientRequest request;
    request.host = "127.0.0.1";
    request.port = peer.port();
    auto response = HttpExchange(request, seconds(10));
    REQUIRE_FALSE(response.ok());
    CHECK(response.status().code() == Status::Code::kInvalidArgument);
    CHECK(response.status().message() == "malformed chunk size");
  }
  SECTION("over the limit") {
    OnePeer peer({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" +
                  std::string(1024, 'x') + "\r\n0\r\n\r\n"});
    HttpClientRequest request;
    request.host = "127.0.0.1";
    request.port = peer.port();
    request.max_body_bytes = 1000;
    auto response = HttpExchange(request, seconds(10));
    REQUIRE_FALSE(response.ok());
    CHECK(response.status().message() == "response body larger than 1000 bytes");
  }
}

TEST_CASE("HttpExchange: the abort predicate ends a wait long before the timeout", "[http]") {
  LocalSocket silent(/*listening=*/true);
  HttpClientRequest request;
  request.host = "127.0.0.1";
  request.port = silent.port();
  const TimePoint start = Clock::now();
  request.abort = [start] { return Clock::now() - start > milliseconds(100); };
  auto response = HttpExchange(request, seconds(30));
  CHECK(Clock::now() - start < seconds(5));
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().message() == "aborted");
}

TEST_CASE("ParsePlainHttpUrl: what the agent's client reaches itself", "[http]") {
  auto url = ParsePlainHttpUrl("http://collector:4318/v1/metrics");
  REQUIRE(url);
  CHECK(url->host == "collector");
  CHECK(url->port == 4318);
  CHECK(url->path == "/v1/metrics");
  url = ParsePlainHttpUrl("HTTP://[::1]/a?b=c#frag");
  REQUIRE(url);
  CHECK(url->host == "::1");
  CHECK(url->port == 80);
  CHECK(url->path == "/a?b=c");
  url = ParsePlainHttpUrl("http://10.0.0.1?q");
  REQUIRE(url);
  CHECK(url->path == "/?q");
  CHECK(ParsePlainHttpUrl("http://otel.example.com")->path == "/");
  CHECK_FALSE(ParsePlainHttpUrl("https://collector:4318/v1/metrics"));
  CHECK_FALSE(ParsePlainHttpUrl("http://user:secret@collector/v1/metrics"));
  CHECK_FALSE(ParsePlainHttpUrl("http://collector:99999/"));
  CHECK_FALSE(ParsePlainHttpUrl("http://collector:43a/"));
  CHECK_FALSE(ParsePlainHttpUrl("http://[::1/"));
  CHECK_FALSE(ParsePlainHttpUrl("http:///path"));
  CHECK_FALSE(ParsePlainHttpUrl("http://host name/"));
  CHECK_FALSE(ParsePlainHttpUrl("collector:4318"));
}

}  // namespace
}  // namespace sidecar::http
