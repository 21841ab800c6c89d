// A tiny blocking HTTP/1.1 GET for `agent --check`, which asks a running agent for its state.
//
// It is on the path of every ECS, Docker and Kubernetes exec health check, so it starts and
// ends fast: no library set-up, a non-blocking connect and one hard deadline over the whole
// exchange (each wait polls with the time that remains). Plain HTTP only, "Connection: close",
// bodies up to 1 MiB framed by Content-Length or by the close.
//
// Thread-safety: HttpGet is reentrant; it blocks the calling thread for at most `timeout`
// (plus the resolution of a host name that is not numeric, which reads /etc/hosts first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/common/duration.h"
#include "agent/common/status.h"

namespace sidecar::http {

inline constexpr size_t kMaxClientBodyBytes = size_t{1024} * 1024;

struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header named `name` (case-insensitive), empty when absent.
  std::string_view Header(std::string_view name) const;
};

// GETs http://host:port/path. `host` is numeric IPv4/IPv6 ("127.0.0.1", "::1", "[::1]") or a
// name; every address it resolves to is tried in turn. Errors (all kUnavailable except a bad
// argument or response) name the URL and the cause: "...: connection refused" when nothing
// listens (see IsConnectionRefused), "...: no answer within 2s" on the deadline.
Result<HttpClientResponse> HttpGet(const std::string& host, uint16_t port, const std::string& path,
                                   Duration timeout);

// Whether HttpGet failed because nothing listens on the port (so no agent runs there), as
// opposed to an agent that answers badly or too late.
bool IsConnectionRefused(const Status& status);

}  // namespace sidecar::http
