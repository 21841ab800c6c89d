#include "agent/http/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "agent/http/http_request.h"

namespace sidecar::http {
namespace {

constexpr std::string_view kRefused = "connection refused";
// Room for the status line and headers on top of the body.
constexpr size_t kMaxHeadBytes = size_t{64} * 1024;
// How often a wait looks at the request's abort predicate.
constexpr auto kAbortSlice = std::chrono::milliseconds(20);

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

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// A name resolution on its own thread, which the caller may leave behind: getaddrinfo cannot
// be cancelled, and a resolver that does not answer must not hold the exchange past its
// deadline. The thread and the caller share this state; whoever finishes last frees it.
struct Resolution {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int rc = 0;
  AddrInfoPtr result;
};

// One exchange against one deadline; every failure gives its cause alone.
class Exchange {
 public:
  Exchange(Duration timeout, const std::function<bool()>& abort)
      : timeout_(timeout), deadline_(Clock::now() + timeout), abort_(abort) {}

  static Status Fail(std::string_view cause) { return Status::Unavailable(std::string(cause)); }
  static Status BadResponse(std::string_view why) {
    return Status::InvalidArgument(std::string(why));
  }
  Status TimedOut() const { return Fail("no answer within " + FormatDuration(timeout_)); }

  // How long the next wait may last: what remains, in slices when there is an abort
  // predicate. Zero (with *status set) when the deadline passed or the exchange is aborted.
  Duration NextWait(Status* status) const {
    if (abort_ && abort_()) {
      *status = Fail("aborted");
      return Duration::zero();
    }
    const Duration left = deadline_ - Clock::now();
    if (left <= Duration::zero()) {
      *status = TimedOut();
      return Duration::zero();
    }
    return abort_ ? std::min<Duration>(left, kAbortSlice) : left;
  }

  // Waits for `events` on `fd`; kUnavailable when the deadline passes first.
  Status Wait(int fd, short events) const {
    while (true) {
      Status status;
      const Duration wait = NextWait(&status);
      if (!status.ok()) return status;
      pollfd entry{fd, events, 0};
      const int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
      const int n = poll(&entry, 1, ms);
      if (n > 0) return Status::Ok();
      if (n < 0 && errno != EINTR) return Fail(ErrnoText(errno));
    }
  }

