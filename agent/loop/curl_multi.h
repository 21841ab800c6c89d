// libcurl's multi interface driven by the agent's EventLoop: curl tells us which sockets and
// which single timeout it wants (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION), the loop
// watches them and hands readiness back through curl_multi_socket_action, so any number of
// transfers share the loop thread without blocking it. Generic: HTTP probes, push exporters and
// notifiers submit a configured easy handle with a completion callback and may cancel it.
//
// Connection reuse: finished transfers leave their connection in this multi handle's cache, so a
// caller that keeps one CurlMulti (and resubmits its easy handle) gets keep-alive for free.
//
// Thread-safety: loop thread only. The easy handles stay owned by the caller; a submitted handle
// must outlive its transfer (until the completion callback ran or Cancel() returned).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "agent/loop/event_loop.h"

namespace sidecar {

class CurlMulti {
 public:
  using TransferId = uint64_t;
  // The transfer's result code; called once on the loop thread, never after Cancel().
  using Completion = std::function<void(CURLcode)>;

  explicit CurlMulti(EventLoop* loop);
  // Abandons every transfer in flight (their callbacks are not called) and closes the cached
  // connections. The loop must still be alive.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts `easy` (its options set by the caller). Returns 0 and calls nothing when curl
  // refuses the handle (already in a multi handle), else an id for Cancel().
  TransferId Submit(CURL* easy, Completion done);
  // Stops the transfer; its completion is not called. A no-op for unknown or finished ids.
  void Cancel(TransferId id);

  size_t in_flight() const { return transfers_.size(); }
  // No transfer, watch or timer left on the loop: destroying this object then touches nothing
  // of the loop (so an idle CurlMulti may outlive it, as in `agent --check`).
  bool quiescent() const { return transfers_.empty() && watches_.empty() && timer_ == 0; }
  EventLoop* loop() const { return loop_; }

 private:
  struct Transfer {
    CURL* easy;
    Completion done;
  };

  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  void Act(curl_socket_t fd, int flags);
  void CollectDone();

  EventLoop* loop_;
  CURLM* multi_;
  TimerId timer_ = 0;
  std::map<curl_socket_t, EventLoop::WatchId> watches_;
  std::map<TransferId, Transfer> transfers_;
  std::map<CURL*, TransferId> ids_;  // transfers still in the multi handle
  TransferId next_id_ = 1;
  // Cleared in the destructor: a completion that destroys this object stops the loop over
  // finished transfers.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sidecar
