// Owns time for the probes: runs each one every `interval` (fixed rate, first run after a small
// random offset so that many probes and many tasks do not fire together), enforces its deadline
// by cancelling it at `timeout`, never overlaps two runs of one probe, and feeds every result
// through the probe's HealthTracker. What happens with a result is the observer's business.
//
// Thread-safety: loop-thread only. Time comes from a Timers interface so tests drive it by hand.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/agent_config.h"
#include "agent/health/health_tracker.h"
#include "agent/loop/timers.h"
#include "probes/probe.h"

namespace sidecar {
class EventLoop;
class Resolver;
}  // namespace sidecar

namespace sidecar::scheduler {

// One finished run, as the observer sees it.
struct RunRecord {
  const config::ProbeConfig& probe;
  const probes::ProbeResult& result;
  Duration duration;
  health::ProbeState state;  // after thresholds
  bool state_changed;
  uint32_t failures_in_a_row;
};

class Scheduler {
 public:
  using Observer = std::function<void(const RunRecord&)>;
  using Random = std::function<double()>;  // uniform in [0, 1)

  // `loop` and `resolver` are handed to probes in their ProbeContext (null in unit tests with
  // fake probes). `timers` is usually the loop itself.
  Scheduler(Timers* timers, EventLoop* loop, Resolver* resolver, Observer observer, Random random);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts probing `probes` (taking ownership). Probes that existed before under the same name
  // and type keep their health state, so a reload does not make the agent "starting" again.
  // Runs in flight of the previous set are cancelled.
  void Start(std::vector<config::ProbeConfig> probes, TimePoint grace_until);

  // Cancels every run in flight and every timer. Idempotent.
  void Stop();

  const std::vector<config::ProbeConfig>& probes() const { return configs_; }

  // The longest the first run of a probe waits after Start().
  static constexpr Duration kMaxInitialDelay = std::chrono::seconds(1);

 private:
  struct Slot;

  void Launch(Slot& slot);
  void Finish(Slot& slot, probes::ProbeResult result);

  Timers* timers_;
  EventLoop* loop_;
  Resolver* resolver_;
  Observer observer_;
  Random random_;
  std::vector<config::ProbeConfig> configs_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// Runs every probe once, all at the same time, each bounded by its timeout, and returns the
// results in config order. Drives `loop` until all are done. For `agent --check` with no agent
// running.
std::vector<probes::ProbeResult> RunOnce(EventLoop& loop, Resolver& resolver,
                                         std::vector<config::ProbeConfig>& probes);

}  // namespace sidecar::scheduler
