// Helpers for the HTTP tests: a blocking client that speaks raw bytes to the server (so tests can
// pipeline, stall half-way, hold connections open and watch for the server closing), and gunzip.
// Every read waits at most kReadTimeoutSeconds: a failing test fails instead of hanging.
// Not thread-safe; one RawConnection per test thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace sidecar::http::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawConnection {
 public:
  static constexpr int kReadTimeoutSeconds = 10;

  explicit RawConnection(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{kReadTimeoutSeconds, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; status 0 when the connection closed or timed out first.
  RawResponse Read(bool head_request = false) {
    RawResponse response;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return response;
    }
    std::string_view head = std::string_view(buffer_).substr(0, head_end);
    response.status = std::stoi(std::string(head.substr(9, 3)));
    size_t line_start = head.find("\r\n");
    while (line_start != std::string_view::npos) {
      head.remove_prefix(line_start + 2);
      line_start = head.find("\r\n");
      std::string_view line = head.substr(0, line_start);
      const size_t colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = std::string(line.substr(colon + 2));
    }
    buffer_.erase(0, head_end + 4);
    const size_t length =
        head_request ? 0 : static_cast<size_t>(std::stoul("0" + response.Header("content-length")));
    while (buffer_.size() < length) {
      if (!Fill()) return RawResponse();
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // Waits for the server to close; false if it did not within the read timeout or sent bytes.
  bool WaitForClose() {
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  // Bytes received and not yet returned by Read.
  const std::string& buffered() const { return buffer_; }

 private:
  bool Fill() {
    char chunk[64 * 1024];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

inline std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

// Whether this host can bind the IPv6 loopback (containers often run without IPv6).
inline bool Ipv6LoopbackAvailable() {
  const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return bound;
}

// Inflates a gzip stream (not zlib, not raw deflate); empty on any error.
inline std::string Gunzip(std::string_view data) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + 15) != Z_OK) return {};
  std::string out(4 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string();
}

}  // namespace sidecar::http::testing