  // The addresses of `host`: numeric at once, a name on a helper thread within the deadline.
  Result<AddrInfoPtr> Resolve(const std::string& host, uint16_t port) const {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    const std::string service = std::to_string(port);
    addrinfo* found = nullptr;
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    if (rc == 0) return AddrInfoPtr(found);
    if (rc != EAI_NONAME) return Fail(gai_strerror(rc));

    auto resolution = std::make_shared<Resolution>();
    std::thread([resolution, host, service] {
      addrinfo name_hints{};
      name_hints.ai_family = AF_UNSPEC;
      name_hints.ai_socktype = SOCK_STREAM;
      name_hints.ai_flags = AI_NUMERICSERV;
      addrinfo* addresses = nullptr;
      const int result = getaddrinfo(host.c_str(), service.c_str(), &name_hints, &addresses);
      const std::lock_guard<std::mutex> lock(resolution->mutex);
      resolution->rc = result;
      resolution->result.reset(result == 0 ? addresses : nullptr);
      resolution->done = true;
      resolution->done_cv.notify_all();
    }).detach();
    std::unique_lock<std::mutex> lock(resolution->mutex);
    while (!resolution->done) {
      Status status;
      const Duration wait = NextWait(&status);
      if (!status.ok()) return status;
      resolution->done_cv.wait_for(lock, wait);
    }
    if (resolution->rc != 0) return Fail(gai_strerror(resolution->rc));
    return std::move(resolution->result);
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

 private:
  const Duration timeout_;
  const TimePoint deadline_;
  const std::function<bool()>& abort_;
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

// Whether the last transfer coding is "chunked" (RFC 9112 section 6.1; any other coding
// alone is framed by the close).
bool IsChunked(std::string_view transfer_encoding) {
  const size_t comma = transfer_encoding.rfind(',');
  const std::string_view last = TrimWhitespace(
      comma == std::string_view::npos ? transfer_encoding : transfer_encoding.substr(comma + 1));
  return EqualsIgnoreCase(last, "chunked");
}

// Decodes a chunked body from `raw`, which ReadSome fills as the exchange goes on.
class ChunkedBody {
 public:
  explicit ChunkedBody(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Consumes what `raw` holds; true when the last chunk has been seen.
  Result<bool> Consume(std::string* raw, std::string* body) {
    while (true) {
      if (left_in_chunk_ > 0) {
        const size_t n = std::min(left_in_chunk_, raw->size() - offset_);
        body->append(*raw, offset_, n);
        offset_ += n;
        left_in_chunk_ -= n;
        if (left_in_chunk_ > 0) return Compact(raw, false);
        need_crlf_ = true;
      }
      const size_t line_end = raw->find('\n', offset_);
      if (line_end == std::string::npos) {
        if (raw->size() - offset_ > 1024) return Exchange::BadResponse("malformed chunked body");
        return Compact(raw, false);
      }
      const std::string_view line =
          TrimWhitespace(std::string_view(*raw).substr(offset_, line_end - offset_));
      offset_ = line_end + 1;
      if (need_crlf_) {  // the CRLF that ends a chunk's data
        if (!line.empty()) return Exchange::BadResponse("malformed chunked body");
        need_crlf_ = false;
        continue;
      }
      const std::string_view size_text = TrimWhitespace(line.substr(0, line.find(';')));
      if (size_text.empty() || size_text.size() > 15) {
        return Exchange::BadResponse("malformed chunk size");
      }
      size_t size = 0;
      for (char c : size_text) {
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0) return Exchange::BadResponse("malformed chunk size");
        size = size * 16 + static_cast<size_t>(digit);
      }
      // The last chunk; trailers, if any, are not read (the connection closes after them).
      if (size == 0) return Compact(raw, true);
      if (body->size() + size > max_bytes_) return TooLarge(max_bytes_);
      left_in_chunk_ = size;
    }
  }

  static Status TooLarge(size_t max_bytes) {
    return Exchange::BadResponse(max_bytes == kMaxClientBodyBytes
                                     ? std::string("response body larger than 1 MiB")
                                     : "response body larger than " + std::to_string(max_bytes) +
                                           " bytes");
  }

 private:
  Result<bool> Compact(std::string* raw, bool done) {
    raw->erase(0, offset_);
    offset_ = 0;
    return done;
  }

  const size_t max_bytes_;
  size_t offset_ = 0;
  size_t left_in_chunk_ = 0;
  bool need_crlf_ = false;
};

// "host:port" for the Host header and the URL, with IPv6 in brackets and port 80 left out.
std::string Authority(const std::string& host, uint16_t port, bool always_port) {
  std::string authority = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (always_port || port != 80) authority += ":" + std::to_string(port);
  return authority;
}

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

Result<HttpClientResponse> HttpExchange(const HttpClientRequest& request, Duration timeout) {
  std::string host = request.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string& path = request.path;
  if (path.empty() || path[0] != '/' || path.find_first_of(" \r\n") != std::string::npos) {
    return Status::InvalidArgument("the path must start with '/' and hold no spaces");
  }
  if (request.method.empty() ||
      request.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
    return Status::InvalidArgument("the method must be upper-case letters");
  }
  std::string head = request.method + " " + path +
                     " HTTP/1.1\r\nHost: " + Authority(host, request.port, false) +
                     "\r\nUser-Agent: " + request.user_agent + "\r\nAccept: */*\r\n";
  for (const std::string& header : request.headers) {
    if (header.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("a header may not hold a line break");
    }
    const size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("a header must be 'Name: value'");
    }
    if (TrimWhitespace(std::string_view(header).substr(colon + 1)).empty()) continue;
    head += header + "\r\n";
  }
  if (request.method != "GET")
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  head += "Connection: close\r\n\r\n";

  const Exchange exchange(timeout, request.abort);
  Result<AddrInfoPtr> addresses = exchange.Resolve(host, request.port);
  if (!addresses.ok()) return addresses.status();

  // Try each address ("localhost" may be ::1 and 127.0.0.1; a server may listen on one).
  Status last_error;
  int fd = -1;
  for (const addrinfo* address = addresses->get(); address != nullptr && fd < 0;
       address = address->ai_next) {
    Result<int> connected = exchange.Connect(*address);
    if (connected.ok()) {
      fd = *connected;
    } else if (last_error.ok() || !IsConnectionRefused(connected.status())) {
      last_error = connected.status();  // any other cause says more than "refused"
    }
  }
  if (fd < 0) return last_error.ok() ? Exchange::Fail("no address to connect to") : last_error;
  const Socket socket_fd(fd);

  if (request.body.empty()) {
    SIDECAR_RETURN_IF_ERROR(exchange.SendAll(fd, head));
  } else if (head.size() + request.body.size() <= 64 * 1024) {
    SIDECAR_RETURN_IF_ERROR(exchange.SendAll(fd, head.append(request.body)));  // one segment
  } else {
    SIDECAR_RETURN_IF_ERROR(exchange.SendAll(fd, head));
    SIDECAR_RETURN_IF_ERROR(exchange.SendAll(fd, request.body));
  }

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
      return Exchange::BadResponse("connection closed before the response head ended");
    } else if (buffer.size() > kMaxHeadBytes) {
      return Exchange::BadResponse("response head too large");
    }
  }

