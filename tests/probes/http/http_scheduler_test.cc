// The http probe under the real scheduler (scheduler::RunOnce, as `agent --check` runs it):
// many probes against a tarpit all end at their deadline and leave no connection behind.
#include <catch2/catch.hpp>
#include <map>
#include <optional>

#include "agent/config/agent_config.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "agent/scheduler/scheduler.h"
#include "tests/support/https_test_server.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::http {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::RequireEnv;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

TEST_CASE(
    "HttpProbe: 50 probes against a tarpit end at their 200 ms deadline under the "
    "scheduler",
    "[http][integration]") {
  HttpsTestServer tarpit([](const TestRequest&) { return TestResponse{}; });
  tarpit.set_silent(true);
  constexpr int kProbes = 50;
  std::string yaml = "probes:\n";
  for (int i = 0; i < kProbes; ++i) {
    yaml += "  - name: tarpit" + std::to_string(i) + "\n    type: http\n    timeout: 200ms\n" +
            "    url: " + tarpit.Url("/") +
            "\n    tls: {ca_file: " + RequireEnv("AGENT_TEST_TLS_CA") + "}\n";
  }
  auto loaded = config::LoadConfigText(
      yaml, "test.yaml", [](const std::string&) -> std::optional<std::string> { return {}; });
  std::string errors;
  for (const auto& error : loaded.errors) errors += error.ToString() + "\n";
  INFO(errors);
  REQUIRE(loaded.ok());
  REQUIRE(loaded.config.probes.size() == kProbes);

  EventLoop loop;
  Resolver resolver(&loop);
  for (int round = 0; round < 2; ++round) {
    const TimePoint start = Clock::now();
    const auto results = scheduler::RunOnce(loop, resolver, loaded.config.probes);
    const Duration elapsed = Clock::now() - start;
    REQUIRE(results.size() == kProbes);
    for (const auto& result : results) {
      CHECK(result.verdict == Verdict::kUnhealthy);
      CHECK(result.failure == "timeout");
    }
    CHECK(elapsed >= 190ms);
    CHECK(elapsed < 3s);  // generous for a loaded 2-core machine; typically ~200 ms
  }
  // Every connection was closed by the probes (bounded wait, generous).
  const TimePoint bound = Clock::now() + 10s;
  while (tarpit.closed() < tarpit.accepted() && Clock::now() < bound) loop.RunOnce(10ms);
  CHECK(tarpit.accepted() >= kProbes);
  CHECK(tarpit.closed() == tarpit.accepted());
  loaded.config.probes.clear();  // before the loop: the probes' multi handles are idle anyway
}

}  // namespace
}  // namespace sidecar::probes::http
