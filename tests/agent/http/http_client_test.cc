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

}  // namespace
}  // namespace sidecar::http
