// Integration tests of the redis probe against real redis-server processes: the shared one that
// tests/run.sh starts (password, ACL user, TLS port) and a few this file starts itself.
#include "probes/redis/redis_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <optional>

#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "probes/redis/redis_metrics.h"
#include "tests/support/probe_config.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::redis {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::RequireEnv;
using Env = std::map<std::string, std::string>;

// The probe of `entry` (YAML of one probe, indented by four spaces), with ${VAR} from `env`.
ProbePtr MakeProbe(const std::string& entry, const Env& env = {}) {
  sidecar::testing::ParsedProbe parsed =
      sidecar::testing::ParseProbeEntry(entry, &CreateRedisProbe, env);
  INFO(parsed.errors);
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.probe != nullptr);
  return std::move(parsed.probe);
}

// An event loop and resolver that run one probe and count its completions.
struct Harness {
  EventLoop loop;
  Resolver resolver{&loop};
  std::optional<ProbeResult> result;
  int completions = 0;

  void Start(Probe& probe, Duration timeout = 5s) {
    probe.Start(ProbeContext{&loop, &resolver, Clock::now() + timeout}, [this](ProbeResult r) {
      ++completions;
      result = std::move(r);
    });
  }
  // Runs the loop until the probe completes or `bound` passes; true when it completed.
  bool RunUntilDone(Duration bound = 10s) {
    const TimePoint end = Clock::now() + bound;
    while (!result && Clock::now() < end) {
      loop.RunOnce(10ms);
    }
    return result.has_value();
  }
  void RunUntil(TimePoint end) {
    while (Clock::now() < end) {
      loop.RunOnce(std::chrono::duration_cast<Duration>(end - Clock::now()));
    }
  }
  ProbeResult Run(Probe& probe) {
    Start(probe);
    REQUIRE(RunUntilDone());
    CHECK(completions == 1);
    return *result;
  }
};

const Sample* FindSample(const ProbeResult& result, const MetricDef& metric,
                         const std::string& phase = "") {
  for (const Sample& sample : result.samples) {
    if (sample.metric != &metric) continue;
    if (phase.empty()) return &sample;
    for (const auto& [name, value] : sample.labels) {
      if (name == "phase" && value == phase) return &sample;
    }
  }
  return nullptr;
}

std::string LabelOf(const Sample& sample, const std::string& name) {
  for (const auto& [key, value] : sample.labels) {
    if (key == name) return value;
  }
  return "";
}

std::string Describe(const ProbeResult& result) {
  return std::string(VerdictName(result.verdict)) + " [" + result.failure + "] " + result.reason;
}

std::string SharedUrl(const std::string& scheme, const std::string& userinfo, const char* port_var,
                      const std::string& host = "127.0.0.1") {
  return scheme + "://" + userinfo + host + ":" + RequireEnv(port_var);
}

