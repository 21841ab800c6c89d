// Encoding cost per 10,000 samples for each exporter format. Hidden ([.]): run it on purpose,
//   agent_tests "[bench][exporters]"
// in a Release build for numbers that mean something.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>

#include "exporters/emf/emf_format.h"
#include "exporters/otlp/otlp_encode.h"
#include "exporters/statsd/statsd_format.h"

namespace sidecar::exporters {
namespace {

constexpr int kSamples = 10000;
constexpr int kPointsPerRun = 10;

std::vector<ProbeRun> Runs() {
  std::vector<ProbeRun> runs;
  for (int r = 0; r < kSamples / kPointsPerRun; ++r) {
    ProbeRun run;
    run.probe = "probe-" + std::to_string(r % 20);
    run.type = "http";
    run.labels = {{"env", "production"}, {"team", "core"}};
    run.unix_ms = 1700000000000 + r;
    run.points.push_back({"probe_success", PointKind::kGauge, {}, 1});
    run.points.push_back({"probe_duration_seconds", PointKind::kDuration, {}, 0.0123});
    for (int p = 2; p < kPointsPerRun; ++p) {
      run.points.push_back({"probe_http_duration_seconds",
                            PointKind::kGauge,
                            {{"phase", "phase" + std::to_string(p)}},
                            0.001 * p});
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

template <typename F>
void Measure(const char* name, F&& encode) {
  const auto start = std::chrono::steady_clock::now();
  const size_t bytes = encode();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-16s %8.2f ms per %d samples, %8zu bytes\n", name, ms, kSamples, bytes);
  CHECK(bytes > 0);
}

TEST_CASE("Exporters: encoding cost per 10,000 samples", "[.][bench][exporters]") {
  const std::vector<ProbeRun> runs = Runs();
  Measure("statsd lines", [&] {
    statsd::Format format;
    CounterDeltas deltas;
    size_t bytes = 0;
    uint64_t too_long = 0;
    for (const ProbeRun& run : runs) {
      for (const auto& d : statsd::Pack(statsd::FormatRun(format, run, &deltas), 1432, &too_long)) {
        bytes += d.payload.size();
      }
    }
    return bytes;
  });
  Measure("emf", [&] {
    emf::Format format;
    CounterDeltas deltas;
    size_t bytes = 0;
    for (const ProbeRun& run : runs) {
      for (const std::string& line : emf::FormatRun(format, run, &deltas)) bytes += line.size();
    }
    return bytes;
  });
  auto request = [&runs] {
    otlp::Aggregator aggregator(1700000000000000000ull);
    for (const ProbeRun& run : runs) aggregator.Add(run);
    otlp::ExportRequest out;
    out.resource = {{"service.name", "bench"}};
    out.metrics = aggregator.Take();
    return out;
  };
  Measure("otlp protobuf", [&] { return otlp::EncodeProtobuf(request()).size(); });
  Measure("otlp json", [&] { return otlp::EncodeJson(request()).size(); });
}

}  // namespace
}  // namespace sidecar::exporters
