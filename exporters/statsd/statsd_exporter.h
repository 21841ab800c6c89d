// The StatsD / DogStatsD exporter: every probe run becomes lines (statsd_format.h), packed into
// datagrams and sent over UDP or a Unix datagram socket (DogStatsD's dsd.socket).
//
// Sends are non-blocking: a full socket buffer (EAGAIN), an absent receiver (ECONNREFUSED,
// ENOENT) or any other send error drops the datagram and counts its points as dropped.
// Thread-safety: see QueuedExporter; the socket belongs to the worker thread.
#pragma once

#include <cstdint>
#include <string>

#include "agent/config/config_node.h"
#include "exporters/queued_exporter.h"
#include "exporters/statsd/statsd_format.h"

namespace sidecar::exporters::statsd {

inline constexpr size_t kUdpPacketSize = 1432;   // MTU 1500 without fragmentation
inline constexpr size_t kUnixPacketSize = 8192;  // the Datadog Agent's dogstatsd_buffer_size

struct StatsdOptions {
  Format format;
  std::string host = "127.0.0.1";  // UDP, when socket_path is empty
  uint16_t port = 8125;
  std::string socket_path;  // a Unix datagram socket; wins over host:port
  size_t max_packet_size = kUdpPacketSize;
};

class StatsdExporter final : public QueuedExporter {
 public:
  StatsdExporter(QueueOptions queue, StatsdOptions options);
  ~StatsdExporter() override;

  const StatsdOptions& options() const { return options_; }

 protected:
  void Deliver(std::vector<ProbeRun>& runs) override;

 private:
  bool Connect();  // worker thread; false (error counted) when there is no receiver
  void Close();

  const StatsdOptions options_;
  CounterDeltas deltas_;
  int fd_ = -1;
  TimePoint retry_connect_at_{};
};

// Reads the `statsd` keys of an exporters[] entry (host, port, socket, prefix, tags,
// tag_style, durations, max_packet_size) with the Datadog variables as defaults:
// DD_AGENT_HOST, DD_DOGSTATSD_PORT, DD_DOGSTATSD_SOCKET, DD_ENV/DD_SERVICE/DD_VERSION.
// Returns nullptr after recording every problem in `node`.
ExporterPtr CreateStatsdExporter(config::ConfigNode& node, QueueOptions queue);

}  // namespace sidecar::exporters::statsd
