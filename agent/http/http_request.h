// The request side of the agent's HTTP/1.x server: HttpRequest and the parser of a request head.
//
// ParseRequest is a pure function over a byte buffer (no I/O, no allocation beyond the header
// list), so the server can call it on whatever it has read so far and the fuzzer can call it on
// anything. It follows RFC 9112 strictly where leniency would let two parsers disagree (no
// obs-fold, no whitespace before the colon, no bare CR, one Host, consistent Content-Length) and
// leniently where it harms nothing (bare LF line ends, empty lines before the request line).
// Bodies are not read: a request that announces one is flagged (has_body) and the server answers
// and closes instead of waiting for it.
//
// Thread-safety: pure functions; an HttpRequest is a value that views into the parsed buffer and
// is valid only as long as that buffer is.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace sidecar::http {

// Limits on a request head (request line, headers and the blank line that ends them).
inline constexpr size_t kMaxRequestHeadBytes = size_t{8} * 1024;
inline constexpr size_t kMaxRequestHeaders = 100;

struct HttpRequest {
  std::string_view method;  // "GET", case-sensitive as RFC 9110 says
  std::string_view target;  // as sent: "/metrics?x=1", or the absolute form "http://h/metrics"
  std::string_view path;    // "/metrics": the target without authority and query, not decoded
  std::string_view query;   // "x=1": after the '?', empty when there is none
  int version_minor = 1;    // HTTP/1.<version_minor>
  // Whether the client wants the connection kept open: HTTP/1.1 unless "Connection: close",
  // HTTP/1.0 only with "Connection: keep-alive".
  bool keep_alive = true;
  // Whether Accept-Encoding allows gzip (q-values honoured, "*" included).
  bool accepts_gzip = false;
  // Content-Length > 0 or a Transfer-Encoding: the request has a body this server does not read.
  bool has_body = false;
  // Every header field in order, names as sent, values without surrounding whitespace.
  std::vector<std::pair<std::string_view, std::string_view>> headers;

  // The value of the first header named `name` (case-insensitive), empty when absent.
  std::string_view Header(std::string_view name) const;
};

enum class ParseOutcome {
  kComplete,    // a whole head was parsed; `consumed` bytes belong to it
  kIncomplete,  // the buffer holds the start of a head; read more and call again
  kInvalid,     // the head is malformed or too large; answer `error_status` and close
};

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::kIncomplete;
  size_t consumed = 0;     // kComplete: length of the head, blank line included
  int error_status = 0;    // kInvalid: 400, 431 or 505
  std::string_view error;  // kInvalid: a short reason (static text) for the response body
};

// Parses the request head at the start of `input` into `*request` (overwritten). Pipelined
// requests are parsed one call at a time: call again on input.substr(consumed).
ParseResult ParseRequest(std::string_view input, HttpRequest* request,
                         size_t max_head_bytes = kMaxRequestHeadBytes);

// ASCII case-insensitive equality, as header names and tokens compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Whether an Accept-Encoding value accepts gzip: "gzip", "x-gzip" or "*" with a q-value above 0.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace sidecar::http
