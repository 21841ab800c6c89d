// End-to-end tests of the `agent` binary: command line, endpoints, signals, secrets.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "agent/http/http_client.h"
#include "tests/support/agent_process.h"
#include "tests/support/test_env.h"

namespace sidecar::testing {
namespace {

using std::chrono::seconds;

// A listener that accepts connections (the kernel does) and never answers.
class Tarpit {
 public:
  Tarpit() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 64);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Tarpit() { close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_;
};

std::string Listen(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

std::string RedisUrl() { return RequireEnv("AGENT_TEST_REDIS_URL"); }

TEST_CASE("agent --help explains the flags and exit codes", "[e2e]") {
  auto [status, output] = RunAgentCommand({"--help"});
  CHECK(status == 0);
  CHECK_THAT(output, Catch::Contains("--check"));
  CHECK_THAT(output, Catch::Contains("--validate-config"));
  CHECK_THAT(output, Catch::Contains("Exit status"));
}

TEST_CASE("agent --version prints the version", "[e2e]") {
  auto [status, output] = RunAgentCommand({"--version"});
  CHECK(status == 0);
  CHECK_THAT(output, Catch::StartsWith("agent 0."));
}

TEST_CASE("agent --validate-config: the shipped config is valid", "[e2e]") {
  auto [status, output] =
      RunAgentCommand({"--validate-config", "--config", AGENT_SOURCE_DIR "/config/agent.yaml"});
  INFO(output);
  CHECK(status == 0);
  CHECK_THAT(output, Catch::Contains("valid"));
}

TEST_CASE("agent --validate-config: every problem with its place, and exit status 2", "[e2e]") {
  const std::string path =
      WriteTempFile("bad.yaml",
                    "probes:\n  - name: db\n    type: postgress\n  - name: cpu\n    type: cpu\n"
                    "    interval: 5 secs\n");
  auto [status, output] = RunAgentCommand({"--validate-config", "--config", path});
  CHECK(status == 2);
  CHECK_THAT(output, Catch::Contains(path + ":3:11: probes[0].type: unknown probe type"));
  CHECK_THAT(output, Catch::Contains(path + ":6:15: probes[1].interval: expected a duration"));
  CHECK_THAT(output, !Catch::Contains("terminate"));
}

TEST_CASE("agent: a bad config refuses to start with exit status 2", "[e2e]") {
  const std::string path = WriteTempFile("bad.yaml", "listen: [\n");
  auto [status, output] = RunAgentCommand({"--config", path});
  CHECK(status == 2);
  CHECK_THAT(output, Catch::Contains("invalid YAML"));
}

TEST_CASE("agent: serves /livez, /readyz, /health and /metrics from its probes",
          "[e2e][integration]") {
  const uint16_t port = FreePort();
  const std::string config =
      WriteTempFile("agent.yaml",
                    "startup_grace: 0s\nprobes:\n  - name: cache\n    type: redis\n"
                    "    url: ${REDIS_URL}\n    interval: 1s\n    timeout: 1s\n");
  AgentProcess agent({"--config", config, "--listen", Listen(port)}, {{"REDIS_URL", RedisUrl()}});
  const std::string ready = WaitForHttp(port, "/readyz", 200, seconds(15));
  INFO(agent.Output());
  CHECK(ready == "ok\n");
  CHECK(WaitForHttp(port, "/livez", 200, seconds(5)) == "ok\n");
  const std::string health = WaitForHttp(port, "/health", 200, seconds(5));
  CHECK_THAT(health, Catch::Contains(R"("status":"healthy")"));
  CHECK_THAT(health, Catch::Contains(R"("cache":{"status":"healthy","type":"redis")"));
  const std::string metrics = WaitForHttp(port, "/metrics", 200, seconds(5));
  CHECK_THAT(metrics, Catch::Contains(R"(probe_success{probe="cache",type="redis"} 1)"));
  CHECK_THAT(metrics, Catch::Contains("agent_build_info{"));
  CHECK_THAT(metrics, Catch::Contains("process_resident_memory_bytes "));
  CHECK_THAT(metrics, Catch::Contains("agent_config_last_reload_successful 1"));
}

TEST_CASE("agent --check: exit 0 when the running agent is ready, 1 when it is not",
          "[e2e][integration]") {
  const uint16_t port = FreePort();
  const uint16_t closed = FreePort();
  const std::string config = WriteTempFile(
      "agent.yaml",
      "startup_grace: 0s\nprobes:\n  - name: cache\n    type: redis\n    url: ${REDIS_URL}\n"
      "    interval: 1s\n    timeout: 1s\n  - name: other\n    type: redis\n"
      "    url: redis://127.0.0.1:${CLOSED_PORT}\n    critical: ${OTHER_CRITICAL}\n"
      "    interval: 1s\n    timeout: 1s\n");
  SECTION("a non-critical failure leaves the agent ready (degraded)") {
    std::map<std::string, std::string> env = {{"REDIS_URL", RedisUrl()},
                                              {"CLOSED_PORT", std::to_string(closed)},
                                              {"OTHER_CRITICAL", "false"}};
    AgentProcess agent({"--config", config, "--listen", Listen(port)}, env);
    const std::string health = WaitForBody(
        port, "/health", {R"("cache":{"status":"healthy")", R"("other":{"status":"unhealthy")"},
        seconds(15));
    REQUIRE_THAT(health, Catch::Contains(R"("cache":{"status":"healthy")"));
    REQUIRE_THAT(health, Catch::Contains(R"("other":{"status":"unhealthy")"));
    auto [status, output] =
        RunAgentCommand({"--config", config, "--check"}, {{"AGENT_LISTEN", Listen(port)},
                                                          {"REDIS_URL", "x"},
                                                          {"CLOSED_PORT", "1"},
                                                          {"OTHER_CRITICAL", "false"}});
    INFO(output);
    CHECK(status == 0);
    CHECK_THAT(output, Catch::Contains("ready: degraded"));
    CHECK_THAT(output, Catch::Contains("other (redis): unhealthy"));
  }
  SECTION("a critical failure makes it not ready") {
    std::map<std::string, std::string> env = {{"REDIS_URL", RedisUrl()},
                                              {"CLOSED_PORT", std::to_string(closed)},
                                              {"OTHER_CRITICAL", "true"}};
    AgentProcess agent({"--config", config, "--listen", Listen(port)}, env);
    REQUIRE_THAT(WaitForBody(port, "/health", {R"("other":{"status":"unhealthy")"}, seconds(15)),
                 Catch::Contains(R"("other":{"status":"unhealthy")"));
    auto [status, output] = RunAgentCommand({"--check", "--listen", Listen(port)});
    INFO(output);
    CHECK(status == 1);
    CHECK_THAT(output, Catch::Contains("not ready: unhealthy"));
    CHECK_THAT(output, Catch::Contains("other (redis, critical): unhealthy: connect"));
  }
}

TEST_CASE("agent --check: with no agent running it probes once itself", "[e2e][integration]") {
  const uint16_t port = FreePort();  // nobody listens here
  const std::string config =
      WriteTempFile("agent.yaml",
                    "probes:\n  - name: cache\n    type: redis\n    url: ${REDIS_URL}\n"
                    "    timeout: 2s\n");
  SECTION("healthy") {
    auto [status, output] = RunAgentCommand(
        {"--config", config, "--check", "--listen", Listen(port)}, {{"REDIS_URL", RedisUrl()}});
    INFO(output);
    CHECK(status == 0);
    CHECK_THAT(output, Catch::StartsWith("ready: healthy (1 probes)"));
  }
  SECTION("unhealthy") {
    auto [status, output] =
        RunAgentCommand({"--config", config, "--check", "--listen", Listen(port)},
                        {{"REDIS_URL", "redis://127.0.0.1:" + std::to_string(FreePort())}});
    INFO(output);
    CHECK(status == 1);
    CHECK_THAT(output, Catch::Contains("cache (redis, critical): unhealthy"));
  }
}

TEST_CASE("agent: SIGTERM stops it within a second, probes in flight included", "[e2e]") {
  Tarpit tarpit;
  const uint16_t port = FreePort();
  const std::string config = WriteTempFile(
      "agent.yaml", "probes:\n  - name: hung\n    type: redis\n    url: redis://127.0.0.1:" +
                        std::to_string(tarpit.port()) + "\n    interval: 60s\n    timeout: 50s\n");
  AgentProcess agent({"--config", config, "--listen", Listen(port)});
  REQUIRE(WaitForHttp(port, "/livez", 200, seconds(15)) == "ok\n");
  agent.Signal(SIGTERM);
  const int status = agent.Wait(seconds(1));
  INFO(agent.Output());
  CHECK(status == 0);
}

TEST_CASE("agent: SIGHUP reloads the config, and a bad one is refused while the old one runs",
          "[e2e][integration]") {
  const uint16_t port = FreePort();
  const std::string probe_a =
      "startup_grace: 0s\nprobes:\n  - name: first\n    type: redis\n    url: ${REDIS_URL}\n"
      "    interval: 1s\n    timeout: 1s\n";
  const std::string config = WriteTempFile("agent.yaml", probe_a);
  AgentProcess agent({"--config", config, "--listen", Listen(port)}, {{"REDIS_URL", RedisUrl()}});
  REQUIRE_THAT(WaitForHttp(port, "/health", 200, seconds(15)), Catch::Contains("\"first\""));

  std::string renamed = probe_a;
  renamed.replace(renamed.find("first"), 5, "second");
  std::ofstream(config) << renamed;
  agent.Signal(SIGHUP);
  const std::string health = WaitForBody(port, "/health", {"\"second\""}, seconds(20));
  CHECK_THAT(health, Catch::Contains("\"second\""));
  CHECK_THAT(health, !Catch::Contains("\"first\""));

  std::ofstream(config) << "probes:\n  - name: broken\n    type: nope\n";
  agent.Signal(SIGHUP);
  const std::string metrics =
      WaitForBody(port, "/metrics", {"agent_config_last_reload_successful 0"}, seconds(20));
  INFO(agent.Output());
  CHECK_THAT(metrics, Catch::Contains("agent_config_last_reload_successful 0"));
  CHECK_THAT(WaitForHttp(port, "/health", 200, seconds(5)), Catch::Contains("\"second\""));
  CHECK_THAT(agent.Output(), Catch::Contains("reload refused"));
  CHECK_THAT(agent.Output(), Catch::Contains("unknown probe type 'nope'"));
}

TEST_CASE("agent: /metrics passes promtool check metrics", "[e2e][integration]") {
  const std::string promtool = RequireEnv("AGENT_TEST_PROMTOOL");
  const uint16_t port = FreePort();
  const std::string config =
      WriteTempFile("agent.yaml",
                    "startup_grace: 0s\nprobes:\n  - name: cache\n    type: redis\n"
                    "    url: ${REDIS_URL}\n    interval: 1s\n  - name: down\n    type: redis\n"
                    "    url: redis://127.0.0.1:1\n    critical: false\n    interval: 1s\n"
                    "  - name: cpu\n    type: cpu\n    interval: 1s\n"
                    "  - name: memory\n    type: memory\n    interval: 1s\n");
  AgentProcess agent({"--config", config, "--listen", Listen(port)}, {{"REDIS_URL", RedisUrl()}});
  REQUIRE(WaitForHttp(port, "/readyz", 200, seconds(15)) == "ok\n");
  const std::string metrics = WaitForBody(
      port, "/metrics", {"agent_probe_failures_total{", "container_cpu_usage_ratio"}, seconds(20));
  const std::string path = WriteTempFile("metrics.txt", metrics);
  const std::string command = promtool + " check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string lint;
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) lint += buffer;
  const int status = pclose(pipe);
  INFO(metrics);
  INFO(lint);
  CHECK(status == 0);
  CHECK(lint.empty());
}

TEST_CASE("agent: a sentinel password appears in no log, /health, /metrics or --check output",
          "[e2e][integration]") {
  const std::string sentinel = "Sentinel-Pa55-7f3a9c";
  const uint16_t port = FreePort();
  const std::string pg_url = "postgresql://" + RequireEnv("AGENT_TEST_PG_USER") + ":" + sentinel +
                             "@127.0.0.1:" + RequireEnv("AGENT_TEST_PG_PORT") + "/" +
                             RequireEnv("AGENT_TEST_PG_DB");
  const std::string redis_url =
      "redis://:" + sentinel + "@127.0.0.1:" + RequireEnv("AGENT_TEST_REDIS_PORT") + "/0";
  const std::string secret_file = WriteTempFile("redis-password", sentinel + "\n");
  const std::string config =
      WriteTempFile("agent.yaml",
                    "startup_grace: 0s\nlog: {level: debug}\nprobes:\n"
                    "  - name: db\n    type: postgres\n    url: ${DATABASE_URL}\n    interval: 1s\n"
                    "  - name: cache\n    type: redis\n    url: ${REDIS_URL}\n    interval: 1s\n"
                    "  - name: cache-file\n    type: redis\n    url: redis://127.0.0.1:" +
                        RequireEnv("AGENT_TEST_REDIS_PORT") +
                        "\n    password_file: " + secret_file + "\n    interval: 1s\n");
  const std::map<std::string, std::string> env = {{"DATABASE_URL", pg_url},
                                                  {"REDIS_URL", redis_url}};
  AgentProcess agent({"--config", config, "--listen", Listen(port)}, env);
  const std::string health =
      WaitForBody(port, "/health",
                  {R"("db":{"status":"unhealthy")", R"("cache":{"status":"unhealthy")",
                   R"("cache-file":{"status":"unhealthy")"},
                  seconds(20));
  INFO(health);
  CHECK_THAT(health, Catch::Contains("credentials rejected"));
  const std::string metrics = WaitForHttp(port, "/metrics", 200, seconds(5));
  auto [check_status, check_output] =
      RunAgentCommand({"--config", config, "--check", "--listen", Listen(port)}, env);
  agent.Signal(SIGTERM);
  agent.Wait(seconds(5));
  const std::string logs = agent.Output();
  CHECK(check_status == 1);
  CHECK_THAT(logs, Catch::Contains("unhealthy"));
  CHECK_THAT(health, !Catch::Contains(sentinel));
  CHECK_THAT(metrics, !Catch::Contains(sentinel));
  CHECK_THAT(logs, !Catch::Contains(sentinel));
  CHECK_THAT(check_output, !Catch::Contains(sentinel));

  SECTION("nor in config errors") {
    const std::string bad = WriteTempFile(
        "bad.yaml", "probes:\n  - name: db\n    type: postgres\n    url: postgresql://u:" +
                        sentinel + "@h/db\n");
    auto [status, output] = RunAgentCommand({"--validate-config", "--config", bad});
    CHECK(status == 2);
    CHECK_THAT(output, Catch::Contains("a secret may not be written in the config file"));
    CHECK_THAT(output, !Catch::Contains(sentinel));
  }
}

}  // namespace
}  // namespace sidecar::testing
