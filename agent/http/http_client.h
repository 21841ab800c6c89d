// A small blocking HTTP/1.1 client: `agent --check` asks a running agent for its state with
// HttpGet, and the OTLP exporter POSTs to a plain-HTTP collector with HttpExchange from its own
// worker thread.
//
// It is on the path of every ECS, Docker and Kubernetes exec health check, so it starts and
// ends fast: no library set-up, a non-blocking connect and one hard deadline over the whole
// exchange (each wait polls with the time that remains; a host name is resolved on a helper
// thread, so a resolver that hangs is given up at the deadline too). Plain HTTP only,
// "Connection: close", bodies framed by Content-Length, chunked transfer coding or the close.
//
// Thread-safety: HttpGet and HttpExchange are reentrant; each blocks the calling thread for at
// most `timeout`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/common/duration.h"
#include "agent/common/status.h"

namespace sidecar::http {

inline constexpr size_t kMaxClientBodyBytes = size_t{1024} * 1024;

struct HttpClientRequest {
  std::string method = "GET";
  // Numeric IPv4/IPv6 ("127.0.0.1", "::1", "[::1]") or a name; every address it resolves to is
  // tried in turn.
  std::string host;
  uint16_t port = 80;
  std::string path = "/";  // origin form, with the query if any
  // "Name: value" lines sent as they are; one with nothing after the colon is not sent (as in
  // libcurl, where "Expect:" removes a header).
  std::vector<std::string> headers;
  std::string_view body;  // sent with Content-Length unless the method is GET
  std::string user_agent = "agent-check";
  size_t max_body_bytes = kMaxClientBodyBytes;
  // Polled at least every 20 ms while the exchange waits; true ends it with "aborted".
  std::function<bool()> abort;
};

struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // de-chunked

  // The value of the first header named `name` (case-insensitive), empty when absent.
  std::string_view Header(std::string_view name) const;
};

// One request and its response. Errors (all kUnavailable except a bad argument or response,
// kInvalidArgument) give the cause alone: "connection refused" when nothing listens (see
// IsConnectionRefused), "no answer within 2s" on the deadline, "aborted".
Result<HttpClientResponse> HttpExchange(const HttpClientRequest& request, Duration timeout);

// GETs http://host:port/path; errors are phrased "<url>: <cause>".
Result<HttpClientResponse> HttpGet(const std::string& host, uint16_t port, const std::string& path,
                                   Duration timeout);

// The parts of a plain "http://host[:port][/path][?query]" URL the client can reach itself.
struct PlainHttpUrl {
  std::string host;  // without IPv6 brackets
  uint16_t port = 80;
  std::string path = "/";  // with the query; the fragment is dropped
};

// nullopt for anything else: https, user info ("user:pass@"), a bad host or port.
std::optional<PlainHttpUrl> ParsePlainHttpUrl(std::string_view url);

// Whether an exchange failed because nothing listens on the port (so no agent runs there), as
// opposed to an agent that answers badly or too late.
bool IsConnectionRefused(const Status& status);

}  // namespace sidecar::http
