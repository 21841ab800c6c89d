#include "agent/http/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <system_error>

#include "agent/http/http_request.h"

namespace sidecar::http {
namespace {

constexpr std::string_view kRefused = "connection refused";
// Room for the status line and headers on top of the body.
constexpr size_t kMaxHeadBytes = size_t{64} * 1024;

std::string ErrnoText(int error) {
  return std::error_code(error, std::system_category()).message();
}

// Closes the socket on every way out.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// One exchange against one deadline; every failure is phrased "<url>: <cause>".
class Exchange {
 public:
  Exchange(std::string url, Duration timeout)
      : url_(std::move(url)), timeout_(timeout), deadline_(Clock::now() + timeout) {}

  Status Fail(std::string_view cause) const {
    return Status::Unavailable(url_ + ": " + std::string(cause));
  }
  Status TimedOut() const { return Fail("no answer within " + FormatDuration(timeout_)); }

  // Waits for `events` on `fd`; kUnavailable when the deadline passes first.
  Status Wait(int fd, short events) const {
    while (true) {
      const Duration left = deadline_ - Clock::now();
      if (left <= Duration::zero()) return TimedOut();
      pollfd entry{fd, events, 0};
      const int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
      const int n = poll(&entry, 1, ms);
      if (n > 0) return Status::Ok();
      if (n < 0 && errno != EINTR) return Fail(ErrnoText(errno));
    }
  }

  // Connects to one address; the error is ECONNREFUSED-specific so the caller can tell.
  Result<int> Connect(const addrinfo& address) const {
    Socket socket_fd(socket(address.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket_fd.fd() < 0) return Fail(ErrnoText(errno));
    if (connect(socket_fd.fd(), address.ai_addr, address.ai_addrlen) != 0) {
      if (errno == ECONNREFUSED) return Fail(kRefused);
      if (errno != EINPROGRESS) return Fail(ErrnoText(errno));
      SIDECAR_RETURN_IF_ERROR(Wait(socket_fd.fd(), POLLOUT));
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(socket_fd.fd(), SOL_SOCKET, SO_ERROR, &error, &length);
      if (error == ECONNREFUSED) return Fail(kRefused);
      if (error != 0) return Fail(ErrnoText(error));
    }
    return socket_fd.Release();
  }

  Status SendAll(int fd, std::string_view data) const {
    while (!data.empty()) {
      const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        SIDECAR_RETURN_IF_ERROR(Wait(fd, POLLOUT));
      } else if (n < 0 && errno != EINTR) {
        return Fail(ErrnoText(errno));
      }
    }
    return Status::Ok();
  }

  // Reads some bytes into `*buffer`; false at end of stream.
  Result<bool> ReadSome(int fd, std::string* buffer) const {
    while (true) {
      char chunk[16 * 1024];
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer->append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        SIDECAR_RETURN_IF_ERROR(Wait(fd, POLLIN));
      } else if (errno != EINTR) {
        return Fail(ErrnoText(errno));
      }
    }
  }

  Status BadResponse(std::string_view why) const {
    return Status::InvalidArgument(url_ + ": " + std::string(why));
  }

 private:
  const std::string url_;
  const Duration timeout_;
  const TimePoint deadline_;
};

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Parses "HTTP/1.x NNN reason" and the header lines of `head` (without the blank line).
bool ParseHead(std::string_view head, HttpClientResponse* response) {
  size_t line_end = head.find('\n');
  std::string_view status_line = TrimWhitespace(head.substr(0, line_end));
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    return false;
  }
  response->status = 0;
  for (char c : status_line.substr(9, 3)) {
    if (c < '0' || c > '9') return false;
    response->status = response->status * 10 + (c - '0');
  }
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 1);
    line_end = head.find('\n');
    const std::string_view line = TrimWhitespace(head.substr(0, line_end));
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    response->headers.emplace_back(std::string(line.substr(0, colon)),
                                   std::string(TrimWhitespace(line.substr(colon + 1))));
  }
  return true;
}

// Content-Length as a number; -1 when absent, -2 when not a number.
long long ContentLength(const HttpClientResponse& response) {
  const std::string_view value = response.Header("content-length");
  if (value.empty()) return -1;
  if (value.size() > 18) return -2;
  long long n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return -2;
    n = n * 10 + (c - '0');
  }
  return n;
}

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

}  // namespace

