#include "agent/metrics/metric_store.h"

#include <prometheus/text_serializer.h>

#include <algorithm>

#include "agent/metrics/process_collector.h"
#include "agent/version.h"

namespace sidecar::metrics {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

namespace {

const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

constexpr const char* kStates[] = {"starting", "healthy", "degraded", "unhealthy"};

std::string SeriesKey(const std::string& name, const prometheus::Labels& labels) {
  std::string key = name;
  for (const auto& [label, value] : labels) {
    key.append("\x1f").append(label).append("=").append(value);
  }
  return key;
}

}  // namespace

// Every series that belongs to one probe, so that a reload can remove them all.
struct MetricStore::ProbeSeries {
  ProbeIdentity identity;
  prometheus::Gauge* success = nullptr;
  prometheus::Gauge* duration = nullptr;
  prometheus::Gauge* timeout = nullptr;
  prometheus::Gauge* last_success = nullptr;
  prometheus::Histogram* histogram = nullptr;
  prometheus::Counter* runs = nullptr;
  std::map<std::string, prometheus::Gauge*> states;
  std::map<std::string, prometheus::Counter*> failures;  // by failure kind
  struct Sampled {
    prometheus::Family<prometheus::Gauge>* gauge_family = nullptr;
    prometheus::Gauge* gauge = nullptr;
    prometheus::Family<prometheus::Counter>* counter_family = nullptr;
    prometheus::Counter* counter = nullptr;
    double last_total = 0;
  };
  std::map<std::string, Sampled> samples;  // by SeriesKey
};

MetricStore::MetricStore()
    : registry_(std::make_shared<prometheus::Registry>()),
      probe_success_(BuildGauge()
                         .Name("probe_success")
                         .Help("Whether the last run of the probe succeeded (1) or not (0).")
                         .Register(*registry_)),
      probe_duration_(BuildGauge()
                          .Name("probe_duration_seconds")
                          .Help("How long the last run of the probe took, in seconds.")
                          .Register(*registry_)),
      probe_timeout_(BuildGauge()
                         .Name("probe_timeout_seconds")
                         .Help("The deadline of one run of the probe, in seconds.")
                         .Register(*registry_)),
      duration_histogram_(BuildHistogram()
                              .Name("agent_probe_duration_seconds")
                              .Help("Distribution of probe run durations, in seconds.")
                              .Register(*registry_)),
      runs_(BuildCounter()
                .Name("agent_probe_runs_total")
                .Help("Runs of each probe.")
                .Register(*registry_)),
      failures_(BuildCounter()
                    .Name("agent_probe_failures_total")
                    .Help("Failed runs of each probe, by failure kind.")
                    .Register(*registry_)),
      probe_status_(BuildGauge()
                        .Name("agent_probe_status")
                        .Help("Health of each probe after thresholds: 1 for the current status.")
                        .Register(*registry_)),
      last_success_(BuildGauge()
                        .Name("agent_probe_last_success_timestamp_seconds")
                        .Help("Unix time of the last successful run of the probe.")
                        .Register(*registry_)),
      agent_status_(BuildGauge()
                        .Name("agent_status")
                        .Help("Overall health of the agent: 1 for the current status.")
                        .Register(*registry_)),
      ready_(BuildGauge()
                 .Name("agent_ready")
                 .Help("Whether every critical probe is up (1) or not (0).")
                 .Register(*registry_)),
      reload_ok_(BuildGauge()
                     .Name("agent_config_last_reload_successful")
                     .Help("Whether the last configuration load succeeded (1) or not (0).")
                     .Register(*registry_)),
      reload_time_(BuildGauge()
                       .Name("agent_config_last_reload_success_timestamp_seconds")
                       .Help("Unix time of the last successful configuration load.")
                       .Register(*registry_)),
      exporter_sent_(BuildCounter()
                         .Name("agent_exporter_sent_total")
                         .Help("Data points each push exporter handed to its receiver.")
                         .Register(*registry_)),
      exporter_dropped_(BuildCounter()
                            .Name("agent_exporter_dropped_total")
                            .Help("Data points each push exporter dropped (queue full, receiver "
                                  "absent or slow, retries exhausted).")
                            .Register(*registry_)),
      exporter_errors_(BuildCounter()
                           .Name("agent_exporter_errors_total")
                           .Help("Failed deliveries of each push exporter.")
                           .Register(*registry_)),
      process_collector_(std::make_shared<ProcessCollector>()) {
  BuildGauge()
      .Name("agent_build_info")
      .Help("Build information of the agent; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", kAgentVersion}, {"revision", kAgentRevision}})
      .Set(1);
}

