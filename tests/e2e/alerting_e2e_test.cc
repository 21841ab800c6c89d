// The local alarms end to end, with the real servers: the agent evaluates its bundled rules
// (alerts/agent.rules.yml), a critical probe fails, CriticalDependencyDown goes pending, then
// firing after its `for: 1m`, and reaches a real Alertmanager (Debian's) through the API v2
// notifier; a real Prometheus (Debian's) scrapes the agent and evaluates the very same rule file
// to the same verdict. When the probe recovers the alert resolves in the agent and in
// Alertmanager.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/http/http_client.h"
#include "tests/support/agent_process.h"
#include "tests/support/child_process.h"
#include "tests/support/test_env.h"

namespace sidecar::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The critical dependency: a TCP listener the test opens and closes.
class Dependency {
 public:
  explicit Dependency(uint16_t port) : port_(port) { Open(); }
  ~Dependency() { Close(); }
  void Open() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(listen(fd_, 64) == 0);
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  uint16_t port_;
  int fd_ = -1;
};

// GETs `path` until `accept` likes the JSON answer or `limit` passes; returns the last answer.
template <typename Accept>
nlohmann::json PollJson(uint16_t port, const std::string& path, Accept accept, Duration limit) {
  nlohmann::json answer;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = http::HttpGet("127.0.0.1", port, path, seconds(2));
    if (response.ok() && response->status == 200) {
      answer = nlohmann::json::parse(response->body, nullptr, false);
      if (!answer.is_discarded() && accept(answer)) return answer;
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
  return answer;
}

// The state of alert `name` in a Prometheus-style alerts list, or "" when it is not there.
std::string StateOf(const nlohmann::json& alerts, const std::string& name) {
  if (!alerts.is_array()) return "";
  for (const nlohmann::json& alert : alerts) {
    if (alert["labels"].value("alertname", "") == name) {
      if (alert.contains("state")) return alert["state"].get<std::string>();
      if (alert.contains("status")) return alert["status"].value("state", "");
    }
  }
  return "";
}

TEST_CASE(
    "Alerting: a failing critical probe fires a bundled rule in the agent, Alertmanager "
    "and Prometheus, and resolves when it recovers",
    "[e2e][integration][alerting]") {
  const std::string alertmanager = RequireEnv("AGENT_TEST_ALERTMANAGER");
  const std::string prometheus = RequireEnv("AGENT_TEST_PROMETHEUS");

  const uint16_t am_port = FreePort();
  const std::string am_config = WriteTempFile(
      "alertmanager.yml", "route: {receiver: sink, group_wait: 0s}\nreceivers:\n  - name: sink\n");
  const std::string am_dir = am_config.substr(0, am_config.rfind('/'));
  ChildProcess am({alertmanager, "--config.file=" + am_config, "--storage.path=" + am_dir,
                   "--web.listen-address=127.0.0.1:" + std::to_string(am_port),
                   "--cluster.listen-address="});

  const uint16_t dependency_port = FreePort();
  Dependency dependency(dependency_port);
  const uint16_t agent_port = FreePort();
  const std::string agent_config = WriteTempFile(
      "agent.yaml",
      "startup_grace: 0s\n"
      "probes:\n"
      "  - {name: backend, type: tcp, host: 127.0.0.1, port: " +
          std::to_string(dependency_port) +
          ", interval: 500ms, timeout: 400ms, critical: true, unhealthy_threshold: 1}\n"
          "rules:\n  bundled: true\n  evaluation_interval: 1s\n"
          "alerting:\n  resend_delay: 1s\n  alertmanagers:\n"
          "    - urls: ['http://127.0.0.1:" +
          std::to_string(am_port) + "']\n");
  AgentProcess agent(
      {"--config", agent_config, "--listen", "127.0.0.1:" + std::to_string(agent_port)});
  REQUIRE(WaitForHttp(agent_port, "/readyz", 200, seconds(15)) == "ok\n");

  const uint16_t prometheus_port = FreePort();
  const std::string prometheus_config =
      WriteTempFile("prometheus.yml",
                    "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                    "rule_files: ['" +
                        std::string(AGENT_SOURCE_DIR) +
                        "/alerts/agent.rules.yml']\n"
                        "scrape_configs:\n  - job_name: agent\n    static_configs:\n"
                        "      - targets: ['127.0.0.1:" +
                        std::to_string(agent_port) + "']\n");
  const std::string data = prometheus_config.substr(0, prometheus_config.rfind('/')) + "/data";
  ChildProcess server({prometheus, "--config.file=" + prometheus_config,
                       "--storage.tsdb.path=" + data,
                       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)});
  // Prometheus has the agent up and ready before the dependency goes away.
  PollJson(
      prometheus_port, "/api/v1/query?query=agent_ready",
      [](const nlohmann::json& a) { return !a["data"]["result"].empty(); }, seconds(30));

  dependency.Close();
  const std::string kAlert = "CriticalDependencyDown";
  auto agent_alerts = [](const nlohmann::json& a) { return a["data"]["alerts"]; };
  nlohmann::json pending = PollJson(
      agent_port, "/alerts",
      [&](const nlohmann::json& a) { return StateOf(agent_alerts(a), kAlert) == "pending"; },
      seconds(15));
  INFO(pending.dump());
  INFO(agent.Output());
  REQUIRE(StateOf(agent_alerts(pending), kAlert) == "pending");

  // Firing after `for: 1m`, sent to Alertmanager, which shows it active.
  nlohmann::json in_am = PollJson(
      am_port, "/api/v2/alerts",
      [&](const nlohmann::json& a) { return StateOf(a, kAlert) == "active"; }, seconds(90));
  INFO(in_am.dump());
  INFO(am.Output());
  REQUIRE(StateOf(in_am, kAlert) == "active");
  for (const nlohmann::json& alert : in_am) {
    if (alert["labels"]["alertname"] != kAlert) continue;
    CHECK(alert["labels"]["severity"] == "critical");
    CHECK_THAT(alert["annotations"].value("summary", ""), Catch::Contains("A critical dependency"));
  }
  nlohmann::json firing = PollJson(
      agent_port, "/alerts",
      [&](const nlohmann::json& a) { return StateOf(agent_alerts(a), kAlert) == "firing"; },
      seconds(5));
  CHECK(StateOf(agent_alerts(firing), kAlert) == "firing");
  auto health = http::HttpGet("127.0.0.1", agent_port, "/health", seconds(2));
  REQUIRE(health.ok());
  CHECK_THAT(health->body, Catch::Contains("\"alertname\":\"" + kAlert + "\""));
  auto metrics = http::HttpGet("127.0.0.1", agent_port, "/metrics", seconds(2));
  REQUIRE(metrics.ok());
  CHECK_THAT(metrics->body,
             Catch::Contains("ALERTS{alertname=\"" + kAlert + "\",alertstate=\"firing\""));

  // Prometheus, evaluating the same file over what it scraped, agrees.
  nlohmann::json in_prometheus = PollJson(
      prometheus_port, "/api/v1/alerts",
      [&](const nlohmann::json& a) { return StateOf(a["data"]["alerts"], kAlert) == "firing"; },
      seconds(20));
  INFO(in_prometheus.dump());
  CHECK(StateOf(in_prometheus["data"]["alerts"], kAlert) == "firing");

  // Recovery: the agent resolves the alert and tells Alertmanager at once.
  dependency.Open();
  nlohmann::json resolved = PollJson(
      am_port, "/api/v2/alerts",
      [&](const nlohmann::json& a) { return StateOf(a, kAlert).empty(); }, seconds(20));
  INFO(resolved.dump());
  CHECK(StateOf(resolved, kAlert).empty());
  nlohmann::json quiet = PollJson(
      agent_port, "/alerts",
      [&](const nlohmann::json& a) { return StateOf(agent_alerts(a), kAlert).empty(); },
      seconds(5));
  CHECK(StateOf(agent_alerts(quiet), kAlert).empty());
}

}  // namespace
}  // namespace sidecar::testing
