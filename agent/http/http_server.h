// The agent's HTTP/1.1 server: /health, /livez, /readyz and /metrics for load balancers,
// orchestrators and Prometheus.
//
// One thread runs its own EventLoop and serves every connection with non-blocking sockets, so
// thousands of idle keep-alive connections (load balancers hold them open) cost memory, not
// threads. Keep-alive, pipelining, HTTP/1.0, GET and HEAD (405 otherwise); request heads are
// bounded (431), bodies are not read (413, then close); idle connections are closed after
// idle_timeout; output is written as the peer reads it, and a connection whose peer reads slowly
// stops being read until its output drains, so it holds back no one else.
//
// Thread-safety: Start, Stop and the destructor on any one thread (not the handler's); port()
// and the counters from any thread. The handler runs on the server thread, one request at a
// time; it must be fast and must not call Stop().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "agent/common/duration.h"
#include "agent/common/status.h"
#include "agent/http/http_request.h"
#include "agent/http/http_response.h"
#include "agent/loop/event_loop.h"

namespace sidecar::http {

struct HttpServerOptions {
  // Numeric IPv4 or IPv6 address to listen on ("0.0.0.0", "::", "[::1]") or a host name
  // resolved once at start; empty means "0.0.0.0".
  std::string host = "0.0.0.0";
  uint16_t port = 0;  // 0: any free port; port() tells which
  // Connections accepted past this many are closed at once (and counted as rejected).
  size_t max_connections = 1024;
  // A connection with no traffic for this long is closed. Longer than the load balancers' own
  // (AWS ALB: 60 s) so that they, not we, close idle connections and never reuse a dead one.
  Duration idle_timeout = std::chrono::seconds(75);
  // Time allowed to receive a whole request head once its first byte arrived (slow clients).
  Duration request_timeout = std::chrono::seconds(30);
  // Output buffered for one connection past which no further pipelined request is read.
  size_t max_output_bytes = size_t{4} * 1024 * 1024;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and listens on the caller's thread (so a busy port fails here: "listen
  // 0.0.0.0:9779: Address already in use"), then serves on a thread of its own.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound.
  uint16_t port() const { return port_; }
  // Closes the listener and every connection, stops and joins the server thread. Idempotent.
  void Stop();

  // Requests answered, connections open now, connections closed at once for being over
  // max_connections. Readable from any thread.
  uint64_t requests_total() const { return requests_total_.load(std::memory_order_relaxed); }
  uint64_t connections_open() const { return connections_open_.load(std::memory_order_relaxed); }
  uint64_t connections_rejected() const {
    return connections_rejected_.load(std::memory_order_relaxed);
  }

 private:
  struct Connection;

  HttpServer(const HttpServerOptions& options, HttpHandler handler, int listen_fd, uint16_t port);

  void OnAcceptable();
  void ResumeAccepting();
  void OnConnectionEvent(Connection* connection, uint32_t ready);
  void OnTimer(Connection* connection);
  // Reads what is available; false when the connection was closed.
  bool ReadInput(Connection* connection);
  // Answers every complete request in the input while the output stays under its cap; true
  // when it stopped at the cap (more requests may wait in the input).
  bool ProcessInput(Connection* connection);
  HttpResponse Dispatch(const HttpRequest& request);
  // Writes what the socket takes; false when the connection was closed.
  bool WriteOutput(Connection* connection);
  // Picks the events to watch (or closes, lingers) from the connection's state.
  void Update(Connection* connection);
  void ArmTimer(Connection* connection);
  void Close(Connection* connection);
  std::string_view Date();

  const HttpServerOptions options_;
  const HttpHandler handler_;
  const uint16_t port_;
  int listen_fd_ = -1;

  // Owned by the server thread while it runs (by Stop() after the join).
  std::unique_ptr<EventLoop> loop_;
  EventLoop::WatchId listen_watch_ = 0;
  TimePoint accept_warned_at_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::time_t date_second_ = 0;
  std::string date_;

  std::atomic<uint64_t> requests_total_{0};
  std::atomic<uint64_t> connections_open_{0};
  std::atomic<uint64_t> connections_rejected_{0};

  std::mutex stop_mutex_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace sidecar::http