  HttpClientResponse response;
  if (!ParseHead(std::string_view(buffer).substr(0, head_end), &response)) {
    return Exchange::BadResponse("malformed response head");
  }
  buffer.erase(0, body_start);
  const size_t max_bytes = request.max_body_bytes;
  if (response.status == 204 || response.status == 304 || request.method == "HEAD") {
    return response;
  }
  if (const std::string_view coding = response.Header("transfer-encoding"); !coding.empty()) {
    if (IsChunked(coding)) {
      ChunkedBody chunked(max_bytes);
      while (true) {
        Result<bool> done = chunked.Consume(&buffer, &response.body);
        if (!done.ok()) return done.status();
        if (*done) return response;
        Result<bool> more = exchange.ReadSome(fd, &buffer);
        if (!more.ok()) return more.status();
        if (!*more) return Exchange::BadResponse("connection closed before the body ended");
      }
    }
    // Another coding alone: the body ends at the close (Content-Length does not apply).
  }
  const long long length =
      response.Header("transfer-encoding").empty() ? ContentLength(response) : -1;
  if (length == -2) return Exchange::BadResponse("invalid Content-Length");
  if (length > static_cast<long long>(max_bytes)) return ChunkedBody::TooLarge(max_bytes);
  response.body = std::move(buffer);
  while (length < 0 || response.body.size() < static_cast<size_t>(length)) {
    Result<bool> more = exchange.ReadSome(fd, &response.body);
    if (!more.ok()) return more.status();
    if (response.body.size() > max_bytes) return ChunkedBody::TooLarge(max_bytes);
    if (!*more) {
      if (length >= 0) return Exchange::BadResponse("connection closed before the body ended");
      break;
    }
  }
  if (length >= 0 && response.body.size() > static_cast<size_t>(length)) {
    response.body.resize(static_cast<size_t>(length));
  }
  return response;
}

std::optional<PlainHttpUrl> ParsePlainHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() <= kScheme.size() || !EqualsIgnoreCase(url.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) return std::nullopt;
  const size_t path_start = url.find_first_of("/?");
  std::string_view authority = url.substr(0, path_start);
  PlainHttpUrl parsed;
  if (path_start != std::string_view::npos) {
    parsed.path = url[path_start] == '/' ? std::string(url.substr(path_start))
                                         : "/" + std::string(url.substr(path_start));
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parsed.host = std::string(authority.substr(1, close - 1));
    if (parsed.host.empty() ||
        parsed.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      return std::nullopt;
    }
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    constexpr std::string_view kHostChars =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
    if (parsed.host.empty() || parsed.host.find_first_not_of(kHostChars) != std::string::npos) {
      return std::nullopt;  // user info, percent-encoding and other rarities: libcurl's job
    }
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return std::nullopt;
    parsed.port = static_cast<uint16_t>(port);
  }
  return parsed;
}

Result<HttpClientResponse> HttpGet(const std::string& host, uint16_t port, const std::string& path,
                                   Duration timeout) {
  HttpClientRequest request;
  request.host = host;
  request.port = port;
  request.path = path;
  Result<HttpClientResponse> response = HttpExchange(request, timeout);
  if (response.ok()) return response;
  std::string bare = host;
  if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  const std::string url = "http://" + Authority(bare, port, true) + path;
  std::string message = url + ": " + response.status().message();
  return response.status().code() == Status::Code::kInvalidArgument
             ? Status::InvalidArgument(std::move(message))
             : Status::Unavailable(std::move(message));
}

}  // namespace sidecar::http
