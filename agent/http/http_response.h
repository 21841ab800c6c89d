// The response side of the agent's HTTP/1.x server: HttpResponse as handlers fill it, and the
// pure functions that turn it into bytes on the wire (status line, Content-Length, Date,
// Server, connection handling, gzip).
//
// Thread-safety: pure functions and value types.
#pragma once

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sidecar::http {

// Bodies at most this long are sent as they are: gzip would save little and cost a deflate.
inline constexpr size_t kGzipMinBytes = 1024;

struct HttpResponse {
  int status = 200;
  std::string content_type;  // omitted when empty
  std::string body;
  // Extra header fields. Those the server owns (Content-Length, Connection, Transfer-Encoding,
  // Content-Encoding, Date, Server) are ignored, as are fields holding CR or LF.
  std::vector<std::pair<std::string, std::string>> headers;
  // The body may be gzip-compressed when the client accepts it (text such as /metrics).
  bool compressible = false;
};

// How one response is framed for the request it answers.
struct ResponseFraming {
  bool head_request = false;  // HEAD: headers only, with the Content-Length a GET would get
  bool keep_alive = true;     // false sends "Connection: close"
  bool http10 = false;        // HTTP/1.0 keep-alive must be announced ("Connection: keep-alive")
  bool accepts_gzip = false;
  std::string_view date;  // the Date value, FormatHttpDate(now)
};

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view ReasonPhrase(int status);

// IMF-fixdate of RFC 9110 section 5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT". Locale-independent.
std::string FormatHttpDate(std::time_t time);

// The gzip (RFC 1952) encoding of `data`; nullopt when zlib fails (out of memory).
std::optional<std::string> GzipCompress(std::string_view data);

// Appends the serialized response (head, and the body unless HEAD) to `*out`.
void AppendResponse(const HttpResponse& response, const ResponseFraming& framing, std::string* out);

// A small text/plain response for errors the server answers itself ("404 not found\n").
HttpResponse TextResponse(int status, std::string_view text);

}  // namespace sidecar::http