std::string_view HttpClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool IsConnectionRefused(const Status& status) {
  const std::string& message = status.message();
  return status.code() == Status::Code::kUnavailable && message.size() >= kRefused.size() &&
         message.compare(message.size() - kRefused.size(), kRefused.size(), kRefused) == 0;
}

Result<HttpClientResponse> HttpGet(const std::string& host_in, uint16_t port,
                                   const std::string& path, Duration timeout) {
  std::string host = host_in;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string authority =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const std::string url = "http://" + authority + path;
  if (path.empty() || path[0] != '/' || path.find_first_of(" \r\n") != std::string::npos) {
    return Status::InvalidArgument(url + ": the path must start with '/' and hold no spaces");
  }
  const Exchange exchange(url, timeout);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc == EAI_NONAME) {
    hints.ai_flags = AI_NUMERICSERV;  // a name such as "localhost"
    rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  }
  if (rc != 0) return exchange.Fail(gai_strerror(rc));
  const std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(found);

  // Try each address ("localhost" may be ::1 and 127.0.0.1; the agent may listen on one).
  Status last_error;
  int fd = -1;
  for (const addrinfo* address = addresses.get(); address != nullptr && fd < 0;
       address = address->ai_next) {
    Result<int> connected = exchange.Connect(*address);
    if (connected.ok()) {
      fd = *connected;
    } else if (last_error.ok() || !IsConnectionRefused(connected.status())) {
      last_error = connected.status();  // any other cause says more than "refused"
    }
  }
  if (fd < 0) return last_error.ok() ? exchange.Fail("no address to connect to") : last_error;
  const Socket socket_fd(fd);

  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + authority +
                              "\r\nUser-Agent: agent-check\r\nAccept: */*\r\n"
                              "Connection: close\r\n\r\n";
  SIDECAR_RETURN_IF_ERROR(exchange.SendAll(fd, request));

  std::string buffer;
  size_t head_end = std::string::npos;
  size_t body_start = 0;
  while (head_end == std::string::npos) {
    Result<bool> more = exchange.ReadSome(fd, &buffer);
    if (!more.ok()) return more.status();
    if (const size_t crlf = buffer.find("\r\n\r\n"); crlf != std::string::npos) {
      head_end = crlf;
      body_start = crlf + 4;
    } else if (const size_t lf = buffer.find("\n\n"); lf != std::string::npos) {
      head_end = lf;
      body_start = lf + 2;
    } else if (!*more) {
      return exchange.BadResponse("connection closed before the response head ended");
    } else if (buffer.size() > kMaxHeadBytes) {
      return exchange.BadResponse("response head too large");
    }
  }

  HttpClientResponse response;
  if (!ParseHead(std::string_view(buffer).substr(0, head_end), &response)) {
    return exchange.BadResponse("malformed response head");
  }
  if (!response.Header("transfer-encoding").empty()) {
    return exchange.BadResponse("chunked responses are not supported");
  }
  const long long length = ContentLength(response);
  if (length == -2) return exchange.BadResponse("invalid Content-Length");
  if (length > static_cast<long long>(kMaxClientBodyBytes)) {
    return exchange.BadResponse("response body larger than 1 MiB");
  }
  const bool no_body = response.status == 204 || response.status == 304;
  response.body = buffer.substr(body_start);
  buffer.clear();
  while (!no_body && (length < 0 || response.body.size() < static_cast<size_t>(length))) {
    Result<bool> more = exchange.ReadSome(fd, &response.body);
    if (!more.ok()) return more.status();
    if (response.body.size() > kMaxClientBodyBytes) {
      return exchange.BadResponse("response body larger than 1 MiB");
    }
    if (!*more) {
      if (length >= 0) return exchange.BadResponse("connection closed before the body ended");
      break;
    }
  }
  if (no_body) response.body.clear();
  if (length >= 0 && response.body.size() > static_cast<size_t>(length)) {
    response.body.resize(static_cast<size_t>(length));
  }
  return response;
}

}  // namespace sidecar::http
