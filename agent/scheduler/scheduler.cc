#include "agent/scheduler/scheduler.h"

#include <algorithm>
#include <map>

#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"

namespace sidecar::scheduler {

struct Scheduler::Slot {
  Slot(size_t i, health::HealthTracker t) : index(i), tracker(t) {}

  size_t index;
  health::HealthTracker tracker;
  TimerId next_timer = 0;
  TimerId deadline_timer = 0;
  bool running = false;
  uint64_t run = 0;  // tells a late callback of an abandoned run from the current one
  TimePoint started;
};

namespace {

probes::ProbeResult TimeoutResult(Duration timeout) {
  return probes::ProbeResult::Failed("timeout", "timeout after " + FormatDuration(timeout));
}

}  // namespace

Scheduler::Scheduler(Timers* timers, EventLoop* loop, Resolver* resolver, Observer observer,
                     Random random)
    : timers_(timers),
      loop_(loop),
      resolver_(resolver),
      observer_(std::move(observer)),
      random_(std::move(random)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Stop() {
  for (auto& slot : slots_) {
    timers_->CancelTimer(slot->next_timer);
    timers_->CancelTimer(slot->deadline_timer);
    if (slot->running) {
      slot->running = false;
      ++slot->run;
      configs_[slot->index].probe->Cancel();
    }
  }
}

void Scheduler::Start(std::vector<config::ProbeConfig> probes, TimePoint grace_until) {
  Stop();
  std::map<std::string, std::unique_ptr<Slot>> previous;
  for (auto& slot : slots_) {
    const config::ProbeConfig& old = configs_[slot->index];
    previous[old.name + "\n" + old.type] = std::move(slot);
  }
  // The old probes are destroyed only after their runs were cancelled above.
  slots_.clear();
  configs_ = std::move(probes);
  for (size_t i = 0; i < configs_.size(); ++i) {
    auto slot =
        std::make_unique<Slot>(i, health::HealthTracker(configs_[i].thresholds, grace_until));
    auto old = previous.find(configs_[i].name + "\n" + configs_[i].type);
    if (old != previous.end()) {
      slot->tracker.CarryOver(old->second->tracker);
    }
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) {
    const Duration spread = std::min<Duration>(kMaxInitialDelay, configs_[slot->index].interval);
    const auto delay = std::chrono::duration_cast<Duration>(spread * random_());
    Slot* s = slot.get();
    s->next_timer = timers_->AddTimer(delay, [this, s] { Launch(*s); });
  }
}

void Scheduler::Launch(Slot& slot) {
  config::ProbeConfig& config = configs_[slot.index];
  slot.next_timer = 0;
  slot.running = true;
  slot.started = timers_->Now();
  const uint64_t run = ++slot.run;
  slot.deadline_timer = timers_->AddTimer(config.timeout, [this, &slot, run] {
    slot.deadline_timer = 0;
    if (slot.run != run || !slot.running) {
      return;
    }
    configs_[slot.index].probe->Cancel();
    Finish(slot, TimeoutResult(configs_[slot.index].timeout));
  });
  const probes::ProbeContext context{loop_, resolver_, slot.started + config.timeout};
  config.probe->Start(context, [this, &slot, run](probes::ProbeResult result) {
    if (slot.run != run || !slot.running) {
      return;  // cancelled: the deadline or a reload got there first
    }
    Finish(slot, std::move(result));
  });
}

void Scheduler::Finish(Slot& slot, probes::ProbeResult result) {
  const config::ProbeConfig& config = configs_[slot.index];
  slot.running = false;
  timers_->CancelTimer(slot.deadline_timer);
  slot.deadline_timer = 0;
  const TimePoint now = timers_->Now();
  const bool changed = slot.tracker.Record(result.verdict, now);
  observer_(RunRecord{config, result, now - slot.started, slot.tracker.state(), changed,
                      slot.tracker.failures_in_a_row()});
  // Fixed rate: the next run starts one interval after this one started.
  const Duration wait = std::max(Duration::zero(), slot.started + config.interval - now);
  Slot* s = &slot;
  slot.next_timer = timers_->AddTimer(wait, [this, s] { Launch(*s); });
}

std::vector<probes::ProbeResult> RunOnce(EventLoop& loop, Resolver& resolver,
                                         std::vector<config::ProbeConfig>& probes) {
  std::vector<probes::ProbeResult> results(probes.size());
  std::vector<bool> done(probes.size(), false);
  size_t remaining = probes.size();
  std::vector<TimerId> deadlines(probes.size(), 0);
  for (size_t i = 0; i < probes.size(); ++i) {
    const Duration timeout = probes[i].timeout;
    auto finish = [&, i](probes::ProbeResult result) {
      if (done[i]) return;
      done[i] = true;
      --remaining;
      loop.CancelTimer(deadlines[i]);
      results[i] = std::move(result);
    };
    deadlines[i] = loop.AddTimer(timeout, [&, i, timeout, finish] {
      if (done[i]) return;
      probes[i].probe->Cancel();
      finish(TimeoutResult(timeout));
    });
    probes[i].probe->Start(probes::ProbeContext{&loop, &resolver, loop.Now() + timeout}, finish);
  }
  while (remaining > 0) {
    loop.RunOnce(std::chrono::milliseconds(100));
  }
  return results;
}

}  // namespace sidecar::scheduler