MetricStore::~MetricStore() = default;

void MetricStore::RecordExporter(const std::string& exporter, uint64_t sent, uint64_t dropped,
                                 uint64_t errors) {
  ExporterSeries& series = exporters_[exporter];
  const uint64_t now[3] = {sent, dropped, errors};
  prometheus::Family<prometheus::Counter>* families[3] = {&exporter_sent_, &exporter_dropped_,
                                                          &exporter_errors_};
  for (int i = 0; i < 3; ++i) {
    const uint64_t base = now[i] < series.last[i] ? 0 : series.last[i];
    prometheus::Counter& counter = families[i]->Add({{"exporter", exporter}});
    counter.Increment(static_cast<double>(now[i] - base));
    series.last[i] = now[i];
  }
}

prometheus::Labels MetricStore::LabelsFor(const ProbeSeries& series,
                                          const probes::Labels& extra) const {
  prometheus::Labels labels(series.identity.labels.begin(), series.identity.labels.end());
  labels["probe"] = series.identity.name;
  labels["type"] = series.identity.type;
  for (const auto& [name, value] : extra) {
    labels[name] = value;
  }
  return labels;
}

void MetricStore::RemoveSeries(ProbeSeries& series) {
  probe_success_.Remove(series.success);
  probe_duration_.Remove(series.duration);
  probe_timeout_.Remove(series.timeout);
  last_success_.Remove(series.last_success);
  duration_histogram_.Remove(series.histogram);
  runs_.Remove(series.runs);
  for (auto& [state, gauge] : series.states) {
    probe_status_.Remove(gauge);
  }
  for (auto& [kind, counter] : series.failures) {
    failures_.Remove(counter);
  }
  for (auto& [key, sampled] : series.samples) {
    if (sampled.gauge_family != nullptr) sampled.gauge_family->Remove(sampled.gauge);
    if (sampled.counter_family != nullptr) sampled.counter_family->Remove(sampled.counter);
  }
}

void MetricStore::Reconcile(const std::vector<ProbeIdentity>& probes) {
  std::map<std::string, const ProbeIdentity*> wanted;
  for (const ProbeIdentity& identity : probes) {
    wanted[identity.name] = &identity;
  }
  for (auto it = probes_.begin(); it != probes_.end();) {
    auto found = wanted.find(it->first);
    const bool same = found != wanted.end() && found->second->type == it->second->identity.type &&
                      found->second->labels == it->second->identity.labels;
    if (same) {
      it->second->identity = *found->second;
      it->second->timeout->Set(ToSeconds(found->second->timeout));
      ++it;
      continue;
    }
    RemoveSeries(*it->second);
    it = probes_.erase(it);
  }
  for (const ProbeIdentity& identity : probes) {
    if (probes_.count(identity.name) != 0) {
      continue;
    }
    auto series = std::make_unique<ProbeSeries>();
    series->identity = identity;
    const prometheus::Labels labels = LabelsFor(*series, {});
    series->success = &probe_success_.Add(labels);
    series->duration = &probe_duration_.Add(labels);
    series->timeout = &probe_timeout_.Add(labels);
    series->timeout->Set(ToSeconds(identity.timeout));
    series->last_success = &last_success_.Add(labels);
    series->histogram = &duration_histogram_.Add(labels, kDurationBuckets);
    series->runs = &runs_.Add(labels);
    for (const char* state : kStates) {
      prometheus::Labels with_state = labels;
      with_state["status"] = state;
      series->states[state] = &probe_status_.Add(with_state);
    }
    series->states["starting"]->Set(1);
    probes_[identity.name] = std::move(series);
  }
}

