// Cost of the rule engine, through its real code (rule files, PromQL evaluation, alert state,
// the sample ring). Run by bench/rules_bench.sh.
//
//   rules_bench [REPS]
//
// 1. The bundled rules (alerts/agent.rules.yml, as compiled in) over the agent's own series
//    with the default probe set (postgres, redis, cpu, memory, plus a disk probe): each
//    evaluation is what the agent does every 15 s — collect its registry, append the scrape to
//    the ring, evaluate every group. One simulated hour at 15 s steps.
// 2. 1,000 rules (alerting and recording; rate, increase, avg_over_time, sum by, offset) over
//    10,000 counter series (100 names x 100 instances) with 10 minutes of 15 s samples.
// 3. Memory of the sample ring per series.
//
// CPU is the thread's CPU clock. Prints "name value unit" lines; rules_bench.sh makes the table.
//
// Single-threaded.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/rules_config.h"
#include "agent/metrics/metric_samples.h"
#include "agent/metrics/metric_store.h"
#include "agent/rules/rule_group.h"
#include "agent/rules/sample_ring.h"

namespace sidecar {
namespace {

constexpr promql::Timestamp kStart = 1'790'000'000'000;
constexpr int64_t kStepMs = 15'000;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb;
    }
    std::getline(in, key);
  }
  return 0;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

std::vector<std::unique_ptr<rules::RuleGroup>> Groups(const std::string& file,
                                                      const std::string& text) {
  std::vector<rules::GroupDef> defs;
  std::vector<std::string> errors;
  if (!rules::ParseRuleFile(file, text, &defs, &errors)) {
    for (const std::string& error : errors) std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(1);
  }
  rules::GroupOptions options;
  options.default_interval_ms = kStepMs;
  std::vector<std::unique_ptr<rules::RuleGroup>> groups;
  for (rules::GroupDef& def : defs) {
    groups.push_back(std::make_unique<rules::RuleGroup>(std::move(def), options));
  }
  return groups;
}

// The series of the default probe set, as the probes report them.
const probes::MetricDef kPgConnections{"probe_postgres_connections", "Connections in use."};
const probes::MetricDef kPgMax{"probe_postgres_max_connections", "max_connections."};
const probes::MetricDef kRedisMemory{"probe_redis_used_memory_bytes", "used_memory."};
const probes::MetricDef kRedisMax{"probe_redis_maxmemory_bytes", "maxmemory."};
const probes::MetricDef kCpuRatio{"container_cpu_usage_ratio", "CPU used of the limit."};
const probes::MetricDef kCpuThrottled{"container_cpu_throttled_seconds_total", "Throttled.",
                                      probes::MetricType::kCounter};
const probes::MetricDef kMemoryRatio{"container_memory_usage_ratio", "Memory used of limit."};
const probes::MetricDef kFsRatio{"container_fs_usage_ratio", "Disk used."};

void RecordDefaultProbes(metrics::MetricStore& store, int step) {
  const double unix_now = static_cast<double>(kStart + step * kStepMs) / 1000;
  auto run = [&](const char* probe, std::vector<probes::Sample> samples) {
    probes::ProbeResult result = probes::ProbeResult::Healthy();
    result.samples = std::move(samples);
    store.RecordRun(probe, result, std::chrono::milliseconds(3 + step % 5),
                    health::ProbeState::kHealthy, unix_now);
  };
  run("postgres", {{&kPgConnections, {}, 10.0 + step % 7}, {&kPgMax, {}, 100}});
  run("redis", {{&kRedisMemory, {}, 1e6 + step}, {&kRedisMax, {}, 1e8}});
  run("cpu", {{&kCpuRatio, {}, 0.2 + 0.01 * (step % 10)}, {&kCpuThrottled, {}, 0.01}});
  run("memory", {{&kMemoryRatio, {}, 0.4}});
  run("disk", {{&kFsRatio, {{"mountpoint", "/"}}, 0.5}});
}

