// The one interface every push exporter implements, and the copy of a probe run it receives.
//
// The agent hands every probe run to every exporter on the loop thread (Offer). An exporter
// never blocks there: it copies the run into its own bounded queue (dropping, and counting,
// when full) and does its I/O on its own worker thread, with a bound and a timeout.
//
// Threading: Offer, Start and Stop are called on the loop thread; Stats from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/common/duration.h"

namespace sidecar::exporters {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class PointKind {
  kGauge,
  kCounter,   // a cumulative total as read from the target; exporters turn it into what their
              // format wants (a StatsD count of the increase, an OTLP cumulative Sum)
  kDuration,  // seconds; a timing/histogram/distribution where the format has one
};

// One value of one metric, named as on /metrics ("probe_http_status_code").
struct MetricPoint {
  std::string name;
  PointKind kind = PointKind::kGauge;
  Labels labels;  // beyond the run's labels (e.g. phase="connect")
  double value = 0;
};

// An owned copy of one probe run: what every exporter receives.
struct ProbeRun {
  std::string probe;                          // the configured name
  std::string type;                           // "postgres"
  std::map<std::string, std::string> labels;  // constant labels of the agent and the probe
  int64_t unix_ms = 0;                        // when the run ended
  std::vector<MetricPoint> points;            // probe_success, probe_duration_seconds, samples
};

// What an exporter tells about itself, in points (one value of one metric).
struct ExporterStats {
  uint64_t sent = 0;           // points handed to the receiver
  uint64_t dropped = 0;        // points dropped: queue full, socket buffer full, gave up retrying
  uint64_t errors = 0;         // failed deliveries (a send error, an HTTP error answer, a timeout)
  std::string last_error;      // empty when there was none; never holds a secret
  double last_error_unix = 0;  // 0: never
};

class Exporter {
 public:
  virtual ~Exporter() = default;

  virtual const std::string& name() const = 0;  // configured name, the `exporter` label
  virtual const std::string& type() const = 0;  // "statsd", "emf", ...

  // Starts the worker. Called once, after the config was accepted.
  virtual void Start() = 0;
  // Copies `run` into the queue; never blocks on I/O.
  virtual void Offer(const ProbeRun& run) = 0;
  // Delivers what it can within `budget`, then stops the worker. Idempotent.
  virtual void Stop(Duration budget) = 0;

  virtual ExporterStats Stats() const = 0;
};

using ExporterPtr = std::unique_ptr<Exporter>;

}  // namespace sidecar::exporters
