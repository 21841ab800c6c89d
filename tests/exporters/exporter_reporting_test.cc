// How exporters report themselves: agent_exporter_*_total on /metrics and their /health entry.
#include <catch2/catch.hpp>

#include "agent/health/health_board.h"
#include "agent/metrics/metric_store.h"

namespace sidecar {
namespace {

TEST_CASE("MetricStore: exporter totals become counters that survive a new exporter of a name",
          "[exporters][metrics]") {
  metrics::MetricStore store;
  store.RecordExporter("statsd", 10, 2, 1);
  store.RecordExporter("statsd", 25, 2, 3);
  std::string text = store.Render();
  CHECK_THAT(text, Catch::Contains(R"(agent_exporter_sent_total{exporter="statsd"} 25)"));
  CHECK_THAT(text, Catch::Contains(R"(agent_exporter_dropped_total{exporter="statsd"} 2)"));
  CHECK_THAT(text, Catch::Contains(R"(agent_exporter_errors_total{exporter="statsd"} 3)"));
  // A reload: the old one's last totals, then a new exporter that counts from 0 again.
  store.RecordExporter("statsd", 0, 0, 0);
  store.RecordExporter("statsd", 4, 0, 0);
  text = store.Render();
  CHECK_THAT(text, Catch::Contains(R"(agent_exporter_sent_total{exporter="statsd"} 29)"));
  CHECK_THAT(text, Catch::Contains(R"(agent_exporter_errors_total{exporter="statsd"} 3)"));
}

TEST_CASE("RenderHealthJson: exporters show their counters and last error, redacted",
          "[exporters][health]") {
  health::HealthSnapshot snapshot;
  snapshot.exporters.push_back({"otel", "emf", 5, 1, 2, "write stdout: Broken pipe", 1.7e9});
  snapshot.exporters.push_back({"dd", "statsd", 9, 0, 0, "", 0});
  const std::string json = health::RenderHealthJson(snapshot, {"1.0", 1});
  CHECK_THAT(
      json,
      Catch::Contains(
          R"("exporters":{"otel":{"type":"emf","sent":5,"dropped":1,"errors":2,)"
          R"("last_error":"write stdout: Broken pipe","last_error_time":"2023-11-14T22:13:20Z"},)"
          R"("dd":{"type":"statsd","sent":9,"dropped":0,"errors":0}})"));
  // An agent without exporters says nothing of them.
  CHECK_THAT(health::RenderHealthJson(health::HealthSnapshot{}, {"1.0", 1}),
             !Catch::Contains("exporters"));
}

}  // namespace
}  // namespace sidecar
