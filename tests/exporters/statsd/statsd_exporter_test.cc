#include "exporters/statsd/statsd_exporter.h"

#include <catch2/catch.hpp>
#include <regex>

#include "tests/exporters/exporter_test_util.h"

namespace sidecar::exporters::statsd {
namespace {

using testing::DatagramReceiver;
using testing::LoadExporters;
using testing::SplitLines;
using testing::WaitFor;

// name:value|type|#tags, as DogStatsD's datagram grammar says (no sample rate, no timestamp).
const std::regex kDogStatsdLine(
    R"(^[A-Za-z0-9_.]+:-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?\|(g|c|ms|h|d)(\|#[^|#,]+(,[^|#,]+)*)?$)");

ProbeRun Run(int i, int points) {
  ProbeRun run;
  run.probe = "probe-" + std::to_string(i % 3);
  run.type = "http";
  run.labels = {{"team", "core"}};
  run.points.push_back({"probe_success", PointKind::kGauge, {}, 1});
  run.points.push_back({"probe_duration_seconds", PointKind::kDuration, {}, 0.25});
  for (int p = 2; p < points; ++p) {
    run.points.push_back({"probe_http_duration_seconds",
                          PointKind::kGauge,
                          {{"phase", "phase" + std::to_string(p)}},
                          0.001 * p});
  }
  return run;
}

ExporterPtr Take(config::LoadResult& result) {
  INFO(testing::Errors(result));
  REQUIRE(result.ok());
  REQUIRE(result.config.exporters.size() == 1);
  return std::move(result.config.exporters[0].exporter);
}

TEST_CASE("StatsdExporter: every UDP datagram is packed under the limit with valid tagged lines",
          "[exporters][statsd]") {
  DatagramReceiver receiver = DatagramReceiver::Udp();
  auto loaded = LoadExporters(R"(
exporters:
  - type: statsd
    host: 127.0.0.1
    port: )" + std::to_string(receiver.port()) +
                                  R"(
    prefix: devbrainai.
    tags: {env: production}
    max_packet_size: 300
)",
                              {{"DD_SERVICE", "orders"}, {"DD_AGENT_HOST", "10.9.9.9"}});
  ExporterPtr exporter = Take(loaded);
  exporter->Start();
  constexpr int kRuns = 40;
  constexpr int kPoints = 6;
  for (int i = 0; i < kRuns; ++i) exporter->Offer(Run(i, kPoints));

  size_t lines = 0;
  while (lines < kRuns * kPoints) {
    const std::string datagram = receiver.Receive();
    REQUIRE_FALSE(datagram.empty());
    CHECK(datagram.size() <= 300);
    for (const std::string& line : SplitLines(datagram)) {
      INFO(line);
      CHECK(std::regex_match(line, kDogStatsdLine));
      CHECK(line.rfind("devbrainai.", 0) == 0);
      CHECK(line.find("env:production") != std::string::npos);
      CHECK(line.find("service:orders") != std::string::npos);
      CHECK(line.find("team:core") != std::string::npos);
      CHECK(line.find(",probe:probe-") != std::string::npos);
      CHECK(line.find(",type:http") != std::string::npos);
      ++lines;
    }
  }
  CHECK(lines == kRuns * kPoints);
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kRuns * kPoints; }));
  CHECK(exporter->Stats().dropped == 0);
  CHECK(exporter->Stats().errors == 0);
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("StatsdExporter: DD_DOGSTATSD_SOCKET sends to a Unix socket in datagrams up to 8192",
          "[exporters][statsd]") {
  DatagramReceiver receiver = DatagramReceiver::Unix();
  auto loaded = LoadExporters("exporters:\n  - type: statsd\n    tag_style: influx\n",
                              {{"DD_DOGSTATSD_SOCKET", receiver.path()}});
  ExporterPtr exporter = Take(loaded);
  auto* statsd = dynamic_cast<StatsdExporter*>(exporter.get());
  REQUIRE(statsd != nullptr);
  CHECK(statsd->options().max_packet_size == kUnixPacketSize);
  exporter->Start();
  // One run of 400 points is one delivery: it needs several full datagrams.
  exporter->Offer(Run(0, 400));
  size_t lines = 0;
  size_t largest = 0;
  const std::regex influx_line(R"(^[A-Za-z0-9_.]+(,[^,=:| ]+=[^,=:| ]+)+:[-0-9.e+]+\|(g|ms)$)");
  while (lines < 400) {
    const std::string datagram = receiver.Receive();
    REQUIRE_FALSE(datagram.empty());
    CHECK(datagram.size() <= kUnixPacketSize);
    largest = std::max(largest, datagram.size());
    for (const std::string& line : SplitLines(datagram)) {
      INFO(line);
      CHECK(std::regex_match(line, influx_line));
      ++lines;
    }
  }
  CHECK(largest > kUdpPacketSize);  // packed well past the UDP size
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == 400; }));
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("StatsdExporter: a receiver that never reads costs drops, never a blocked caller",
          "[exporters][statsd]") {
  DatagramReceiver receiver = DatagramReceiver::Unix(4096);
  auto loaded = LoadExporters(
      "exporters:\n  - type: statsd\n    queue_size: 50\n    socket: " + receiver.path() + "\n");
  ExporterPtr exporter = Take(loaded);
  exporter->Start();
  constexpr int kRuns = 3000;
  constexpr int kPoints = 20;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) exporter->Offer(Run(i, kPoints));
  // 3000 offers are copies into a queue of 50: far below a millisecond each.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  REQUIRE(WaitFor([&] {
    const ExporterStats stats = exporter->Stats();
    return stats.sent + stats.dropped == static_cast<uint64_t>(kRuns) * kPoints;
  }));
  ExporterStats stats = exporter->Stats();
  CHECK(stats.dropped > 0);
  CHECK(stats.errors > 0);
  CHECK(stats.last_error.find("send") != std::string::npos);

  // The receiver goes away: the next sends fail and are counted, still without blocking.
  receiver.Close();
  for (int i = 0; i < 10; ++i) exporter->Offer(Run(i, kPoints));
  REQUIRE(WaitFor([&] {
    const ExporterStats now = exporter->Stats();
    return now.sent + now.dropped == static_cast<uint64_t>(kRuns + 10) * kPoints;
  }));
  const auto stop_start = std::chrono::steady_clock::now();
  exporter->Stop(std::chrono::milliseconds(100));
  CHECK(std::chrono::steady_clock::now() - stop_start < std::chrono::milliseconds(500));
}