void BundledRules(int reps) {
  metrics::MetricStore store;
  store.Reconcile({{"postgres", "postgres", std::chrono::seconds(5), {}},
                   {"redis", "redis", std::chrono::seconds(5), {}},
                   {"cpu", "cpu", std::chrono::seconds(5), {}},
                   {"memory", "memory", std::chrono::seconds(5), {}},
                   {"disk", "disk", std::chrono::seconds(5), {}}});
  auto groups =
      Groups(std::string(config::kBundledRulesName), std::string(config::BundledRulesText()));
  rules::SampleRing ring(11 * 60 * 1000);
  size_t rule_count = 0;
  for (const auto& group : groups) rule_count += group->RuleStatuses().size();
  std::vector<double> per_eval;
  const int steps = std::max(240, reps * 10);  // at least one simulated hour
  for (int step = 0; step < steps; ++step) {
    RecordDefaultProbes(store, step);
    const promql::Timestamp t = kStart + step * kStepMs;
    const double begin = ThreadCpuSeconds();
    ring.AppendScrape(metrics::FamiliesToSamples(store.Collect(false)), t);
    for (auto& group : groups) group->Eval(t, ring, ring);
    per_eval.push_back(ThreadCpuSeconds() - begin);
  }
  const double median = Median(per_eval);
  std::printf("bundled_rules %zu rules\n", rule_count);
  std::printf("bundled_series %zu series\n", ring.series_count());
  std::printf("bundled_cpu_per_eval %.1f us\n", median * 1e6);
  std::printf("bundled_core_share_15s %.4f %%\n", median / 15.0 * 100);
  std::printf("bundled_ring_bytes_per_series %.0f B\n",
              static_cast<double>(ring.memory_bytes()) / ring.series_count());
}

std::string ThousandRules() {
  std::string text = "groups:\n";
  for (int g = 0; g < 10; ++g) {
    text += "  - name: bench-" + std::to_string(g) + "\n    rules:\n";
    for (int r = 0; r < 100; ++r) {
      const int i = g * 100 + r;
      const std::string m = "bench_m" + std::to_string(i % 100) + "_total";
      switch (i % 5) {
        case 0:
          text += "      - alert: HighRate" + std::to_string(i) + "\n        expr: rate(" + m +
                  "[5m]) > 100\n        for: 5m\n";
          break;
        case 1:
          text += "      - record: job:" + m + ":rate5m_" + std::to_string(i) +
                  "\n        expr: sum by (job) (rate(" + m + "[5m]))\n";
          break;
        case 2:
          text += "      - alert: AvgHigh" + std::to_string(i) + "\n        expr: avg_over_time(" +
                  m + "[5m]) > 1e9\n";
          break;
        case 3:
          text += "      - alert: Increase" + std::to_string(i) + "\n        expr: increase(" + m +
                  "{instance=~\"i-1.*\"}[10m]) > 5\n        labels: {severity: warning}\n"
                  "        annotations: {summary: \"{{ $labels.instance }} at {{ $value }}\"}\n";
          break;
        default:
          text += "      - alert: Reset" + std::to_string(i) + "\n        expr: " + m + " < " + m +
                  " offset 5m\n";
      }
    }
  }
  return text;
}

void ThousandRulesOverTenThousandSeries(int reps) {
  const long rss_before = RssKb();
  rules::SampleRing ring(11 * 60 * 1000);
  std::vector<promql::Labels> series;
  for (int m = 0; m < 100; ++m) {
    for (int i = 0; i < 100; ++i) {
      series.push_back(promql::MakeLabels({{"__name__", "bench_m" + std::to_string(m) + "_total"},
                                           {"instance", "i-" + std::to_string(i)},
                                           {"job", "api"}}));
    }
  }
  const int fill_steps = 41;  // 10 minutes of 15 s samples
  for (int step = 0; step < fill_steps; ++step) {
    for (size_t s = 0; s < series.size(); ++s) {
      ring.Append(series[s], kStart + step * kStepMs, static_cast<double>(step * (s % 13 + 1)));
    }
  }
  const long rss_filled = RssKb();
  auto groups = Groups("bench.rules.yml", ThousandRules());
  std::vector<double> per_eval;
  for (int rep = 0; rep < reps; ++rep) {
    const promql::Timestamp t = kStart + (fill_steps - 1) * kStepMs;
    const double begin = ThreadCpuSeconds();
    for (auto& group : groups) group->Eval(t, ring, ring);
    per_eval.push_back(ThreadCpuSeconds() - begin);
  }
  std::printf("thousand_series %zu series\n", series.size());
  std::printf("thousand_cpu_per_eval %.1f ms\n", Median(per_eval) * 1e3);
  std::printf("thousand_core_share_15s %.2f %%\n", Median(per_eval) / 15.0 * 100);
  std::printf("ring_points_per_series %.1f points\n",
              static_cast<double>(ring.point_count()) / ring.series_count());
  std::printf("ring_bytes_per_series %.0f B\n",
              static_cast<double>(ring.memory_bytes()) / ring.series_count());
  std::printf("ring_rss_per_series %.0f B\n",
              static_cast<double>(rss_filled - rss_before) * 1024 / series.size());
}

}  // namespace
}  // namespace sidecar

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 25;
  sidecar::BundledRules(reps);
  sidecar::ThousandRulesOverTenThousandSeries(reps);
  return 0;
}