// A loopback TCP socket bound to a free port; listening or not.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listening) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    socklen_t length = sizeof(address);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    if (listening) {
      REQUIRE(listen(fd_, 8) == 0);
    }
  }
  ~LoopbackSocket() { close(fd_); }
  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A redis-server this test starts on a free loopback port, and always kills (continuing it
// first if a test stopped it), even when an assertion fails.
class ScopedRedisServer {
 public:
  enum class Listen { kPlain, kTlsOnly };

  explicit ScopedRedisServer(const std::vector<std::string>& extra,
                             Listen listen = Listen::kPlain) {
    for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
      Launch(extra, listen);
    }
    REQUIRE(pid_ > 0);
  }
  ~ScopedRedisServer() { Kill(); }
  ScopedRedisServer(const ScopedRedisServer&) = delete;
  ScopedRedisServer& operator=(const ScopedRedisServer&) = delete;

  int port() const { return port_; }
  void Pause() { REQUIRE(kill(pid_, SIGSTOP) == 0); }

 private:
  void Launch(const std::vector<std::string>& extra, Listen listen) {
    {
      LoopbackSocket probe_port(/*listening=*/false);
      port_ = probe_port.port();
    }
    const char* server = std::getenv("AGENT_TEST_REDIS_SERVER");
    const char* tmp = std::getenv("TMPDIR");
    std::vector<std::string> args = {server != nullptr ? server : "redis-server"};
    for (const char* arg : {"--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--daemonize", "no", "--logfile", ""}) {
      args.push_back(arg);
    }
    args.insert(args.end(), {"--dir", tmp != nullptr ? tmp : "/tmp"});
    if (listen == Listen::kTlsOnly) {
      args.insert(args.end(), {"--port", "0", "--tls-port", std::to_string(port_)});
    } else {
      args.insert(args.end(), {"--port", std::to_string(port_)});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int pipe_fds[2];
    REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      dup2(pipe_fds[1], STDERR_FILENO);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    close(pipe_fds[1]);
    pid_ = pid;
    log_fd_ = pipe_fds[0];
    if (!WaitReady()) {
      UNSCOPED_INFO("redis-server did not start:\n" << log_);
      Kill();
    }
  }

  // Reads the server's log until it says it is ready (no sleeping: poll on the pipe).
  bool WaitReady() {
    const TimePoint end = Clock::now() + 10s;
    char buffer[4096];
    while (Clock::now() < end) {
      pollfd pfd{log_fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
      if (poll(&pfd, 1, static_cast<int>(left.count()) + 1) <= 0) continue;
      const ssize_t n = read(log_fd_, buffer, sizeof(buffer));
      if (n <= 0) return false;
      log_.append(buffer, static_cast<size_t>(n));
      if (log_.find("Ready to accept connections") != std::string::npos) return true;
    }
    return false;
  }

  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      kill(pid_, SIGCONT);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (log_fd_ >= 0) {
      close(log_fd_);
      log_fd_ = -1;
    }
  }

  pid_t pid_ = -1;
  int port_ = 0;
  int log_fd_ = -1;
  std::string log_;
};

// A server that answers every connection with fixed bytes (and may then close it), driven by
// the test's loop.
class CannedServer {
 public:
  CannedServer(EventLoop& loop, std::string reply, bool close_after)
      : loop_(loop), reply_(std::move(reply)), close_after_(close_after), socket_(true) {
    watch_ = loop_.Watch(socket_.fd(), EventLoop::kReadable, [this](uint32_t) { Accept(); });
    REQUIRE(watch_ != 0);
  }
  ~CannedServer() {
    loop_.Unwatch(watch_);
    for (int fd : clients_) close(fd);
  }
  int port() const { return socket_.port(); }

 private:
  void Accept() {
    const int fd = accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    if (!reply_.empty()) {
      [[maybe_unused]] ssize_t n = send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    }
    if (close_after_) {
      close(fd);
    } else {
      clients_.push_back(fd);
    }
  }

  EventLoop& loop_;
  std::string reply_;
  bool close_after_;
  LoopbackSocket socket_;
  EventLoop::WatchId watch_ = 0;
  std::vector<int> clients_;
};

// True when the peer of the connection waiting in `listener`'s backlog has closed it: the
// probe let go of its socket.
bool PendingConnectionWasClosed(const LoopbackSocket& listener) {
  const int fd = accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  REQUIRE(fd >= 0);
  pollfd pfd{fd, POLLIN, 0};
  bool closed = false;
  if (poll(&pfd, 1, 2000) == 1) {
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    }
    closed = n == 0 || (n < 0 && errno == ECONNRESET);
  }
  close(fd);
  return closed;
}

TEST_CASE("RedisProbe: the server password gets PONG, phase timings and server facts",
          "[redis][integration]") {
  const std::string password = RequireEnv("AGENT_TEST_REDIS_PASSWORD");
  Harness harness;
  ProbePtr probe =
      MakeProbe("    url: ${URL}\n",
                {{"URL", SharedUrl("redis", ":" + password + "@", "AGENT_TEST_REDIS_PORT")}});
  CHECK(probe->Target() == "redis://:***@127.0.0.1:" + RequireEnv("AGENT_TEST_REDIS_PORT"));
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.failure.empty());
  for (const char* phase : {"resolve", "connect", "auth", "ping"}) {
    CAPTURE(phase);
    const Sample* sample = FindSample(result, kRedisDurationSeconds, phase);
    REQUIRE(sample != nullptr);
    CHECK(sample->value >= 0);
    CHECK(sample->value < 5);
  }
  CHECK(FindSample(result, kRedisDurationSeconds, "tls") == nullptr);
  const Sample* used = FindSample(result, kRedisUsedMemoryBytes);
  REQUIRE(used != nullptr);
  CHECK(used->value > 0);
  REQUIRE(FindSample(result, kRedisMaxmemoryBytes) != nullptr);
  const Sample* clients = FindSample(result, kRedisConnectedClients);
  REQUIRE(clients != nullptr);
  CHECK(clients->value >= 1);
  const Sample* info = FindSample(result, kRedisInfo);
  REQUIRE(info != nullptr);
  CHECK(info->value == 1);
  CHECK_THAT(LabelOf(*info, "version"), Catch::Matches("[0-9]+\\.[0-9]+\\.[0-9]+"));
  CHECK(LabelOf(*info, "role") == "master");
  CHECK(FindSample(result, kRedisMasterLinkUp) == nullptr);
}

