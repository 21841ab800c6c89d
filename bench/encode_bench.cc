// Encoding cost of each push exporter per 10,000 samples, through the exporters' real functions:
// OTLP (aggregation into the data model, then protobuf or JSON, and protobuf + gzip as the
// exporter sends it with `compression: gzip`), StatsD (lines of each run, packed into 1432-byte
// datagrams) and EMF (the JSON documents of each run). Run by bench/exporters_bench.sh.
//
//   encode_bench [REPS]
//
// 10,000 samples = 1,000 runs of 100 http probes, 10 points each (probe_success,
// probe_duration_seconds, probe_http_status_code, five probe_http_duration_seconds{phase},
// probe_ssl_earliest_cert_expiry and one counter), with two constant labels; for OTLP, whose
// export holds one point per series, the same runs under 1,000 probe names. The encoders are
// run round-robin (so that a noisy neighbour slows them all alike), 3 warm-up rounds then REPS
// timed ones (default 25), each timed with the thread's CPU clock. Prints one line per encoder:
//   name median_ms min_ms max_ms bytes
// (milliseconds of CPU per 10,000 samples; bytes produced for them).
//
// Single-threaded.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "exporters/counter_deltas.h"
#include "exporters/emf/emf_format.h"
#include "exporters/otlp/otlp_encode.h"
#include "exporters/otlp/otlp_model.h"
#include "exporters/statsd/statsd_format.h"

namespace sidecar::exporters {
namespace {

constexpr int kSamples = 10000;
constexpr int kPointsPerRun = 10;
constexpr int kProbes = 100;
constexpr int kWarmup = 3;

std::vector<ProbeRun> Runs() {
  static const char* const kPhases[] = {"resolve", "connect", "tls", "processing", "transfer"};
  std::vector<ProbeRun> runs;
  for (int r = 0; r < kSamples / kPointsPerRun; ++r) {
    ProbeRun run;
    run.probe = "api-" + std::to_string(r % kProbes);
    run.type = "http";
    run.labels = {{"env", "production"}, {"service", "orders-api"}};
    run.unix_ms = 1790000000000 + int64_t{r} * 10;
    const double d = 0.010 + 0.0001 * (r % 37);
    run.points.push_back({"probe_success", PointKind::kGauge, {}, 1});
    run.points.push_back({"probe_duration_seconds", PointKind::kDuration, {}, d});
    run.points.push_back({"probe_http_status_code", PointKind::kGauge, {}, 200});
    for (int p = 0; p < 5; ++p) {
      run.points.push_back(
          {"probe_http_duration_seconds", PointKind::kGauge, {{"phase", kPhases[p]}}, d / 5});
    }
    run.points.push_back({"probe_ssl_earliest_cert_expiry", PointKind::kGauge, {}, 1.8e9});
    run.points.push_back(
        {"probe_http_requests_total", PointKind::kCounter, {}, static_cast<double>(r / kProbes)});
    runs.push_back(std::move(run));
  }
  return runs;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The same gzip framing as the OTLP exporter (windowBits 15 + 16, default level).
std::string Gzip(const std::string& data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return "";
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

struct Encoder {
  const char* name = "";
  std::function<size_t()> encode;  // returns the bytes produced
  std::vector<double> ms;
  size_t bytes = 0;
};

int Main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 25;
  const std::vector<ProbeRun> runs = Runs();
  // Counter baselines persist across rounds, as in a running exporter.
  CounterDeltas statsd_deltas, emf_deltas;
  const statsd::Format statsd_format;  // DogStatsD tags, durations as timing
  const emf::Format emf_format;        // namespace HealthAgent, dimensions [probe, type]
  // An OTLP export carries one point per series (the latest), so 10,000 samples to encode are
  // 1,000 probes' runs of one interval: the same runs, each under its own probe name.
  std::vector<ProbeRun> otlp_runs = runs;
  for (size_t r = 0; r < otlp_runs.size(); ++r) otlp_runs[r].probe = "api-" + std::to_string(r);
  auto request = [&otlp_runs] {
    otlp::Aggregator aggregator(1790000000000000000ull);
    for (const ProbeRun& run : otlp_runs) aggregator.Add(run);
    otlp::ExportRequest out;
    out.resource = {{"service.name", "orders-api"}, {"cloud.provider", "aws"}};
    out.scope_version = "bench";
    out.metrics = aggregator.Take();
    return out;
  };
  std::vector<Encoder> encoders;
  auto add = [&encoders](const char* name, std::function<size_t()> encode) {
    Encoder encoder;
    encoder.name = name;
    encoder.encode = std::move(encode);
    encoders.push_back(std::move(encoder));
  };
  add("otlp_protobuf", [&] { return otlp::EncodeProtobuf(request()).size(); });
  add("otlp_json", [&] { return otlp::EncodeJson(request()).size(); });
  add("otlp_protobuf_gzip", [&] { return Gzip(otlp::EncodeProtobuf(request())).size(); });
  add("otlp_aggregate_only", [&] { return request().Points(); });
  add("statsd", [&] {
    size_t bytes = 0;
    uint64_t too_long = 0;
    for (const ProbeRun& run : runs) {
      for (const auto& d :
           statsd::Pack(statsd::FormatRun(statsd_format, run, &statsd_deltas), 1432, &too_long)) {
        bytes += d.payload.size();
      }
    }
    return bytes;
  });
  add("emf", [&] {
    size_t bytes = 0;
    for (const ProbeRun& run : runs) {
      for (const std::string& line : emf::FormatRun(emf_format, run, &emf_deltas)) {
        bytes += line.size() + 1;  // the newline written after each
      }
    }
    return bytes;
  });
  for (int round = 0; round < kWarmup + reps; ++round) {
    for (Encoder& encoder : encoders) {
      const double start = ThreadCpuMs();
      encoder.bytes = encoder.encode();
      const double ms = ThreadCpuMs() - start;
      if (round >= kWarmup) encoder.ms.push_back(ms);
    }
  }
  for (Encoder& encoder : encoders) {
    std::sort(encoder.ms.begin(), encoder.ms.end());
    const size_t n = encoder.ms.size();
    const double median =
        n % 2 ? encoder.ms[n / 2] : (encoder.ms[n / 2 - 1] + encoder.ms[n / 2]) / 2;
    std::printf("%s %.3f %.3f %.3f %zu\n", encoder.name, median, encoder.ms.front(),
                encoder.ms.back(), encoder.bytes);
  }
  return 0;
}

}  // namespace
}  // namespace sidecar::exporters

int main(int argc, char** argv) { return sidecar::exporters::Main(argc, argv); }
