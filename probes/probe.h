// The one interface every probe implements, and the facts a probe reports.
//
// A probe does one exchange with one target and reports facts: a verdict, a short reason, a
// bounded failure kind, and named samples. It does not schedule itself, keep health state or
// touch metrics; the scheduler (agent/scheduler) owns intervals, deadlines and cancellation.
//
// Threading: every method and callback runs on the loop thread. A probe wraps its C library's
// socket for the loop (EventLoop::Watch) instead of blocking it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/common/duration.h"

namespace sidecar {
class EventLoop;
class Resolver;
}  // namespace sidecar

namespace sidecar::probes {

enum class Verdict { kHealthy, kDegraded, kUnhealthy };

const char* VerdictName(Verdict verdict);  // "healthy", "degraded", "unhealthy"

enum class MetricType {
  kGauge,
  kCounter,  // the sample is a cumulative total as read from the target (e.g. cpu.stat usage);
             // the name ends in _total and the store exports it as a counter
};

// A metric a probe may report. Defined once per probe type as a constant; the metric store
// registers the family on first use. `name` follows Prometheus naming (promtool clean).
struct MetricDef {
  const char* name;
  const char* help;
  MetricType type = MetricType::kGauge;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  const MetricDef* metric;
  Labels labels;  // beyond `probe` and `type`, which the agent adds
  double value;
};

struct ProbeResult {
  Verdict verdict = Verdict::kUnhealthy;
  // For humans, in /health and `agent --check`: "connect: connection refused". Must never hold
  // a secret; the agent redacts known secrets again before showing it.
  std::string reason;
  // Bounded label for failure counters: "timeout", "resolve", "connect", "tls", "auth",
  // "protocol", "query", "threshold", ... Empty when healthy.
  std::string failure;
  std::vector<Sample> samples;

  static ProbeResult Healthy() { return ProbeResult{Verdict::kHealthy, "", "", {}}; }
  static ProbeResult Failed(std::string failure, std::string reason) {
    return ProbeResult{Verdict::kUnhealthy, std::move(reason), std::move(failure), {}};
  }
};

struct ProbeContext {
  EventLoop* loop;
  Resolver* resolver;
  TimePoint deadline;  // the scheduler cancels the probe then; probes may use it for hints
};

class Probe {
 public:
  using Done = std::function<void(ProbeResult)>;

  virtual ~Probe() = default;

  // Starts one exchange. `done` is called exactly once, on the loop thread, possibly from inside
  // Start() for probes that need no I/O wait (cpu, memory, disk). Never called after Cancel().
  // REQUIRES: no exchange in flight (the scheduler never overlaps runs of one probe).
  virtual void Start(const ProbeContext& ctx, Done done) = 0;

  // Abandons the exchange in flight: closes sockets, unwatches fds, cancels lookups. Idempotent;
  // a no-op when nothing is in flight.
  virtual void Cancel() = 0;

  // The target without secrets, for /health and logs: "postgres://app:***@db:5432/orders".
  virtual std::string Target() const = 0;
};

using ProbePtr = std::unique_ptr<Probe>;

}  // namespace sidecar::probes
