#include "agent/http/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <system_error>

#include <spdlog/spdlog.h>

namespace sidecar::http {
namespace {

constexpr size_t kReadChunkBytes = size_t{16} * 1024;
// Input held per connection: enough to tell a head over the limit from one still arriving.
constexpr size_t kMaxInputBytes = kMaxRequestHeadBytes + kReadChunkBytes;
// Buffers bigger than this are released once empty: idle connections should cost little.
constexpr size_t kKeptBufferBytes = size_t{4} * 1024;
// Lingering close: how long and how much unread input we discard before closing for good.
constexpr Duration kLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxLingerBytes = size_t{256} * 1024;
// How long accept() rests when the process is out of file descriptors.
constexpr Duration kAcceptPause = std::chrono::milliseconds(100);
constexpr Duration kAcceptWarningInterval = std::chrono::seconds(10);
constexpr int kMaxAcceptsPerWakeup = 128;

std::string ErrnoText(int error) {
  return std::error_code(error, std::system_category()).message();
}

std::string HostPort(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Creates the listening socket; `*bound_port` receives the port actually bound.
Result<int> Listen(const HttpServerOptions& options, uint16_t* bound_port) {
  std::string host = options.host.empty() ? "0.0.0.0" : options.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string where = "listen " + HostPort(host, options.port);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const int rc =
      getaddrinfo(host.c_str(), std::to_string(options.port).c_str(), &hints, &addresses);
  if (rc != 0) return Status::InvalidArgument(where + ": " + gai_strerror(rc));
  const addrinfo& address = *addresses;

  const int fd = socket(address.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const int error = errno;
    freeaddrinfo(addresses);
    return Status::Unavailable(where + ": " + ErrnoText(error));
  }
  const int one = 1;
  const int zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (address.ai_family == AF_INET6) {
    // "::" serves IPv4 too, whatever net.ipv6.bindv6only says.
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  }
  const bool bound =
      bind(fd, address.ai_addr, address.ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0;
  const int error = errno;
  freeaddrinfo(addresses);
  if (!bound) {
    close(fd);
    return Status::Unavailable(where + ": " + ErrnoText(error));
  }

  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  *bound_port =
      ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port
                                        : reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
  return fd;
}

void ReleaseIfLarge(std::string* buffer) {
  if (buffer->empty() && buffer->capacity() > kKeptBufferBytes) std::string().swap(*buffer);
}

}  // namespace

struct HttpServer::Connection {
  int fd = -1;
  EventLoop::WatchId watch = 0;
  uint32_t events = 0;  // what the watch asks for now
  TimerId timer = 0;
  TimePoint timer_due;
  TimePoint last_activity;                // last byte read or written
  std::optional<TimePoint> head_started;  // an incomplete request head is pending since
  std::string in;                         // read, not yet parsed
  std::string out;                        // to write, from out_pos
  size_t out_pos = 0;
  bool peer_closed = false;         // the peer will send nothing more
  bool close_after_output = false;  // the last response is queued; close once it is written
  bool lingering = false;           // our side is shut down; discarding input until EOF
  TimePoint linger_until;
  size_t lingered_bytes = 0;

  size_t pending_output() const { return out.size() - out_pos; }

  // When the connection is closed unless something happens first.
  TimePoint Deadline(const HttpServerOptions& options) const {
    if (lingering) return linger_until;
    TimePoint due = last_activity + options.idle_timeout;
    if (head_started) due = std::min(due, *head_started + options.request_timeout);
    return due;
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  uint16_t port = 0;
  Result<int> fd = Listen(options, &port);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<HttpServer> server(new HttpServer(options, std::move(handler), *fd, port));
  HttpServer* self = server.get();
  self->listen_watch_ =
      self->loop_->Watch(*fd, EventLoop::kReadable, [self](uint32_t) { self->OnAcceptable(); });
  if (self->listen_watch_ == 0) {
    return Status::Internal("listen " + HostPort(options.host, port) +
                            ": epoll refused the socket");
  }
  self->thread_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "agent-http");
    self->loop_->Run();
  });
  return server;
}

HttpServer::HttpServer(const HttpServerOptions& options, HttpHandler handler, int listen_fd,
                       uint16_t port)
    : options_(options),
      handler_(std::move(handler)),
      port_(port),
      listen_fd_(listen_fd),
      loop_(std::make_unique<EventLoop>()) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (stopped_) return;
  stopped_ = true;
  loop_->Stop();
  if (thread_.joinable()) thread_.join();
  // The loop no longer runs: what it owned is ours now.
  while (!connections_.empty()) Close(connections_.begin()->first);
  loop_->Unwatch(listen_watch_);
  close(listen_fd_);
  listen_fd_ = -1;
}

