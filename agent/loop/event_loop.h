// One epoll event loop: timers, file-descriptor readiness and work posted from other threads.
// Probes hand their C library's socket to it (redis `ae` style) instead of blocking a thread.
//
// Thread-safety: Post() and Stop() may be called from any thread; everything else only on the
// thread that runs Run(). Callbacks run on that thread and may add or remove watches and timers,
// their own included.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "agent/common/status.h"
#include "agent/loop/timers.h"

namespace sidecar {

class EventLoop : public Timers {
 public:
  // Readiness bits passed to watch callbacks (a subset of what was asked, plus kError).
  static constexpr uint32_t kReadable = 1;
  static constexpr uint32_t kWritable = 2;
  static constexpr uint32_t kError = 4;

  using WatchId = uint64_t;
  using IoCallback = std::function<void(uint32_t ready)>;

  EventLoop();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  TimePoint Now() const override { return Clock::now(); }
  TimerId AddTimer(Duration after, std::function<void()> callback) override;
  void CancelTimer(TimerId id) override;

  // Watches `fd` for `events` (kReadable | kWritable). Returns 0 and logs nothing when epoll
  // refuses the fd (the caller reports it as its own failure).
  WatchId Watch(int fd, uint32_t events, IoCallback callback);
  // Changes the events of a live watch.
  void Modify(WatchId id, uint32_t events);
  // Stops a watch. Events already collected for it are not delivered. Does not close the fd.
  void Unwatch(WatchId id);

  // Runs `callback` on the loop thread soon. Thread-safe.
  void Post(std::function<void()> callback);

  // Runs until Stop(). Returns at once if Stop() was called before.
  void Run();
  // Runs ready work once, waiting at most `max_wait`. For tests and `agent --check`.
  void RunOnce(Duration max_wait);
  // Thread-safe.
  void Stop();

  // Monotonic time of the last completed iteration; /livez reads it from another thread.
  TimePoint last_iteration() const { return TimePoint(Duration(last_iteration_ns_.load())); }

 private:
  struct WatchEntry {
    int fd;
    IoCallback callback;
  };

  void RunTimers();
  void RunPosted();
  int MillisUntilNextTimer(Duration max_wait) const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> last_iteration_ns_{0};

  uint64_t next_id_ = 1;
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, TimePoint> timer_due_;
  std::unordered_map<WatchId, WatchEntry> watches_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace sidecar
