// A real Prometheus server (Debian's) scrapes the agent, and a query through its HTTP API
// returns the probe values: the pull side of the exporters, checked end to end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/http/http_client.h"
#include "tests/support/agent_process.h"
#include "tests/support/child_process.h"
#include "tests/support/test_env.h"

namespace sidecar::testing {
namespace {

using std::chrono::seconds;

TEST_CASE("Prometheus: a real server scrapes the agent and its API returns the probe values",
          "[exporters][integration][prometheus]") {
  const std::string prometheus = RequireEnv("AGENT_TEST_PROMETHEUS");
  const uint16_t agent_port = FreePort();
  const std::string agent_config =
      WriteTempFile("agent.yaml",
                    "startup_grace: 0s\nlabels: {team: core}\nprobes:\n  - name: cpu\n"
                    "    type: cpu\n    interval: 200ms\n");
  AgentProcess agent(
      {"--config", agent_config, "--listen", "127.0.0.1:" + std::to_string(agent_port)});
  REQUIRE(WaitForHttp(agent_port, "/readyz", 200, seconds(15)) == "ok\n");

  const uint16_t prometheus_port = FreePort();
  const std::string config =
      WriteTempFile("prometheus.yml",
                    "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                    "scrape_configs:\n  - job_name: agent\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:" +
                        std::to_string(agent_port) + "']\n");
  const std::string data = config.substr(0, config.rfind('/')) + "/data";
  ChildProcess server({prometheus, "--config.file=" + config, "--storage.tsdb.path=" + data,
                       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)});

  // probe_success{probe="cpu",team="core"} as Prometheus stored it.
  const std::string path = "/api/v1/query?query=probe_success%7Bprobe%3D%22cpu%22%7D";
  nlohmann::json answer;
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = http::HttpGet("127.0.0.1", prometheus_port, path, seconds(2));
    if (response.ok() && response->status == 200) {
      answer = nlohmann::json::parse(response->body, nullptr, false);
      if (answer.is_object() && !answer["data"]["result"].empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  INFO(answer.dump());
  INFO(agent.Output());
  REQUIRE(answer.is_object());
  CHECK(answer["status"] == "success");
  REQUIRE(answer["data"]["result"].size() == 1);
  const nlohmann::json& series = answer["data"]["result"][0];
  CHECK(series["metric"]["job"] == "agent");
  CHECK(series["metric"]["probe"] == "cpu");
  CHECK(series["metric"]["type"] == "cpu");
  CHECK(series["metric"]["team"] == "core");
  CHECK(series["value"][1] == "1");

  // The scrape target is up, and the agent's own series came along.
  auto up = http::HttpGet("127.0.0.1", prometheus_port,
                          "/api/v1/query?query=up%7Bjob%3D%22agent%22%7D", seconds(2));
  REQUIRE(up.ok());
  CHECK_THAT(up->body, Catch::Contains(R"("value":[)"));
  CHECK_THAT(up->body, Catch::Contains(R"(,"1"])"));
}

}  // namespace
}  // namespace sidecar::testing
