// Name resolution that never blocks the loop: getaddrinfo runs on a small worker pool and the
// answer is posted back to the loop. libpq and hiredis resolve with a blocking getaddrinfo, so
// probes resolve here first and hand the library an address.
//
// Thread-safety: Lookup() and Cancel() are loop-thread only; callbacks run on the loop thread.
// A lookup that outlives its probe is cancelled; its worker finishes in the background and the
// answer is dropped. The queue is bounded: past kMaxPending lookups fail at once. Destruction
// never waits for a worker stuck in getaddrinfo (a hung DNS server must not delay shutdown):
// workers are detached and drop their answer once the resolver is gone.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/common/status.h"
#include "agent/loop/event_loop.h"

namespace sidecar {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = 0;
  std::string ToString() const;  // "10.0.0.5" or "::1", without port
};

enum class IpPreference { kAny, kIpv4, kIpv6 };

class Resolver {
 public:
  using LookupId = uint64_t;
  using Callback = std::function<void(Result<std::vector<Address>>)>;
  static constexpr size_t kMaxPending = 1024;

  explicit Resolver(EventLoop* loop, int threads = 2);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Resolves host and port; the callback runs once on the loop thread, unless cancelled.
  // Numeric addresses are answered without a worker, still through the loop.
  LookupId Lookup(const std::string& host, uint16_t port, IpPreference preference,
                  Callback callback);
  void Cancel(LookupId id);

 private:
  struct Core;

  static void WorkerMain(std::shared_ptr<Core> core);
  static void Deliver(const std::shared_ptr<Core>& core, LookupId id, Callback callback,
                      Result<std::vector<Address>> result);

  std::shared_ptr<Core> core_;
  LookupId next_id_ = 1;  // loop-thread only
};

// Resolves synchronously (for `agent --check` without a running agent and for tests).
Result<std::vector<Address>> ResolveBlocking(const std::string& host, uint16_t port,
                                             IpPreference preference);

}  // namespace sidecar
