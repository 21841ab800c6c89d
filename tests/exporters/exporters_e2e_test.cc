// The agent binary with exporters on: StatsD datagrams and EMF lines from real probe runs, the
// exporter counters on /metrics and /health, and a prompt stop on SIGTERM.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/exporters/emf/emf_checker.h"
#include "tests/exporters/exporter_test_util.h"
#include "tests/support/agent_process.h"

namespace sidecar::testing {
namespace {

using std::chrono::seconds;

TEST_CASE("agent: probe runs reach StatsD and EMF, and the exporters report themselves",
          "[exporters][e2e]") {
  auto receiver = exporters::testing::DatagramReceiver::Udp();
  const std::string emf_path = WriteTempFile("emf.log", "");
  const uint16_t port = FreePort();
  const std::string config = WriteTempFile(
      "agent.yaml",
      "startup_grace: 0s\nlabels: {team: core}\nprobes:\n  - name: cpu\n    type: cpu\n"
      "    interval: 200ms\nexporters:\n  - name: dd\n    type: statsd\n    prefix: agent.\n"
      "  - type: emf\n    output: " +
          emf_path + "\n");
  AgentProcess agent({"--config", config, "--listen", "127.0.0.1:" + std::to_string(port)},
                     {{"DD_AGENT_HOST", "127.0.0.1"},
                      {"DD_DOGSTATSD_PORT", std::to_string(receiver.port())},
                      {"DD_ENV", "test"}});
  std::string datagram;
  for (int i = 0; i < 20 && datagram.find("agent.probe_success:") == std::string::npos; ++i) {
    datagram = receiver.Receive(1000);
  }
  INFO(agent.Output());
  CHECK_THAT(datagram,
             Catch::Contains("agent.probe_success:1|g|#env:test,team:core,probe:cpu,type:cpu"));
  const std::string metrics = WaitForBody(
      port, "/metrics",
      {"agent_exporter_sent_total{exporter=\"dd\"}", "agent_exporter_sent_total{exporter=\"emf\"}"},
      seconds(10));
  CHECK_THAT(metrics, Catch::Contains("agent_exporter_dropped_total{exporter=\"dd\"} 0"));
  const std::string health = WaitForHttp(port, "/health", 200, seconds(5));
  CHECK_THAT(health, Catch::Contains(R"("exporters":{"dd":{"type":"statsd","sent":)"));

  // SIGHUP rebuilds the exporters from the new config.
  std::ofstream(config) << "startup_grace: 0s\nprobes:\n  - name: cpu\n    type: cpu\n"
                           "    interval: 200ms\nexporters:\n  - name: dd2\n    type: statsd\n";
  agent.Signal(SIGHUP);
  const std::string reloaded = WaitForBody(port, "/health", {"\"dd2\""}, seconds(10));
  CHECK_THAT(reloaded, Catch::Contains(R"("exporters":{"dd2":{"type":"statsd")"));
  CHECK_THAT(reloaded, !Catch::Contains(R"("emf")"));

  agent.Signal(SIGTERM);
  CHECK(agent.Wait(seconds(1)) == 0);
  std::ifstream in(emf_path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    INFO(line);
    CHECK(exporters::emf::testing::EmfProblems(line).empty());
    CHECK_THAT(line, Catch::Contains(R"("probe":"cpu")"));
    ++lines;
  }
  CHECK(lines > 0);
}

TEST_CASE("agent --validate-config: exporter mistakes are refused with their place",
          "[exporters][e2e]") {
  const std::string config = WriteTempFile(
      "agent.yaml", "probes: []\nexporters:\n  - type: otlpp\n  - type: statsd\n    prot: 1\n");
  const auto [status, output] = RunAgentCommand({"--validate-config", "--config", config});
  CHECK(status == 2);
  CHECK_THAT(output, Catch::Contains("agent.yaml:3:11: exporters[0].type: unknown exporter type "
                                     "'otlpp' (known: statsd, emf, otlp)"));
  CHECK_THAT(output, Catch::Contains("exporters[1]"));
  CHECK_THAT(output, Catch::Contains("unknown key 'prot'"));
}

}  // namespace
}  // namespace sidecar::testing