TEST_CASE("RedisProbe: the probe can run again after a completed run", "[redis][integration]") {
  Harness harness;
  ProbePtr probe =
      MakeProbe("    url: ${URL}\n    info: false\n",
                {{"URL", SharedUrl("redis", ":" + RequireEnv("AGENT_TEST_REDIS_PASSWORD") + "@",
                                   "AGENT_TEST_REDIS_PORT")}});
  for (int run = 0; run < 3; ++run) {
    CAPTURE(run);
    harness.result.reset();
    harness.completions = 0;
    const ProbeResult result = harness.Run(*probe);
    CHECK(result.verdict == Verdict::kHealthy);
    CHECK(FindSample(result, kRedisInfo) == nullptr);
  }
}

TEST_CASE("RedisProbe: an ACL user authenticates with AUTH user password", "[redis][integration]") {
  Harness harness;
  ProbePtr probe = MakeProbe("    url: ${URL}\n    username: ${USER}\n    password: ${PASSWORD}\n",
                             {{"URL", SharedUrl("redis", "", "AGENT_TEST_REDIS_PORT")},
                              {"USER", RequireEnv("AGENT_TEST_REDIS_ACL_USER")},
                              {"PASSWORD", RequireEnv("AGENT_TEST_REDIS_ACL_PASSWORD")}});
  CHECK(probe->Target() == "redis://" + RequireEnv("AGENT_TEST_REDIS_ACL_USER") +
                               ":***@127.0.0.1:" + RequireEnv("AGENT_TEST_REDIS_PORT"));
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(FindSample(result, kRedisDurationSeconds, "auth") != nullptr);
  CHECK(FindSample(result, kRedisInfo) != nullptr);
}

TEST_CASE("RedisProbe: a wrong password is reported as credentials rejected",
          "[redis][integration]") {
  const std::string sentinel = "SENTINEL-wrong-password-7731";
  const std::string port = RequireEnv("AGENT_TEST_REDIS_PORT");
  SECTION("in the URL") {
    Harness harness;
    ProbePtr probe = MakeProbe(
        "    url: ${URL}\n",
        {{"URL", SharedUrl("redis", "default:" + sentinel + "@", "AGENT_TEST_REDIS_PORT")}});
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.verdict == Verdict::kUnhealthy);
    CHECK(result.failure == "auth");
    CHECK_THAT(result.reason, Catch::StartsWith("credentials rejected: WRONGPASS"));
    CHECK(result.reason.find(sentinel) == std::string::npos);
    CHECK(probe->Target().find(sentinel) == std::string::npos);
    CHECK(probe->Target() == "redis://default:***@127.0.0.1:" + port);
    CHECK(FindSample(result, kRedisDurationSeconds, "connect") != nullptr);
    CHECK(FindSample(result, kRedisDurationSeconds, "ping") == nullptr);
  }
  SECTION("in the password key") {
    Harness harness;
    ProbePtr probe = MakeProbe(
        "    url: ${URL}\n    password: ${PASSWORD}\n",
        {{"URL", SharedUrl("redis", "", "AGENT_TEST_REDIS_PORT")}, {"PASSWORD", sentinel}});
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.failure == "auth");
    CHECK(result.reason.find(sentinel) == std::string::npos);
    CHECK(probe->Target().find(sentinel) == std::string::npos);
  }
}

TEST_CASE("RedisProbe: no password against requirepass is reported as NOAUTH",
          "[redis][integration]") {
  Harness harness;
  ProbePtr probe =
      MakeProbe("    url: ${URL}\n", {{"URL", SharedUrl("redis", "", "AGENT_TEST_REDIS_PORT")}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "auth");
  CHECK_THAT(result.reason, Catch::Contains("NOAUTH"));
}

TEST_CASE("RedisProbe: rediss with the test CA is healthy and times the handshake",
          "[redis][integration]") {
  const std::string password = RequireEnv("AGENT_TEST_REDIS_PASSWORD");
  const std::string ca = RequireEnv("AGENT_TEST_TLS_CA");
  // localhost checks the certificate's DNS name, 127.0.0.1 its IP address.
  for (const char* host : {"localhost", "127.0.0.1"}) {
    CAPTURE(host);
    Harness harness;
    ProbePtr probe = MakeProbe(
        "    url: ${URL}\n    tls:\n      ca_file: " + ca + "\n",
        {{"URL", SharedUrl("rediss", ":" + password + "@", "AGENT_TEST_REDIS_TLS_PORT", host)}});
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.verdict == Verdict::kHealthy);
    CHECK(FindSample(result, kRedisDurationSeconds, "tls") != nullptr);
    CHECK(FindSample(result, kRedisDurationSeconds, "auth") != nullptr);
    CHECK(FindSample(result, kRedisUsedMemoryBytes) != nullptr);
  }
}

