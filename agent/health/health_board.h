// The health of the agent as /health, /readyz and `agent --check` show it: an immutable
// snapshot the loop thread publishes after every probe run, and any thread reads without
// waiting on a probe.
//
// Thread-safety: HealthBoard is thread-safe (a mutex around a shared_ptr swap; readers keep
// their snapshot alive while they render it). Snapshots are immutable once published.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/status.h"
#include "agent/health/health_tracker.h"

namespace sidecar::health {

struct ProbeView {
  std::string name;
  std::string type;
  std::string target;  // redacted
  bool critical = false;
  ProbeState state = ProbeState::kStarting;
  std::string reason;  // why the last run was not healthy; empty when it was
  double duration_seconds = 0;
  double last_check_unix = 0;    // 0: never ran
  double last_success_unix = 0;  // 0: never succeeded
  uint32_t failures_in_a_row = 0;
};

// A push exporter as /health shows it. Exporters never change readiness.
struct ExporterView {
  std::string name;
  std::string type;
  uint64_t sent = 0;
  uint64_t dropped = 0;
  uint64_t errors = 0;
  std::string last_error;  // redacted; empty when there was none
  double last_error_unix = 0;
};

// A pending or firing alert of the agent's own rules, as /health lists it. Alerts never
// change readiness: they are for people and notifiers.
struct AlertView {
  std::string name;                           // alertname
  std::string state;                          // "pending" or "firing"
  std::map<std::string, std::string> labels;  // without alertname
  std::string summary;                        // the summary annotation, when there is one
  double active_since_unix = 0;
  double value = 0;
};

struct HealthSnapshot {
  std::vector<ProbeView> probes;
  std::vector<ExporterView> exporters;
  std::vector<AlertView> alerts;
  ProbeState overall = ProbeState::kStarting;
  bool ready = false;
  int degraded_status_code = 200;
};

// Critical probes decide readiness: any unhealthy -> unhealthy; any still starting -> starting.
// Otherwise a non-critical failure or any degraded probe makes the agent degraded, and ready.
void Summarize(HealthSnapshot& snapshot);

// The HTTP status /health and /readyz answer with: 200 when ready (or the configured code when
// degraded), 503 otherwise.
int HttpStatusFor(const HealthSnapshot& snapshot);

class HealthBoard {
 public:
  HealthBoard() : current_(std::make_shared<const HealthSnapshot>()) {}
  void Publish(std::shared_ptr<const HealthSnapshot> snapshot);
  std::shared_ptr<const HealthSnapshot> Current() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const HealthSnapshot> current_;
};

struct AgentFacts {
  std::string version;
  double uptime_seconds = 0;
};

// The /health body: overall status, readiness, version, uptime and every probe.
std::string RenderHealthJson(const HealthSnapshot& snapshot, const AgentFacts& facts);

// Reads a /health body back (what `agent --check` gets from a running agent). Unknown fields
// are ignored; a body that is not the agent's JSON is an error.
Result<HealthSnapshot> ParseHealthJson(std::string_view body);

// `agent --check` output: one line for the verdict, then one per probe that is not healthy.
std::string RenderCheckSummary(const HealthSnapshot& snapshot);

}  // namespace sidecar::health
