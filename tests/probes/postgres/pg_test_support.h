// Helpers for the Postgres probe tests: run a probe on a real loop, build one from YAML, reach
// the suite's server (AGENT_TEST_PG_*), stand up listeners that misbehave, and stop the server
// with SIGSTOP for as long as a guard lives. Header-only (tests/CMakeLists.txt compiles only
// *_test.cc here). Single-threaded, like the loop.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/config_node.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "probes/postgres/postgres_probe.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::postgres::testing {

using namespace std::chrono_literals;

// The server tests/run.sh starts.
struct PgServer {
  std::string host = sidecar::testing::RequireEnv("AGENT_TEST_PG_HOST");
  std::string port = sidecar::testing::RequireEnv("AGENT_TEST_PG_PORT");
  std::string user = sidecar::testing::RequireEnv("AGENT_TEST_PG_USER");
  std::string password = sidecar::testing::RequireEnv("AGENT_TEST_PG_PASSWORD");
  std::string db = sidecar::testing::RequireEnv("AGENT_TEST_PG_DB");

  // "postgres://user:password@host:port/db" plus `query` ("?sslmode=disable") when given.
  std::string Url(const std::string& query = "", const std::string& pw = "") const {
    return "postgres://" + user + ":" + (pw.empty() ? password : pw) + "@" + host + ":" + port +
           "/" + db + query;
  }
};

// A probe built from one YAML entry; `env` answers ${VAR} references.
struct Built {
  ProbePtr probe;
  std::shared_ptr<config::ParseState> state;
  std::string Errors() const {
    std::string out;
    for (const auto& error : state->errors) out += error.ToString() + "\n";
    return out;
  }
};

inline Built Build(const std::string& entry_yaml, std::map<std::string, std::string> env = {}) {
  Built built;
  built.state = std::make_shared<config::ParseState>();
  built.state->file = "test.yaml";
  built.state->env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto root = config::ConfigNode::Parse("probes:\n  - " + entry_yaml, built.state);
  auto entries = root.GetMapList("probes");
  REQUIRE(entries.size() == 1);
  built.probe = CreatePostgresProbe(entries[0]);
  entries[0].CheckUnknownKeys();
  return built;
}

// A loop and resolver to run probes on.
struct Harness {
  EventLoop loop;
  Resolver resolver{&loop, 1};
  std::optional<ProbeResult> result;
  int calls = 0;

  void Start(Probe& probe, Duration deadline = 5s) {
    result.reset();
    calls = 0;
    probe.Start(ProbeContext{&loop, &resolver, Clock::now() + deadline}, [this](ProbeResult r) {
      ++calls;
      result = std::move(r);
    });
  }
  // Runs the loop until the probe is done or `bound` passes.
  void RunUntilDone(Duration bound = 10s) {
    const TimePoint end = Clock::now() + bound;
    while (calls == 0 && Clock::now() < end) loop.RunOnce(50ms);
  }
  // Runs the loop for `span`, whatever happens.
  void RunFor(Duration span) {
    const TimePoint end = Clock::now() + span;
    while (Clock::now() < end)
      loop.RunOnce(std::chrono::duration_cast<Duration>(end - Clock::now()));
  }
  ProbeResult Run(Probe& probe, Duration deadline = 5s) {
    Start(probe, deadline);
    RunUntilDone();
    REQUIRE(calls == 1);
    return *result;
  }
};

inline const Sample* FindSample(const ProbeResult& result, const MetricDef& metric,
                                const std::string& phase = "") {
  for (const Sample& sample : result.samples) {
    if (sample.metric != &metric) continue;
    if (phase.empty() || (!sample.labels.empty() && sample.labels[0].second == phase)) {
      return &sample;
    }
  }
  return nullptr;
}

// A TCP listener on 127.0.0.1 and a port the kernel picked.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    REQUIRE(listen(fd_, 16) == 0);
  }
  ~Listener() {
    if (accepted_ >= 0) close(accepted_);
    close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  // Accepts the connection waiting in the backlog (waits at most 2 s); -1 when none came.
  int Accept() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 2000) == 1) accepted_ = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    return accepted_;
  }
  // Whether the accepted peer closed its end within 2 s.
  bool PeerClosed() const {
    pollfd p{accepted_, POLLIN, 0};
    char byte[64];
    while (poll(&p, 1, 2000) == 1) {
      const ssize_t n = recv(accepted_, byte, sizeof(byte), 0);
      if (n <= 0) return true;  // EOF, or a reset
    }
    return false;
  }

 private:
  int fd_ = -1;
  int accepted_ = -1;
  uint16_t port_ = 0;
};

// How many file descriptors this process has open.
inline size_t OpenFds() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

// A port nothing listens on: bound, then released.
inline uint16_t RefusedPort() {
  Listener listener;
  return listener.port();
}

// A server without TLS: answers libpq's SSLRequest with 'N', then says nothing more. Runs on
// the test's loop.
class NoTlsServer {
 public:
  explicit NoTlsServer(EventLoop* loop) : loop_(loop) {
    listen_watch_ = loop_->Watch(listener_.fd(), EventLoop::kReadable, [this](uint32_t) {
      conn_ = accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      loop_->Unwatch(listen_watch_);
      listen_watch_ = 0;
      conn_watch_ = loop_->Watch(conn_, EventLoop::kReadable, [this](uint32_t) { OnData(); });
    });
  }
  ~NoTlsServer() {
    loop_->Unwatch(listen_watch_);
    loop_->Unwatch(conn_watch_);
    if (conn_ >= 0) close(conn_);
  }
  uint16_t port() const { return listener_.port(); }

 private:
  void OnData() {
    char buffer[64];
    const ssize_t n = recv(conn_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      loop_->Unwatch(conn_watch_);
      conn_watch_ = 0;
      return;
    }
    received_ += static_cast<size_t>(n);
    if (received_ >= 8 && !answered_) {  // SSLRequest: length 8, code 80877103
      answered_ = send(conn_, "N", 1, MSG_NOSIGNAL) == 1;
    }
  }

  EventLoop* loop_;
  Listener listener_;
  EventLoop::WatchId listen_watch_ = 0;
  EventLoop::WatchId conn_watch_ = 0;
  int conn_ = -1;
  size_t received_ = 0;
  bool answered_ = false;
};

// Stops a process with SIGSTOP and lets it go on (SIGCONT) when the guard dies, also when an
// assertion ends the test early.
class StopGuard {
 public:
  explicit StopGuard(pid_t pid) : pid_(pid) { REQUIRE(kill(pid_, SIGSTOP) == 0); }
  ~StopGuard() { kill(pid_, SIGCONT); }
  StopGuard(const StopGuard&) = delete;
  StopGuard& operator=(const StopGuard&) = delete;

 private:
  pid_t pid_;
};

}  // namespace sidecar::probes::postgres::testing
