#include "agent/metrics/metric_samples.h"

#include <catch2/catch.hpp>

#include "agent/metrics/metric_store.h"

namespace sidecar::metrics {
namespace {

double ValueOf(const std::vector<promql::Sample>& samples, const std::string& formatted) {
  for (const promql::Sample& sample : samples) {
    if (promql::FormatLabels(sample.metric) == formatted) return sample.v;
  }
  FAIL("no series " << formatted);
  return 0;
}

TEST_CASE("FamiliesToSamples: the agent's series read as a scrape of /metrics shows them",
          "[metrics][rules]") {
  MetricStore store;
  store.Reconcile({{"db", "postgres", std::chrono::seconds(5), {{"env", "prod"}}}});
  probes::ProbeResult result;
  result.verdict = probes::Verdict::kUnhealthy;
  result.failure = "timeout";
  store.RecordRun("db", result, std::chrono::milliseconds(300), health::ProbeState::kUnhealthy,
                  1e9);
  std::vector<promql::Sample> samples = FamiliesToSamples(store.Collect(false));

  CHECK(ValueOf(samples, R"(probe_success{env="prod", probe="db", type="postgres"})") == 0);
  CHECK(ValueOf(samples, R"(probe_timeout_seconds{env="prod", probe="db", type="postgres"})") == 5);
  CHECK(
      ValueOf(
          samples,
          R"(agent_probe_failures_total{env="prod", probe="db", reason="timeout", type="postgres"})") ==
      1);
  // Histograms as _bucket{le}, _sum and _count, with le as the exposition writes it.
  CHECK(
      ValueOf(
          samples,
          R"(agent_probe_duration_seconds_bucket{env="prod", le="+Inf", probe="db", type="postgres"})") ==
      1);
  CHECK(ValueOf(samples,
                R"(agent_probe_duration_seconds_count{env="prod", probe="db", type="postgres"})") ==
        1);
  CHECK(ValueOf(samples,
                R"(agent_probe_duration_seconds_sum{env="prod", probe="db", type="postgres"})") ==
        Approx(0.3));
  const std::string text = store.Render();
  for (const promql::Sample& sample : samples) {
    const std::string le(promql::GetLabel(sample.metric, "le"));
    if (!le.empty()) CHECK_THAT(text, Catch::Contains("le=\"" + le + "\""));
  }
  // process_* comes from beside the registry and is part of it too.
  bool process = false;
  for (const promql::Sample& sample : samples) {
    process =
        process || promql::GetLabel(sample.metric, "__name__") == "process_start_time_seconds";
  }
  CHECK(process);
}

}  // namespace
}  // namespace sidecar::metrics