prometheus::Gauge& MetricStore::SampleGauge(ProbeSeries& series, const probes::Sample& sample) {
  const prometheus::Labels labels = LabelsFor(series, sample.labels);
  ProbeSeries::Sampled& sampled = series.samples[SeriesKey(sample.metric->name, labels)];
  if (sampled.gauge == nullptr) {
    sampled.gauge_family =
        &BuildGauge().Name(sample.metric->name).Help(sample.metric->help).Register(*registry_);
    sampled.gauge = &sampled.gauge_family->Add(labels);
  }
  return *sampled.gauge;
}

void MetricStore::IncrementSampleCounter(ProbeSeries& series, const probes::Sample& sample) {
  const prometheus::Labels labels = LabelsFor(series, sample.labels);
  ProbeSeries::Sampled& sampled = series.samples[SeriesKey(sample.metric->name, labels)];
  if (sampled.counter == nullptr) {
    sampled.counter_family =
        &BuildCounter().Name(sample.metric->name).Help(sample.metric->help).Register(*registry_);
    sampled.counter = &sampled.counter_family->Add(labels);
    // The first reading is the total so far.
    sampled.counter->Increment(std::max(0.0, sample.value));
    sampled.last_total = sample.value;
    return;
  }
  // A total that went down was reset at its source: count from zero again.
  const double delta =
      sample.value >= sampled.last_total ? sample.value - sampled.last_total : sample.value;
  sampled.counter->Increment(std::max(0.0, delta));
  sampled.last_total = sample.value;
}

void MetricStore::RecordRun(const std::string& probe, const probes::ProbeResult& result,
                            Duration duration, health::ProbeState state, double unix_now) {
  auto it = probes_.find(probe);
  if (it == probes_.end()) {
    return;
  }
  ProbeSeries& series = *it->second;
  const bool success = result.verdict != probes::Verdict::kUnhealthy;
  series.success->Set(success ? 1 : 0);
  series.duration->Set(ToSeconds(duration));
  series.histogram->Observe(ToSeconds(duration));
  series.runs->Increment();
  if (success) {
    series.last_success->Set(unix_now);
  } else {
    const std::string kind = result.failure.empty() ? "unknown" : result.failure;
    prometheus::Counter*& counter = series.failures[kind];
    if (counter == nullptr) {
      prometheus::Labels labels = LabelsFor(series, {});
      labels["reason"] = kind;
      counter = &failures_.Add(labels);
    }
    counter->Increment();
  }
  for (auto& [name, gauge] : series.states) {
    gauge->Set(name == health::ProbeStateName(state) ? 1 : 0);
  }
  for (const probes::Sample& sample : result.samples) {
    if (sample.metric->type == probes::MetricType::kCounter) {
      IncrementSampleCounter(series, sample);
    } else {
      SampleGauge(series, sample).Set(sample.value);
    }
  }
}

void MetricStore::SetReady(bool ready, const char* overall_status) {
  ready_.Add({}).Set(ready ? 1 : 0);
  for (const char* state : kStates) {
    agent_status_.Add({{"status", state}}).Set(std::string_view(state) == overall_status ? 1 : 0);
  }
}

void MetricStore::SetConfigReload(bool successful, double unix_now) {
  reload_ok_.Add({}).Set(successful ? 1 : 0);
  if (successful) {
    reload_time_.Add({}).Set(unix_now);
  }
}

std::vector<prometheus::MetricFamily> MetricStore::Collect(bool include_added) const {
  // prometheus-cpp 1.0 registries hold only their own families; process_* and the rule
  // engine's series come from beside it.
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  auto append = [&families](const prometheus::Collectable& collectable) {
    std::vector<prometheus::MetricFamily> more = collectable.Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  };
  append(*process_collector_);
  if (include_added) {
    for (const auto& collectable : extra_collectables_) append(*collectable);
  }
  return families;
}

void MetricStore::AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  extra_collectables_.push_back(std::move(collectable));
}

std::string MetricStore::Render() const {
  return prometheus::TextSerializer().Serialize(Collect());
}

}  // namespace sidecar::metrics
