#include "agent/loop/curl_multi.h"

#include <mutex>
#include <utility>
#include <vector>

#include "agent/common/duration.h"

namespace sidecar {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

uint32_t LoopEvents(int what) {
  switch (what) {
    case CURL_POLL_IN:
      return EventLoop::kReadable;
    case CURL_POLL_OUT:
      return EventLoop::kWritable;
    case CURL_POLL_INOUT:
      return EventLoop::kReadable | EventLoop::kWritable;
    default:
      return 0;
  }
}

}  // namespace

CurlMulti::CurlMulti(EventLoop* loop) : loop_(loop) {
  GlobalInitOnce();
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  *alive_ = false;
  for (auto& [easy, id] : ids_) {
    curl_multi_remove_handle(multi_, easy);
  }
  ids_.clear();
  transfers_.clear();
  curl_multi_cleanup(multi_);  // may still report sockets as removed: the maps are valid
  for (auto& [fd, watch] : watches_) {
    loop_->Unwatch(watch);
  }
  watches_.clear();
  if (timer_ != 0) {
    loop_->CancelTimer(timer_);
  }
  // Nothing above touched the loop when the multi handle was quiescent.
}

CurlMulti::TransferId CurlMulti::Submit(CURL* easy, Completion done) {
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    return 0;
  }
  const TransferId id = next_id_++;
  transfers_.emplace(id, Transfer{easy, std::move(done)});
  ids_[easy] = id;
  return id;  // curl asked for a 0 ms timeout: the transfer starts from the loop, not here
}

void CurlMulti::Cancel(TransferId id) {
  auto it = transfers_.find(id);
  if (it == transfers_.end()) {
    return;
  }
  CURL* easy = it->second.easy;
  transfers_.erase(it);
  auto by_easy = ids_.find(easy);
  if (by_easy != ids_.end() && by_easy->second == id) {
    ids_.erase(by_easy);
    curl_multi_remove_handle(multi_, easy);  // else it finished and was removed already
  }
}

int CurlMulti::OnSocket(CURL*, curl_socket_t fd, int what, void* self_ptr, void*) {
  auto* self = static_cast<CurlMulti*>(self_ptr);
  auto it = self->watches_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it != self->watches_.end()) {
      self->loop_->Unwatch(it->second);
      self->watches_.erase(it);
    }
    return 0;
  }
  const uint32_t events = LoopEvents(what);
  if (it != self->watches_.end()) {
    self->loop_->Modify(it->second, events);
    return 0;
  }
  const EventLoop::WatchId watch = self->loop_->Watch(fd, events, [self, fd](uint32_t ready) {
    int flags = 0;
    if (ready & EventLoop::kReadable) flags |= CURL_CSELECT_IN;
    if (ready & EventLoop::kWritable) flags |= CURL_CSELECT_OUT;
    if (ready & EventLoop::kError) flags |= CURL_CSELECT_ERR;
    self->Act(fd, flags);
  });
  if (watch == 0) {
    return -1;  // curl fails the transfers on this socket
  }
  self->watches_.emplace(fd, watch);
  return 0;
}

int CurlMulti::OnTimer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<CurlMulti*>(self_ptr);
  if (self->timer_ != 0) {
    self->loop_->CancelTimer(self->timer_);
    self->timer_ = 0;
  }
  if (timeout_ms < 0) {
    return 0;
  }
  self->timer_ = self->loop_->AddTimer(std::chrono::milliseconds(timeout_ms), [self] {
    self->timer_ = 0;
    self->Act(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

void CurlMulti::Act(curl_socket_t fd, int flags) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, flags, &running);
  CollectDone();
}

void CurlMulti::CollectDone() {
  // Take every finished transfer first: a completion may submit, cancel or destroy us.
  std::vector<std::pair<TransferId, CURLcode>> finished;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) {
      continue;
    }
    CURL* easy = message->easy_handle;
    auto by_easy = ids_.find(easy);
    if (by_easy != ids_.end()) {
      finished.emplace_back(by_easy->second, message->data.result);
      ids_.erase(by_easy);
    }
    curl_multi_remove_handle(multi_, easy);
  }
  const std::shared_ptr<bool> alive = alive_;
  for (const auto& [id, code] : finished) {
    if (!*alive) {
      return;
    }
    auto it = transfers_.find(id);
    if (it == transfers_.end()) {
      continue;  // cancelled by an earlier completion of this batch
    }
    Completion done = std::move(it->second.done);
    transfers_.erase(it);
    done(code);
  }
}

}  // namespace sidecar
