// End-to-end: the agent maps libcurl and libpq (and the ~30 libraries behind them) only when
// its config needs them, and `agent --check` finds a running agent from `listen` alone.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/agent_process.h"

namespace sidecar::testing {
namespace {

using std::chrono::seconds;

std::string Listen(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

std::string Maps(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts the agent with `probes` (YAML list items) and `more` (top-level YAML) and returns its
// memory map once it serves.
std::string MapsWithProbes(const std::string& probes, const std::string& more = "") {
  const uint16_t port = FreePort();
  const std::string config = WriteTempFile(
      "agent.yaml", "startup_grace: 0s\nrules:\n  bundled: false\nprobes:\n" + probes + more);
  AgentProcess agent({"--config", config, "--listen", Listen(port)});
  const std::string live = WaitForHttp(port, "/livez", 200, seconds(15));
  INFO(agent.Output());
  REQUIRE(live == "ok\n");
  // One run of every probe has started by now (startup_grace 0s, first runs within 1s).
  WaitForBody(port, "/health", {R"("last_check")"}, seconds(5));
  return Maps(agent.pid());
}

TEST_CASE("agent: libcurl and libpq are loaded only when the config needs them", "[e2e]") {
  const std::string closed = std::to_string(FreePort());
  SECTION("resource probes only: neither") {
    const std::string maps = MapsWithProbes("  - {name: cpu, type: cpu}\n");
    CHECK_THAT(maps, !Catch::Contains("libcurl.so"));
    CHECK_THAT(maps, !Catch::Contains("libpq.so"));
  }
  SECTION("a postgres probe: libpq, not libcurl") {
    const std::string maps = MapsWithProbes(
        "  - {name: db, type: postgres, url: 'postgres://u@127.0.0.1:" + closed + "/d'}\n");
    CHECK_THAT(maps, Catch::Contains("libpq.so.5"));
    CHECK_THAT(maps, !Catch::Contains("libcurl.so"));
  }
  SECTION("an http probe: libcurl, not libpq") {
    const std::string maps =
        MapsWithProbes("  - {name: api, type: http, url: 'http://127.0.0.1:" + closed + "/'}\n");
    CHECK_THAT(maps, Catch::Contains("libcurl.so.4"));
    CHECK_THAT(maps, !Catch::Contains("libpq.so"));
  }
  SECTION("an OTLP exporter to an http:// collector: neither (the agent's own client)") {
    const std::string maps =
        MapsWithProbes("  - {name: cpu, type: cpu}\n",
                       "exporters:\n  - {type: otlp, interval: 100ms, endpoint: "
                       "'http://127.0.0.1:" +
                           closed + "'}\n");
    CHECK_THAT(maps, !Catch::Contains("libcurl.so"));
  }
  SECTION("an OTLP exporter to an https:// collector: libcurl") {
    const std::string maps =
        MapsWithProbes("  - {name: cpu, type: cpu}\n",
                       "exporters:\n  - {type: otlp, interval: 100ms, endpoint: "
                       "'https://127.0.0.1:" +
                           closed + "'}\n");
    CHECK_THAT(maps, Catch::Contains("libcurl.so.4"));
  }
}

TEST_CASE("agent --check: finds the running agent from `listen` although the rest is broken",
          "[e2e]") {
  const uint16_t port = FreePort();
  const std::string good = WriteTempFile(
      "agent.yaml", "listen: " + Listen(port) + "\nprobes:\n  - {name: cpu, type: cpu}\n");
  AgentProcess agent({"--config", good});
  REQUIRE(WaitForHttp(port, "/readyz", 200, seconds(15)) == "ok\n");
  const std::string broken = WriteTempFile(
      "broken.yaml", "listen: " + Listen(port) + "\nprobes:\n  - {name: x, type: nope}\n");
  auto [status, output] = RunAgentCommand({"--config", broken, "--check"});
  INFO(output);
  CHECK(status == 0);
  CHECK_THAT(output, Catch::StartsWith("ready: healthy (1 probes)"));
}

}  // namespace
}  // namespace sidecar::testing
