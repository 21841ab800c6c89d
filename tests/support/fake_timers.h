// Timers driven by hand: tests advance time and assert exact timer values, with no sleeps.
// Thread-compatible (tests are single-threaded).
#pragma once

#include <functional>
#include <map>
#include <utility>

#include "agent/loop/timers.h"

namespace sidecar::testing {

class FakeTimers : public Timers {
 public:
  TimePoint Now() const override { return now_; }

  TimerId AddTimer(Duration after, std::function<void()> callback) override {
    const TimerId id = next_id_++;
    timers_.emplace(std::make_pair(now_ + after, id), std::move(callback));
    return id;
  }

  void CancelTimer(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  // Moves time forward by `step`, firing every timer that falls due, in order.
  void Advance(Duration step) {
    const TimePoint end = now_ + step;
    while (!timers_.empty() && timers_.begin()->first.first <= end) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key().first;
      node.mapped()();
    }
    now_ = end;
  }

  size_t pending() const { return timers_.size(); }
  // When the earliest pending timer is due (TimePoint::max() when none).
  TimePoint NextDue() const {
    return timers_.empty() ? TimePoint::max() : timers_.begin()->first.first;
  }

 private:
  TimePoint now_ = TimePoint(std::chrono::hours(1000));
  TimerId next_id_ = 1;
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> timers_;
};

}  // namespace sidecar::testing
