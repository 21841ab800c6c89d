#include "agent/metrics/metric_store.h"

#include <catch2/catch.hpp>

namespace sidecar::metrics {
namespace {

const probes::MetricDef kGaugeDef{"probe_test_value", "A test gauge."};
const probes::MetricDef kCounterDef{"probe_test_events_total", "A test counter.",
                                    probes::MetricType::kCounter};

probes::ProbeResult Result(probes::Verdict verdict, double gauge, double total) {
  probes::ProbeResult result;
  result.verdict = verdict;
  result.failure = verdict == probes::Verdict::kUnhealthy ? "timeout" : "";
  result.samples.push_back({&kGaugeDef, {{"phase", "connect"}}, gauge});
  result.samples.push_back({&kCounterDef, {}, total});
  return result;
}

TEST_CASE("MetricStore: a run sets blackbox-style series and counts failures by kind",
          "[metrics]") {
  MetricStore store;
  store.Reconcile({{"db", "postgres", std::chrono::seconds(5), {{"env", "prod"}}}});
  std::string text = store.Render();
  CHECK_THAT(text,
             Catch::Contains(R"(probe_timeout_seconds{env="prod",probe="db",type="postgres"} 5)"));
  CHECK_THAT(
      text,
      Catch::Contains(
          R"(agent_probe_status{env="prod",probe="db",status="starting",type="postgres"} 1)"));

  store.RecordRun("db", Result(probes::Verdict::kHealthy, 0.25, 10), std::chrono::milliseconds(20),
                  health::ProbeState::kHealthy, 1000);
  store.RecordRun("db", Result(probes::Verdict::kUnhealthy, 0.5, 15), std::chrono::milliseconds(30),
                  health::ProbeState::kHealthy, 1001);
  text = store.Render();
  CHECK_THAT(text, Catch::Contains(R"(probe_success{env="prod",probe="db",type="postgres"} 0)"));
  CHECK_THAT(text, Catch::Contains(
                       R"(probe_duration_seconds{env="prod",probe="db",type="postgres"} 0.03)"));
  CHECK_THAT(
      text,
      Catch::Contains(
          R"(agent_probe_failures_total{env="prod",probe="db",reason="timeout",type="postgres"} 1)"));
  CHECK_THAT(text,
             Catch::Contains(R"(agent_probe_runs_total{env="prod",probe="db",type="postgres"} 2)"));
  CHECK_THAT(text,
             Catch::Contains(
                 R"(probe_test_value{env="prod",phase="connect",probe="db",type="postgres"} 0.5)"));
  CHECK_THAT(text, Catch::Contains(
                       R"(probe_test_events_total{env="prod",probe="db",type="postgres"} 15)"));
  CHECK_THAT(
      text,
      Catch::Contains(
          R"(agent_probe_last_success_timestamp_seconds{env="prod",probe="db",type="postgres"} 1000)"));

  SECTION("a counter that went down was reset at its source and counts on from there") {
    store.RecordRun("db", Result(probes::Verdict::kHealthy, 0.5, 4), std::chrono::milliseconds(1),
                    health::ProbeState::kHealthy, 1002);
    CHECK_THAT(
        store.Render(),
        Catch::Contains(R"(probe_test_events_total{env="prod",probe="db",type="postgres"} 19)"));
  }
  SECTION("a reload that drops the probe removes all its series") {
    store.Reconcile({{"cache", "redis", std::chrono::seconds(1), {}}});
    text = store.Render();
    CHECK_THAT(text, !Catch::Contains(R"(probe="db")"));
    CHECK_THAT(text, Catch::Contains(R"(probe_success{probe="cache",type="redis"} 0)"));
  }
  SECTION("a reload that keeps the probe keeps its counters") {
    store.Reconcile({{"db", "postgres", std::chrono::seconds(2), {{"env", "prod"}}}});
    text = store.Render();
    CHECK_THAT(text, Catch::Contains(
                         R"(agent_probe_runs_total{env="prod",probe="db",type="postgres"} 2)"));
    CHECK_THAT(
        text, Catch::Contains(R"(probe_timeout_seconds{env="prod",probe="db",type="postgres"} 2)"));
  }
}

TEST_CASE("MetricStore: readiness, overall status and reloads", "[metrics]") {
  MetricStore store;
  store.SetReady(false, "starting");
  store.SetConfigReload(false, 5);
  const std::string text = store.Render();
  CHECK_THAT(text, Catch::Contains("agent_ready 0"));
  CHECK_THAT(text, Catch::Contains(R"(agent_status{status="starting"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(agent_status{status="healthy"} 0)"));
  CHECK_THAT(text, Catch::Contains("agent_config_last_reload_successful 0"));
  CHECK_THAT(text, Catch::Contains("process_open_fds "));
}

}  // namespace
}  // namespace sidecar::metrics