void HttpServer::OnAcceptable() {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The listener stays readable: rest instead of spinning on it (and say so now and then).
        const int error = errno;
        if (loop_->Now() - accept_warned_at_ > kAcceptWarningInterval) {
          accept_warned_at_ = loop_->Now();
          spdlog::warn("http: accept on port {}: {}", port_, ErrnoText(error));
        }
        loop_->Modify(listen_watch_, 0);
        loop_->AddTimer(kAcceptPause, [this] { ResumeAccepting(); });
      }
      return;
    }
    if (connections_.size() >= options_.max_connections) {
      connections_rejected_.fetch_add(1, std::memory_order_relaxed);
      close(fd);
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto owned = std::make_unique<Connection>();
    Connection* connection = owned.get();
    connection->fd = fd;
    connection->last_activity = loop_->Now();
    connection->events = EventLoop::kReadable;
    connection->watch = loop_->Watch(fd, EventLoop::kReadable, [this, connection](uint32_t ready) {
      OnConnectionEvent(connection, ready);
    });
    if (connection->watch == 0) {
      close(fd);
      continue;
    }
    connections_.emplace(connection, std::move(owned));
    connections_open_.fetch_add(1, std::memory_order_relaxed);
    ArmTimer(connection);
  }
}

void HttpServer::ResumeAccepting() { loop_->Modify(listen_watch_, EventLoop::kReadable); }

void HttpServer::OnConnectionEvent(Connection* connection, uint32_t ready) {
  if (ready & EventLoop::kError) {
    Close(connection);
    return;
  }
  if (connection->lingering) {
    char buffer[kReadChunkBytes];
    const ssize_t n = recv(connection->fd, buffer, sizeof(buffer), 0);
    if (n > 0) connection->lingered_bytes += static_cast<size_t>(n);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
        connection->lingered_bytes > kMaxLingerBytes) {
      Close(connection);
    }
    return;
  }
  if ((ready & EventLoop::kReadable) && !ReadInput(connection)) return;
  // Writing may bring the output back under its cap, which lets further pipelined requests in.
  while (true) {
    const bool capped = ProcessInput(connection);
    if (!WriteOutput(connection)) return;
    if (!capped || connection->pending_output() >= options_.max_output_bytes) break;
  }
  Update(connection);
}

bool HttpServer::ReadInput(Connection* connection) {
  if (connection->peer_closed || connection->close_after_output ||
      connection->in.size() >= kMaxInputBytes) {
    return true;
  }
  char buffer[kReadChunkBytes];
  const ssize_t n = recv(connection->fd, buffer, sizeof(buffer), 0);
  if (n > 0) {
    connection->in.append(buffer, static_cast<size_t>(n));
    connection->last_activity = loop_->Now();
  } else if (n == 0) {
    connection->peer_closed = true;
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    Close(connection);
    return false;
  }
  return true;
}

bool HttpServer::ProcessInput(Connection* connection) {
  size_t consumed = 0;
  bool capped = false;
  while (!connection->close_after_output) {
    if (connection->pending_output() >= options_.max_output_bytes) {
      capped = true;
      break;
    }
    HttpRequest request;
    const ParseResult parsed =
        ParseRequest(std::string_view(connection->in).substr(consumed), &request);
    if (parsed.outcome == ParseOutcome::kIncomplete) break;
    ResponseFraming framing;
    framing.date = Date();
    if (parsed.outcome == ParseOutcome::kInvalid) {
      // The framing of whatever follows is unknown: answer and close.
      requests_total_.fetch_add(1, std::memory_order_relaxed);
      framing.keep_alive = false;
      AppendResponse(TextResponse(parsed.error_status, parsed.error), framing, &connection->out);
      connection->close_after_output = true;
      break;
    }
    consumed += parsed.consumed;
    const HttpResponse response = Dispatch(request);
    // An unread body would be taken for the next request: close after answering.
    framing.keep_alive = request.keep_alive && !request.has_body;
    framing.head_request = request.method == "HEAD";
    framing.http10 = request.version_minor == 0;
    framing.accepts_gzip = request.accepts_gzip;
    AppendResponse(response, framing, &connection->out);
    if (!framing.keep_alive) connection->close_after_output = true;
  }
  connection->in.erase(0, consumed);
  ReleaseIfLarge(&connection->in);
  // Only a head the client has yet to finish is on the request timeout; requests held back by
  // the output cap wait on the client reading, which the idle timeout covers.
  if (connection->in.empty() || connection->close_after_output || capped) {
    connection->head_started.reset();
  } else if (consumed > 0 || !connection->head_started) {
    connection->head_started = loop_->Now();
  }
  // A peer that has finished sending will not complete a partial request.
  if (connection->peer_closed && !capped) connection->close_after_output = true;
  return capped;
}

