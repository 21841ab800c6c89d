// Helpers for the exporter tests: datagram receivers on loopback UDP and on a Unix socket,
// exporters built from YAML, and a bounded wait for the worker thread.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "agent/config/agent_config.h"

namespace sidecar::exporters::testing {

// Waits (up to 10 s) for `done` to hold, checking every millisecond: the worker thread runs on
// its own, so there is no event to wait on.
inline bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A bound datagram socket; Receive() returns one datagram or "" after `timeout_ms`.
class DatagramReceiver {
 public:
  static DatagramReceiver Udp() {
    DatagramReceiver r;
    r.fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(r.fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(r.fd_, reinterpret_cast<sockaddr*>(&address), &length);
    r.port_ = ntohs(address.sin_port);
    return r;
  }

  // A socket in a fresh temporary directory; `buffer` sets SO_RCVBUF when not 0.
  static DatagramReceiver Unix(int buffer = 0) {
    DatagramReceiver r;
    char dir[] = "/tmp/statsd-test-XXXXXX";
    r.dir_ = mkdtemp(dir);
    r.path_ = r.dir_ + "/dsd.socket";
    r.fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (buffer > 0) setsockopt(r.fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, r.path_.data(), r.path_.size());
    bind(r.fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    return r;
  }

  DatagramReceiver(DatagramReceiver&& other) noexcept { *this = std::move(other); }
  DatagramReceiver& operator=(DatagramReceiver&& other) noexcept {
    std::swap(fd_, other.fd_);
    std::swap(port_, other.port_);
    std::swap(path_, other.path_);
    std::swap(dir_, other.dir_);
    return *this;
  }
  ~DatagramReceiver() { Close(); }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (!path_.empty()) unlink(path_.c_str());
    if (!dir_.empty()) rmdir(dir_.c_str());
    path_.clear();
    dir_.clear();
  }

  std::string Receive(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return "";
    std::string buffer(70000, '\0');
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    buffer.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buffer;
  }

  uint16_t port() const { return port_; }
  const std::string& path() const { return path_; }

 private:
  DatagramReceiver() = default;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string path_;
  std::string dir_;
};

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The exporters of a config; fails the test with every config error.
inline config::LoadResult LoadExporters(const std::string& yaml,
                                        std::map<std::string, std::string> env = {}) {
  return config::LoadConfigText(yaml, "exporters.yaml",
                                [env](const std::string& name) -> std::optional<std::string> {
                                  auto it = env.find(name);
                                  if (it == env.end()) return std::nullopt;
                                  return it->second;
                                });
}

inline std::string Errors(const config::LoadResult& result) {
  std::string out;
  for (const config::ConfigError& error : result.errors) out += error.ToString() + "\n";
  return out;
}

}  // namespace sidecar::exporters::testing