TEST_CASE("StatsdExporter: UDP to a port nobody listens on is counted as dropped",
          "[exporters][statsd]") {
  uint16_t port = 0;
  {
    DatagramReceiver gone = DatagramReceiver::Udp();
    port = gone.port();
  }
  auto loaded = LoadExporters("exporters:\n  - type: statsd\n    host: 127.0.0.1\n    port: " +
                              std::to_string(port) + "\n");
  ExporterPtr exporter = Take(loaded);
  exporter->Start();
  for (int i = 0; i < 200; ++i) {
    exporter->Offer(Run(i, 2));
    // Each run its own delivery, so the ICMP answer of one send fails a later one.
    WaitFor([&] {
      const ExporterStats s = exporter->Stats();
      return s.sent + s.dropped == static_cast<uint64_t>(i + 1) * 2;
    });
  }
  const ExporterStats stats = exporter->Stats();
  CHECK(stats.sent + stats.dropped == 400);
  CHECK(stats.dropped > 0);
  CHECK(stats.last_error.find("Connection refused") != std::string::npos);
  exporter->Stop(std::chrono::milliseconds(100));
}

TEST_CASE("StatsdExporter: config mistakes are reported with their place", "[exporters][statsd]") {
  auto loaded = LoadExporters(R"(exporters:
  - type: statsd
    tag_style: librato
    durations: timer
    max_packet_size: 10
    socket: /tmp/x.sock
    port: 8125
  - type: statsd
)",
                              {{"DD_DOGSTATSD_PORT", "eighty"}});
  const std::string errors = testing::Errors(loaded);
  CHECK(errors.find("exporters.yaml:3:16: exporters[0].tag_style: expected dogstatsd") !=
        std::string::npos);
  CHECK(errors.find("exporters[0].durations: expected timing") != std::string::npos);
  CHECK(errors.find("exporters[0].max_packet_size") != std::string::npos);
  CHECK(errors.find("exporters[0].socket: give either socket or host/port") != std::string::npos);
  CHECK(errors.find("DD_DOGSTATSD_PORT: expected a port") != std::string::npos);
  CHECK(errors.find("duplicate exporter name 'statsd'") != std::string::npos);
}

TEST_CASE("StatsdExporter: the Datadog variables give the defaults", "[exporters][statsd]") {
  auto loaded = LoadExporters("exporters:\n  - type: statsd\n", {{"DD_AGENT_HOST", "10.0.0.7"},
                                                                 {"DD_DOGSTATSD_PORT", "8126"},
                                                                 {"DD_ENV", "prod"},
                                                                 {"DD_VERSION", "1.2.3"}});
  ExporterPtr exporter = Take(loaded);
  const StatsdOptions& options = dynamic_cast<StatsdExporter&>(*exporter).options();
  CHECK(options.host == "10.0.0.7");
  CHECK(options.port == 8126);
  CHECK(options.socket_path.empty());
  CHECK(options.max_packet_size == kUdpPacketSize);
  CHECK(options.format.constant_tags == Labels{{"env", "prod"}, {"version", "1.2.3"}});
}

}  // namespace
}  // namespace sidecar::exporters::statsd
