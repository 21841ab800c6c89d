#include "agent/loop/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace sidecar {
namespace {

Result<std::vector<Address>> GetAddrInfo(const std::string& host, uint16_t port,
                                         IpPreference preference, bool numeric_only) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = preference == IpPreference::kIpv4   ? AF_INET
                    : preference == IpPreference::kIpv6 ? AF_INET6
                                                        : AF_UNSPEC;
  hints.ai_flags = AI_ADDRCONFIG | (numeric_only ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    if (numeric_only && rc == EAI_NONAME) {
      return Status::NotFound("not numeric");
    }
    return Status::Unavailable("resolve " + host + ": " + gai_strerror(rc));
  }
  std::vector<Address> out;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    Address address;
    std::memcpy(&address.storage, ai->ai_addr, ai->ai_addrlen);
    address.length = ai->ai_addrlen;
    address.family = ai->ai_family;
    out.push_back(address);
  }
  freeaddrinfo(list);
  if (out.empty()) {
    return Status::Unavailable("resolve " + host + ": no addresses");
  }
  return out;
}

}  // namespace

std::string Address::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, text,
              sizeof(text));
  } else if (family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

Result<std::vector<Address>> ResolveBlocking(const std::string& host, uint16_t port,
                                             IpPreference preference) {
  return GetAddrInfo(host, port, preference, /*numeric_only=*/false);
}

// State shared with the workers, which may outlive the Resolver.
struct Resolver::Core {
  struct Job {
    LookupId id;
    std::string host;
    uint16_t port;
    IpPreference preference;
    Callback callback;
  };

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<Job> queue;
  EventLoop* loop;                    // null once the Resolver is gone; guarded by mutex
  std::unordered_set<LookupId> live;  // loop-thread only
};

Resolver::Resolver(EventLoop* loop, int threads) : core_(std::make_shared<Core>()) {
  core_->loop = loop;
  for (int i = 0; i < threads; ++i) {
    std::thread(WorkerMain, core_).detach();
  }
}

Resolver::~Resolver() {
  std::lock_guard<std::mutex> lock(core_->mutex);
  core_->loop = nullptr;
  core_->queue.clear();
  core_->live.clear();
  core_->cv.notify_all();
}

Resolver::LookupId Resolver::Lookup(const std::string& host, uint16_t port, IpPreference preference,
                                    Callback callback) {
  const LookupId id = next_id_++;
  core_->live.insert(id);
  auto numeric = GetAddrInfo(host, port, preference, /*numeric_only=*/true);
  if (numeric.ok() || numeric.status().code() != Status::Code::kNotFound) {
    Deliver(core_, id, std::move(callback), std::move(numeric));
    return id;
  }
  {
    std::lock_guard<std::mutex> lock(core_->mutex);
    if (core_->queue.size() < kMaxPending) {
      core_->queue.push_back(Core::Job{id, host, port, preference, std::move(callback)});
      core_->cv.notify_one();
      return id;
    }
  }
  Deliver(core_, id, std::move(callback),
          Status::Unavailable("resolve " + host + ": too many lookups in flight"));
  return id;
}

void Resolver::Cancel(LookupId id) { core_->live.erase(id); }

void Resolver::Deliver(const std::shared_ptr<Core>& core, LookupId id, Callback callback,
                       Result<std::vector<Address>> result) {
  std::lock_guard<std::mutex> lock(core->mutex);
  if (core->loop == nullptr) {
    return;  // the resolver is gone
  }
  core->loop->Post(
      [core, id, callback = std::move(callback), result = std::move(result)]() mutable {
        if (core->live.erase(id) == 0) {
          return;  // cancelled
        }
        callback(std::move(result));
      });
}

void Resolver::WorkerMain(std::shared_ptr<Core> core) {
  for (;;) {
    Core::Job job;
    {
      std::unique_lock<std::mutex> lock(core->mutex);
      core->cv.wait(lock, [&core] { return core->loop == nullptr || !core->queue.empty(); });
      if (core->loop == nullptr) {
        return;
      }
      job = std::move(core->queue.front());
      core->queue.pop_front();
    }
    auto result = GetAddrInfo(job.host, job.port, job.preference, /*numeric_only=*/false);
    Deliver(core, job.id, std::move(job.callback), std::move(result));
  }
}

}  // namespace sidecar
