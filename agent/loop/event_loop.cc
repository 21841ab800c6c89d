#include "agent/loop/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sidecar {
namespace {

// Reserved epoll cookie for the wake-up eventfd; watch ids start at 1.
constexpr uint64_t kWakeCookie = 0;

uint32_t ToEpoll(uint32_t events) {
  uint32_t out = 0;
  if (events & EventLoop::kReadable) out |= EPOLLIN | EPOLLRDHUP;
  if (events & EventLoop::kWritable) out |= EPOLLOUT;
  return out;
}

uint32_t FromEpoll(uint32_t events) {
  uint32_t out = 0;
  if (events & (EPOLLIN | EPOLLRDHUP)) out |= EventLoop::kReadable;
  if (events & EPOLLOUT) out |= EventLoop::kWritable;
  if (events & (EPOLLERR | EPOLLHUP)) out |= EventLoop::kError;
  return out;
}

}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    // Without these the process cannot do anything useful; this only happens out of fds.
    std::abort();
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeCookie;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  last_iteration_ns_ = Clock::now().time_since_epoch().count();
}

EventLoop::~EventLoop() {
  close(wake_fd_);
  close(epoll_fd_);
}

TimerId EventLoop::AddTimer(Duration after, std::function<void()> callback) {
  const TimerId id = next_id_++;
  const TimePoint due = Clock::now() + std::max(after, Duration::zero());
  timers_.emplace(std::make_pair(due, id), std::move(callback));
  timer_due_.emplace(id, due);
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) {
    return;
  }
  timers_.erase(std::make_pair(it->second, id));
  timer_due_.erase(it);
}

EventLoop::WatchId EventLoop::Watch(int fd, uint32_t events, IoCallback callback) {
  const WatchId id = next_id_++;
  epoll_event event{};
  event.events = ToEpoll(events);
  event.data.u64 = id;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    return 0;
  }
  watches_.emplace(id, WatchEntry{fd, std::move(callback)});
  return id;
}

void EventLoop::Modify(WatchId id, uint32_t events) {
  auto it = watches_.find(id);
  if (it == watches_.end()) {
    return;
  }
  epoll_event event{};
  event.events = ToEpoll(events);
  event.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, it->second.fd, &event);
}

void EventLoop::Unwatch(WatchId id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) {
    return;
  }
  // The fd may already be closed by its owner; EBADF/ENOENT are fine then.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second.fd, nullptr);
  watches_.erase(it);
}

void EventLoop::Post(std::function<void()> callback) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(callback));
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Stop() {
  stopping_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

void EventLoop::Run() {
  while (!stopping_) {
    RunOnce(std::chrono::seconds(1));
  }
}

int EventLoop::MillisUntilNextTimer(Duration max_wait) const {
  Duration wait = max_wait;
  if (!timers_.empty()) {
    wait = std::min(wait, timers_.begin()->first.first - Clock::now());
  }
  if (wait <= Duration::zero()) {
    return 0;
  }
  // Round up so a timer is never woken for just before it is due.
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void EventLoop::RunOnce(Duration max_wait) {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  const int timeout_ms = MillisUntilNextTimer(max_wait);
  const int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
  for (int i = 0; i < n; ++i) {
    const uint64_t id = events[i].data.u64;
    if (id == kWakeCookie) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof(count));
      continue;
    }
    auto it = watches_.find(id);
    if (it == watches_.end()) {
      continue;  // unwatched by an earlier callback in this batch
    }
    // Copy: the callback may unwatch itself, which destroys the stored function.
    IoCallback callback = it->second.callback;
    callback(FromEpoll(events[i].events));
  }
  RunPosted();
  RunTimers();
  last_iteration_ns_ = Clock::now().time_since_epoch().count();
}

void EventLoop::RunTimers() {
  const TimePoint now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    node.mapped()();
  }
}

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    work.swap(posted_);
  }
  for (auto& callback : work) {
    callback();
  }
}

}  // namespace sidecar
