// The current value of every series the agent exports, kept in a prometheus-cpp registry:
// blackbox_exporter's per-probe series (probe_success, probe_duration_seconds, ...), the
// agent's own (agent_*), the samples probes report, and process_* series.
//
// Thread-safety: the Record*/Set*/Reconcile methods are called on the loop thread only;
// Render() may be called from any thread at the same time (prometheus-cpp families lock).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/common/duration.h"
#include "agent/health/health_tracker.h"
#include "probes/probe.h"

namespace sidecar::metrics {

// What the store needs to know of a configured probe.
struct ProbeIdentity {
  std::string name;
  std::string type;
  Duration timeout;
  std::map<std::string, std::string> labels;  // constant labels of the agent and the probe
};

class MetricStore {
 public:
  MetricStore();
  ~MetricStore();
  MetricStore(const MetricStore&) = delete;
  MetricStore& operator=(const MetricStore&) = delete;

  // Makes the store match a (new) set of probes: series of probes that are gone, or whose type
  // or labels changed, are removed; the others keep their values and counters.
  void Reconcile(const std::vector<ProbeIdentity>& probes);

  // After every run of a probe.
  void RecordRun(const std::string& probe, const probes::ProbeResult& result, Duration duration,
                 health::ProbeState state, double unix_now);

  void SetReady(bool ready, const char* overall_status);
  void SetConfigReload(bool successful, double unix_now);

  // An exporter's own totals since it started (agent_exporter_{sent,dropped,errors}_total
  // {exporter}). Totals lower than the last ones mean a new exporter of that name (a reload):
  // the counters go on from where they were.
  void RecordExporter(const std::string& exporter, uint64_t sent, uint64_t dropped,
                      uint64_t errors);

  // The text exposition (format 0.0.4) of every series.
  std::string Render() const;
  // Every family, as Render() exposes them; without those of AddCollectable when
  // `include_added` is false (the rule engine reads the agent's series so, not its own).
  std::vector<prometheus::MetricFamily> Collect(bool include_added = true) const;
  // Adds families computed elsewhere (the rule engine's ALERTS and agent_rule_* series).
  // Call before the HTTP server starts; `collectable` must be thread-safe.
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  struct ProbeSeries;

  prometheus::Labels LabelsFor(const ProbeSeries& series, const probes::Labels& extra) const;
  prometheus::Gauge& SampleGauge(ProbeSeries& series, const probes::Sample& sample);
  void IncrementSampleCounter(ProbeSeries& series, const probes::Sample& sample);
  void RemoveSeries(ProbeSeries& series);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& probe_success_;
  prometheus::Family<prometheus::Gauge>& probe_duration_;
  prometheus::Family<prometheus::Gauge>& probe_timeout_;
  prometheus::Family<prometheus::Histogram>& duration_histogram_;
  prometheus::Family<prometheus::Counter>& runs_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Gauge>& probe_status_;
  prometheus::Family<prometheus::Gauge>& last_success_;
  prometheus::Family<prometheus::Gauge>& agent_status_;
  prometheus::Family<prometheus::Gauge>& ready_;
  prometheus::Family<prometheus::Gauge>& reload_ok_;
  prometheus::Family<prometheus::Gauge>& reload_time_;
  prometheus::Family<prometheus::Counter>& exporter_sent_;
  prometheus::Family<prometheus::Counter>& exporter_dropped_;
  prometheus::Family<prometheus::Counter>& exporter_errors_;

  struct ExporterSeries {
    uint64_t last[3] = {0, 0, 0};  // sent, dropped, errors as last reported
  };
  std::map<std::string, ExporterSeries> exporters_;

  std::map<std::string, std::unique_ptr<ProbeSeries>> probes_;
  std::shared_ptr<prometheus::Collectable> process_collector_;
  std::vector<std::shared_ptr<prometheus::Collectable>> extra_collectables_;
};

}  // namespace sidecar::metrics
