#include "exporters/statsd/statsd_exporter.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sidecar::exporters::statsd {
namespace {

constexpr auto kReconnectDelay = std::chrono::seconds(1);

std::string ErrnoText(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

}  // namespace

StatsdExporter::StatsdExporter(QueueOptions queue, StatsdOptions options)
    : QueuedExporter(std::move(queue)), options_(std::move(options)) {}

StatsdExporter::~StatsdExporter() {
  Stop(Duration::zero());
  Close();
}

void StatsdExporter::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool StatsdExporter::Connect() {
  if (fd_ >= 0) return true;
  if (Clock::now() < retry_connect_at_) return false;
  retry_connect_at_ = Clock::now() + kReconnectDelay;
  if (!options_.socket_path.empty()) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (options_.socket_path.size() >= sizeof(address.sun_path)) {
      CountError("socket path is too long: " + options_.socket_path);
      return false;
    }
    std::memcpy(address.sun_path, options_.socket_path.data(), options_.socket_path.size());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      CountError(ErrnoText(("connect " + options_.socket_path).c_str(), errno));
      Close();
      return false;
    }
    return true;
  }
  // On the worker thread, so a slow lookup never holds the loop.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  const int rc = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    CountError("resolve " + options_.host + ": " + gai_strerror(rc));
    return false;
  }
  fd_ = socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  // A connected UDP socket reports an absent receiver (ICMP port unreachable) as ECONNREFUSED.
  if (fd_ < 0 || connect(fd_, found->ai_addr, found->ai_addrlen) != 0) {
    CountError(ErrnoText(("connect " + options_.host + ":" + port).c_str(), errno));
    Close();
  }
  freeaddrinfo(found);
  return fd_ >= 0;
}

void StatsdExporter::Deliver(std::vector<ProbeRun>& runs) {
  std::vector<std::string> lines;
  for (const ProbeRun& run : runs) {
    std::vector<std::string> more = FormatRun(options_.format, run, &deltas_);
    lines.insert(lines.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  uint64_t too_long = 0;
  std::vector<Datagram> datagrams = Pack(lines, options_.max_packet_size, &too_long);
  if (too_long > 0) {
    CountDropped(too_long);
    CountError("a line is longer than max_packet_size " + std::to_string(options_.max_packet_size));
  }
  for (size_t i = 0; i < datagrams.size(); ++i) {
    const Datagram& datagram = datagrams[i];
    if (!Connect()) {
      for (size_t j = i; j < datagrams.size(); ++j) CountDropped(datagrams[j].points);
      return;
    }
    const ssize_t n =
        send(fd_, datagram.payload.data(), datagram.payload.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(datagram.payload.size())) {
      CountSent(datagram.points);
      continue;
    }
    const int error = n < 0 ? errno : EMSGSIZE;
    CountDropped(datagram.points);
    CountError(ErrnoText("send", error));
    // A Unix socket whose receiver went away must be connected again (it may come back at the
    // same path); a full buffer or a refused UDP datagram keeps the socket.
    if (!options_.socket_path.empty() && error != EAGAIN && error != EWOULDBLOCK &&
        error != ENOBUFS) {
      Close();
    }
  }
}

}  // namespace sidecar::exporters::statsd