HttpResponse HttpServer::Dispatch(const HttpRequest& request) {
  requests_total_.fetch_add(1, std::memory_order_relaxed);
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = TextResponse(405, "method not allowed");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (request.has_body) return TextResponse(413, "request bodies are not accepted");
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler failed on {}: {}", request.path, e.what());
  } catch (...) {
    spdlog::error("http: handler failed on {}", request.path);
  }
  return TextResponse(500, "internal error");
}

bool HttpServer::WriteOutput(Connection* connection) {
  std::string& out = connection->out;
  while (connection->out_pos < out.size()) {
    const ssize_t n = send(connection->fd, out.data() + connection->out_pos,
                           out.size() - connection->out_pos, MSG_NOSIGNAL);
    if (n > 0) {
      connection->out_pos += static_cast<size_t>(n);
      connection->last_activity = loop_->Now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      Close(connection);
      return false;
    }
  }
  if (connection->out_pos == out.size()) {
    out.clear();
    connection->out_pos = 0;
    ReleaseIfLarge(&out);
  }
  return true;
}

void HttpServer::Update(Connection* connection) {
  const size_t pending = connection->pending_output();
  if (pending == 0 && connection->close_after_output) {
    if (connection->peer_closed) {
      Close(connection);
      return;
    }
    // Lingering close: closing with unread input (a refused body, pipelined requests) makes the
    // kernel send a reset, which can destroy our last response before the client read it.
    shutdown(connection->fd, SHUT_WR);
    connection->lingering = true;
    connection->linger_until = loop_->Now() + kLingerTime;
    if (connection->events != EventLoop::kReadable) {
      loop_->Modify(connection->watch, EventLoop::kReadable);
      connection->events = EventLoop::kReadable;
    }
    ArmTimer(connection);
    return;
  }
  uint32_t events = 0;
  if (pending > 0) events |= EventLoop::kWritable;
  if (!connection->peer_closed && !connection->close_after_output &&
      pending < options_.max_output_bytes && connection->in.size() < kMaxInputBytes) {
    events |= EventLoop::kReadable;
  }
  if (events != connection->events) {
    loop_->Modify(connection->watch, events);
    connection->events = events;
  }
  ArmTimer(connection);
}

void HttpServer::ArmTimer(Connection* connection) {
  const TimePoint due = connection->Deadline(options_);
  if (connection->timer != 0) {
    // Deadlines mostly move later; the timer then re-arms itself when it fires.
    if (connection->timer_due <= due) return;
    loop_->CancelTimer(connection->timer);
  }
  connection->timer_due = due;
  connection->timer = loop_->AddTimer(due - loop_->Now(), [this, connection] {
    connection->timer = 0;
    OnTimer(connection);
  });
}

void HttpServer::OnTimer(Connection* connection) {
  if (loop_->Now() >= connection->Deadline(options_)) {
    Close(connection);
    return;
  }
  ArmTimer(connection);
}

void HttpServer::Close(Connection* connection) {
  // Counted first: a peer that sees the close may look at the counter at once (tests do).
  connections_open_.fetch_sub(1, std::memory_order_relaxed);
  loop_->Unwatch(connection->watch);
  if (connection->timer != 0) loop_->CancelTimer(connection->timer);
  close(connection->fd);
  connections_.erase(connection);
}

std::string_view HttpServer::Date() {
  const std::time_t now = std::time(nullptr);
  if (now != date_second_ || date_.empty()) {
    date_second_ = now;
    date_ = FormatHttpDate(now);
  }
  return date_;
}

}  // namespace sidecar::http
