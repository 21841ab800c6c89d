// The time source and one-shot timers the scheduler needs, as an interface so that tests can
// drive time by hand (tests/support/fake_timers.h) and assert exact timer values.
// Implementations say their own thread-safety; EventLoop's are loop-thread only.
#pragma once

#include <cstdint>
#include <functional>

#include "agent/common/duration.h"

namespace sidecar {

using TimerId = uint64_t;

class Timers {
 public:
  virtual ~Timers() = default;
  virtual TimePoint Now() const = 0;
  // Calls `callback` once, `after` from now. The id is never 0.
  virtual TimerId AddTimer(Duration after, std::function<void()> callback) = 0;
  // Cancels a pending timer; a no-op for one that fired or was cancelled already.
  virtual void CancelTimer(TimerId id) = 0;
};

}  // namespace sidecar
