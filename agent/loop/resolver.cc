#include "agent/loop/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

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

Resolver::Resolver(EventLoop* loop, int threads) : loop_(loop) {
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { WorkerMain(); });
  }
}

Resolver::~Resolver() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  // A worker stuck in getaddrinfo holds only its own copies; waiting for it is bounded by the
  // resolver's own timeout (resolv.conf), which is acceptable at shutdown.
  for (std::thread& worker : workers_) {
    worker.join();
  }
}

Resolver::LookupId Resolver::Lookup(const std::string& host, uint16_t port,
                                    IpPreference preference, Callback callback) {
  const LookupId id = next_id_++;
  live_.insert(id);
  auto numeric = GetAddrInfo(host, port, preference, /*numeric_only=*/true);
  if (numeric.ok() || numeric.status().code() != Status::Code::kNotFound) {
    Deliver(id, std::move(callback), std::move(numeric));
    return id;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= kMaxPending) {
      Deliver(id, std::move(callback),
              Status::Unavailable("resolve " + host + ": too many lookups in flight"));
      return id;
    }
    queue_.push_back(Job{id, host, port, preference, std::move(callback)});
  }
  cv_.notify_one();
  return id;
}

void Resolver::Cancel(LookupId id) { live_.erase(id); }

void Resolver::Deliver(LookupId id, Callback callback, Result<std::vector<Address>> result) {
  loop_->Post([this, id, callback = std::move(callback), result = std::move(result)]() mutable {
    if (live_.erase(id) == 0) {
      return;  // cancelled
    }
    callback(std::move(result));
  });
}

void Resolver::WorkerMain() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    auto result = GetAddrInfo(job.host, job.port, job.preference, /*numeric_only=*/false);
    Deliver(job.id, std::move(job.callback), std::move(result));
  }
}

}  // namespace sidecar