TEST_CASE("RedisProbe: rediss without the CA fails certificate verification",
          "[redis][integration]") {
  // The system store only: SSL_CERT_FILE must not point at the test CA while the context is made.
  const char* previous = std::getenv("SSL_CERT_FILE");
  const std::optional<std::string> saved =
      previous ? std::optional<std::string>(previous) : std::nullopt;
  unsetenv("SSL_CERT_FILE");
  Harness harness;
  ProbePtr probe =
      MakeProbe("    url: ${URL}\n",
                {{"URL", SharedUrl("rediss", ":" + RequireEnv("AGENT_TEST_REDIS_PASSWORD") + "@",
                                   "AGENT_TEST_REDIS_TLS_PORT", "localhost")}});
  if (saved) setenv("SSL_CERT_FILE", saved->c_str(), 1);
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "tls");
  CHECK_THAT(result.reason, Catch::StartsWith("tls: certificate verify failed: "));
  CHECK(FindSample(result, kRedisDurationSeconds, "tls") == nullptr);
}

TEST_CASE("RedisProbe: a server_name the certificate does not name fails verification",
          "[redis][integration]") {
  Harness harness;
  ProbePtr probe =
      MakeProbe("    url: ${URL}\n    tls:\n      ca_file: " + RequireEnv("AGENT_TEST_TLS_CA") +
                    "\n      server_name: cache.example.com\n",
                {{"URL", SharedUrl("rediss", ":" + RequireEnv("AGENT_TEST_REDIS_PASSWORD") + "@",
                                   "AGENT_TEST_REDIS_TLS_PORT")}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.failure == "tls");
  CHECK(result.reason == "tls: certificate verify failed: hostname mismatch");
}

TEST_CASE("RedisProbe: insecure_skip_verify connects without the CA", "[redis][integration]") {
  Harness harness;
  ProbePtr probe = MakeProbe(
      "    url: ${URL}\n    tls:\n      insecure_skip_verify: true\n"
      "      server_name: cache.example.com\n",
      {{"URL", SharedUrl("rediss", ":" + RequireEnv("AGENT_TEST_REDIS_PASSWORD") + "@",
                         "AGENT_TEST_REDIS_TLS_PORT")}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(FindSample(result, kRedisDurationSeconds, "tls") != nullptr);
}

TEST_CASE("RedisProbe: redis:// to the TLS port says rediss:// may be missing",
          "[redis][integration]") {
  const std::string password = RequireEnv("AGENT_TEST_REDIS_PASSWORD");
  Harness harness;
  ProbePtr probe =
      MakeProbe("    url: ${URL}\n",
                {{"URL", SharedUrl("redis", ":" + password + "@", "AGENT_TEST_REDIS_TLS_PORT")}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK((result.failure == "connect" || result.failure == "protocol"));
  CHECK_THAT(result.reason, Catch::EndsWith("(a TLS port? use rediss://)"));
  CHECK(result.reason.find(password) == std::string::npos);
}

TEST_CASE("RedisProbe: rediss:// to a plain-text server fails the handshake", "[redis]") {
  Harness harness;
  CannedServer server(harness.loop, "-ERR unknown command\r\n", /*close_after=*/false);
  ProbePtr probe = MakeProbe("    url: rediss://127.0.0.1:" + std::to_string(server.port()) + "\n");
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.failure == "tls");
  CHECK_THAT(result.reason, Catch::StartsWith("tls: handshake failed: "));
  CHECK(FindSample(result, kRedisDurationSeconds, "connect") != nullptr);
}

TEST_CASE("RedisProbe: a refused port is a connect failure", "[redis][integration]") {
  LoopbackSocket closed(/*listening=*/false);  // bound, so nobody else takes the port
  Harness harness;
  ProbePtr probe = MakeProbe("    url: redis://127.0.0.1:" + std::to_string(closed.port()) + "\n");
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "connect");
  CHECK(result.reason ==
        "connect: connection refused (127.0.0.1:" + std::to_string(closed.port()) + ")");
  CHECK(FindSample(result, kRedisDurationSeconds, "resolve") != nullptr);
}

TEST_CASE("RedisProbe: a name that does not resolve is a resolve failure", "[redis]") {
  Harness harness;
  ProbePtr probe = MakeProbe("    url: redis://no-such-host.invalid:6379\n");
  harness.Start(*probe);
  // Without a reachable DNS server, getaddrinfo takes its own timeouts.
  REQUIRE(harness.RunUntilDone(60s));
  const ProbeResult result = *harness.result;
  INFO(Describe(result));
  CHECK(result.failure == "resolve");
  CHECK_THAT(result.reason, Catch::StartsWith("resolve no-such-host.invalid"));
}

TEST_CASE("RedisProbe: canned replies map to protocol failures", "[redis]") {
  struct Case {
    const char* reply;
    bool close_after;
    const char* failure;
    const char* reason;
  };
  const Case cases[] = {
      {"-LOADING Redis is loading the dataset in memory\r\n", false, "protocol",
       "server loading dataset"},
      {"-ERR max number of clients reached\r\n", true, "protocol",
       "unexpected reply to PING: -ERR max number of clients reached"},
      {"+HELLO\r\n", false, "protocol", "unexpected reply to PING (type 5): HELLO"},
      {"HTTP/1.1 400 Bad Request\r\n\r\n", true, "protocol", "invalid reply: "},
      {"", true, "protocol", "server closed the connection (a TLS port? use rediss://)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.reply);
    Harness harness;
    CannedServer server(harness.loop, c.reply, c.close_after);
    ProbePtr probe =
        MakeProbe("    url: redis://127.0.0.1:" + std::to_string(server.port()) + "\n");
    const ProbeResult result = harness.Run(*probe);
    CHECK(result.failure == c.failure);
    CHECK_THAT(result.reason, Catch::StartsWith(c.reason));
  }
}

TEST_CASE("RedisProbe: a listener that never answers keeps the probe pending until Cancel",
          "[redis][integration]") {
  for (const char* scheme : {"redis", "rediss"}) {
    CAPTURE(scheme);
    LoopbackSocket listener(/*listening=*/true);  // the kernel accepts; nobody ever answers
    Harness harness;
    ProbePtr probe = MakeProbe(std::string("    url: ") + scheme +
                               "://127.0.0.1:" + std::to_string(listener.port()) + "\n");
    harness.Start(*probe);
    harness.RunUntil(Clock::now() + 300ms);
    CHECK(harness.completions == 0);
    probe->Cancel();
    CHECK(PendingConnectionWasClosed(listener));
    harness.RunUntil(Clock::now() + 100ms);
    CHECK(harness.completions == 0);
    probe->Cancel();  // idempotent
  }
}

TEST_CASE("RedisProbe: a stopped redis-server holds the probe until Cancel releases it",
          "[redis][integration]") {
  ScopedRedisServer server({});
  Harness harness;
  ProbePtr probe = MakeProbe("    url: redis://127.0.0.1:" + std::to_string(server.port()) + "\n");
  CHECK(harness.Run(*probe).verdict == Verdict::kHealthy);  // it works while running

  server.Pause();
  harness.result.reset();
  harness.completions = 0;
  const TimePoint deadline = Clock::now() + 500ms;
  probe->Start(ProbeContext{&harness.loop, &harness.resolver, deadline}, [&harness](ProbeResult r) {
    ++harness.completions;
    harness.result = std::move(r);
  });
  harness.RunUntil(deadline);
  CHECK(harness.completions == 0);
  const TimePoint cancel_start = Clock::now();
  probe->Cancel();
  CHECK(Clock::now() - cancel_start < 100ms);
  harness.RunUntil(Clock::now() + 100ms);
  CHECK(harness.completions == 0);
}

TEST_CASE("RedisProbe: a user without +info still passes, without server facts",
          "[redis][integration]") {
  ScopedRedisServer server(
      {"--user", "pingonly", "on", ">pingonly-pw-4242", "-@all", "+ping", "+auth"});
  Harness harness;
  ProbePtr probe = MakeProbe(
      "    url: ${URL}\n",
      {{"URL", "redis://pingonly:pingonly-pw-4242@127.0.0.1:" + std::to_string(server.port())}});
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(FindSample(result, kRedisDurationSeconds, "ping") != nullptr);
  CHECK(FindSample(result, kRedisInfo) == nullptr);
  CHECK(FindSample(result, kRedisUsedMemoryBytes) == nullptr);
}

TEST_CASE("RedisProbe: memory above max_memory_ratio of maxmemory is degraded",
          "[redis][integration]") {
  ScopedRedisServer server({"--maxmemory", "100mb"});
  const std::string url = "    url: redis://127.0.0.1:" + std::to_string(server.port()) + "\n";
  Harness harness;
  SECTION("above") {
    ProbePtr probe = MakeProbe(url + "    max_memory_ratio: 0.0001\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.verdict == Verdict::kDegraded);
    CHECK(result.failure == "threshold");
    CHECK_THAT(result.reason, Catch::Matches("used_memory is [0-9.]+% of maxmemory, above 0.01%"));
    const Sample* maxmemory = FindSample(result, kRedisMaxmemoryBytes);
    REQUIRE(maxmemory != nullptr);
    CHECK(maxmemory->value == 100 * 1024 * 1024);
  }
  SECTION("below") {
    ProbePtr probe = MakeProbe(url + "    max_memory_ratio: 0.9\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.verdict == Verdict::kHealthy);
  }
}

TEST_CASE("RedisProbe: a replica reports its master link", "[redis][integration]") {
  LoopbackSocket no_master(/*listening=*/false);
  ScopedRedisServer replica({"--replicaof", "127.0.0.1", std::to_string(no_master.port())});
  Harness harness;
  ProbePtr probe = MakeProbe("    url: redis://127.0.0.1:" + std::to_string(replica.port()) + "\n");
  const ProbeResult result = harness.Run(*probe);
  INFO(Describe(result));
  CHECK(result.verdict == Verdict::kHealthy);
  const Sample* info = FindSample(result, kRedisInfo);
  REQUIRE(info != nullptr);
  CHECK(LabelOf(*info, "role") == "slave");
  const Sample* link = FindSample(result, kRedisMasterLinkUp);
  REQUIRE(link != nullptr);
  CHECK(link->value == 0);
}

// A client certificate for "probe" signed by the test CA, in a directory removed at the end.
class ClientCertificate {
 public:
  ClientCertificate() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/redis-client-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    const std::string script =
        "set -e; cd '" + dir_ + "'; printf 'extendedKeyUsage=clientAuth\\n' > ext; " +
        "openssl req -new -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
        "-subj /CN=probe 2>/dev/null; " +
        "openssl x509 -req -in client.csr -CA '" + RequireEnv("AGENT_TEST_TLS_CA") + "' -CAkey '" +
        RequireEnv("AGENT_TEST_TLS_CA_KEY") +
        "' -set_serial 4242 -days 1 -extfile ext -out client.crt 2>/dev/null";
    REQUIRE(std::system(script.c_str()) == 0);
  }
  ~ClientCertificate() { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string cert() const { return dir_ + "/client.crt"; }
  std::string key() const { return dir_ + "/client.key"; }

 private:
  std::string dir_;
};

TEST_CASE("RedisProbe: a client certificate passes tls-auth-clients, its absence fails",
          "[redis][integration]") {
  const std::string ca = RequireEnv("AGENT_TEST_TLS_CA");
  ScopedRedisServer server(
      {"--tls-cert-file", RequireEnv("AGENT_TEST_TLS_CERT"), "--tls-key-file",
       RequireEnv("AGENT_TEST_TLS_KEY"), "--tls-ca-cert-file", ca, "--tls-auth-clients", "yes"},
      ScopedRedisServer::Listen::kTlsOnly);
  const std::string entry = "    url: rediss://localhost:" + std::to_string(server.port()) +
                            "\n    tls:\n      ca_file: " + ca + "\n";
  Harness harness;
  SECTION("with the certificate") {
    ClientCertificate client;
    ProbePtr probe = MakeProbe(entry + "      cert_file: " + client.cert() +
                               "\n      key_file: " + client.key() + "\n");
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.verdict == Verdict::kHealthy);
    CHECK(FindSample(result, kRedisDurationSeconds, "tls") != nullptr);
  }
  SECTION("without") {
    ProbePtr probe = MakeProbe(entry);
    const ProbeResult result = harness.Run(*probe);
    INFO(Describe(result));
    CHECK(result.verdict == Verdict::kUnhealthy);
    CHECK(result.failure == "tls");
    CHECK_THAT(result.reason, Catch::StartsWith("tls: "));
  }
}

}  // namespace
}  // namespace sidecar::probes::redis
