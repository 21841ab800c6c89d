#include "agent/http/http_request.h"

#include <cstdint>

namespace sidecar::http {
namespace {

constexpr std::string_view kWhitespace = " \t";

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// tchar of RFC 9110 section 5.6.2.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// field-value characters: visible ASCII, SP, HTAB and obs-text; no other control characters.
bool IsFieldValue(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

// A request-target may hold visible ASCII only (anything else must be percent-encoded).
bool IsTargetText(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return text.substr(text.size());  // empty, in place
  const size_t end = text.find_last_not_of(kWhitespace);
  return text.substr(begin, end - begin + 1);
}

// Calls `fn` with each trimmed, non-empty element of a comma-separated list.
template <typename Fn>
void ForEachListElement(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view element = Trim(list.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// qvalue of RFC 9110 section 12.4.2: whether it is above zero. Malformed means zero: sending
// gzip to a client that did not clearly ask for it is worse than not compressing.
bool QValueAboveZero(std::string_view q) {
  if (q.empty() || q.size() > 5 || (q.size() > 1 && q[1] != '.')) return false;
  const std::string_view decimals = q.size() > 2 ? q.substr(2) : std::string_view();
  bool nonzero_decimal = false;
  for (char c : decimals) {
    if (!IsDigit(c)) return false;
    if (c != '0') nonzero_decimal = true;
  }
  if (q[0] == '1') return !nonzero_decimal;  // "1.5" is malformed
  return q[0] == '0' && nonzero_decimal;
}

// What Accept-Encoding headers said about gzip and about "*": -1 not mentioned, 0 refused,
// 1 accepted. A later header or element overrides an earlier one.
struct GzipAcceptance {
  int gzip = -1;
  int star = -1;

  void Add(std::string_view value) {
    ForEachListElement(value, [this](std::string_view element) {
      size_t semicolon = element.find(';');
      const std::string_view coding = Trim(element.substr(0, semicolon));
      bool accepted = true;
      while (semicolon != std::string_view::npos) {
        element.remove_prefix(semicolon + 1);
        semicolon = element.find(';');
        const std::string_view param = Trim(element.substr(0, semicolon));
        if (param.size() >= 2 && ToLower(param[0]) == 'q' && param[1] == '=') {
          accepted = QValueAboveZero(Trim(param.substr(2)));
        }
      }
      if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
        gzip = accepted ? 1 : 0;
      } else if (coding == "*") {
        star = accepted ? 1 : 0;
      }
    });
  }

  bool Accepts() const { return gzip >= 0 ? gzip == 1 : star == 1; }
};

// A Content-Length value (possibly a list of equal values, as some proxies send); -1 if invalid.
int64_t ParseContentLength(std::string_view value) {
  int64_t result = -1;
  bool valid = true;
  ForEachListElement(value, [&](std::string_view element) {
    if (element.size() > 18) {
      valid = false;
      return;
    }
    int64_t n = 0;
    for (char c : element) {
      if (!IsDigit(c)) {
        valid = false;
        return;
      }
      n = n * 10 + (c - '0');
    }
    if (result >= 0 && result != n) valid = false;
    result = n;
  });
  return valid ? result : -1;
}

ParseResult Invalid(int status, std::string_view error) {
  ParseResult result;
  result.outcome = ParseOutcome::kInvalid;
  result.error_status = status;
  result.error = error;
  return result;
}

// Splits the request target into path and query; false for a form we do not serve.
bool SplitTarget(HttpRequest* request) {
  std::string_view rest = request->target;
  if (rest == "*") {  // asterisk-form (OPTIONS *): answered 405 like any other method
    request->path = rest;
    return true;
  }
  if (rest[0] != '/') {
    // absolute-form "http://host:port/path?query": keep what follows the authority.
    const size_t scheme_end = rest.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
    for (char c : rest.substr(0, scheme_end)) {
      if (!IsTokenChar(c)) return false;
    }
    rest.remove_prefix(scheme_end + 3);
    const size_t path_start = rest.find_first_of("/?");
    rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  }
  const size_t question = rest.find('?');
  request->path = rest.substr(0, question);
  if (request->path.empty()) request->path = "/";
  request->query =
      question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  return true;
}

// Parses "METHOD SP target SP HTTP/1.x"; kComplete (with nothing consumed) means valid.
ParseResult ParseRequestLine(std::string_view line, HttpRequest* request) {
  const size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) return Invalid(400, "malformed request line");
  const size_t second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return Invalid(400, "malformed request line");
  request->method = line.substr(0, first_space);
  request->target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (!IsToken(request->method)) return Invalid(400, "malformed request method");
  if (request->target.empty() || !IsTargetText(request->target)) {
    return Invalid(400, "malformed request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !IsDigit(version[5]) ||
      version[6] != '.' || !IsDigit(version[7])) {
    return Invalid(400, "malformed HTTP version");
  }
  if (version[5] != '1') return Invalid(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  request->version_minor = version[7] - '0';
  if (!SplitTarget(request)) return Invalid(400, "malformed request target");
  return ParseResult{ParseOutcome::kComplete, 0, 0, {}};
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  GzipAcceptance acceptance;
  acceptance.Add(accept_encoding);
  return acceptance.Accepts();
}

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

ParseResult ParseRequest(std::string_view input, HttpRequest* request, size_t max_head_bytes) {
  *request = HttpRequest();
  // RFC 9112 section 2.2: ignore empty lines received before the request line.
  size_t pos = 0;
  while (pos < input.size() && pos <= max_head_bytes) {
    if (input[pos] == '\n') {
      pos += 1;
    } else if (input.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else {
      break;
    }
  }
  if (pos > max_head_bytes) return Invalid(431, "request head too large");

  bool request_line_seen = false;
  int host_count = 0;
  int64_t content_length = -1;
  bool transfer_encoding = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  GzipAcceptance gzip;

  while (true) {
    const size_t newline = input.find('\n', pos);
    if (newline == std::string_view::npos) {
      if (input.size() > max_head_bytes) return Invalid(431, "request head too large");
      return ParseResult{};
    }
    if (newline + 1 > max_head_bytes) return Invalid(431, "request head too large");
    std::string_view line = input.substr(pos, newline - pos);
    pos = newline + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return Invalid(400, "bare CR in request head");

    if (!request_line_seen) {
      const ParseResult status = ParseRequestLine(line, request);
      if (status.outcome != ParseOutcome::kComplete) return status;
      request_line_seen = true;
      continue;
    }
    if (line.empty()) break;  // end of the head

    if (line[0] == ' ' || line[0] == '\t') {
      return Invalid(400, "obsolete header line folding is not allowed");
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Invalid(400, "malformed header line");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (!IsToken(name)) return Invalid(400, "malformed header name");
    if (!IsFieldValue(value)) return Invalid(400, "control character in header value");
    if (request->headers.size() >= kMaxRequestHeaders) return Invalid(431, "too many headers");
    request->headers.emplace_back(name, value);

    if (EqualsIgnoreCase(name, "host")) {
      ++host_count;
    } else if (EqualsIgnoreCase(name, "content-length")) {
      const int64_t length = ParseContentLength(value);
      if (length < 0 || (content_length >= 0 && length != content_length)) {
        return Invalid(400, "invalid Content-Length");
      }
      content_length = length;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      transfer_encoding = true;
    } else if (EqualsIgnoreCase(name, "connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        if (EqualsIgnoreCase(option, "close")) connection_close = true;
        if (EqualsIgnoreCase(option, "keep-alive")) connection_keep_alive = true;
      });
    } else if (EqualsIgnoreCase(name, "accept-encoding")) {
      gzip.Add(value);
    }
  }

  if (request->version_minor >= 1 && host_count == 0) return Invalid(400, "missing Host header");
  if (host_count > 1) return Invalid(400, "more than one Host header");
  if (transfer_encoding) {
    // RFC 9112 section 6.1: with both, the framing is ambiguous (request smuggling); and
    // HTTP/1.0 has no Transfer-Encoding at all.
    if (content_length >= 0 || request->version_minor == 0) {
      return Invalid(400, "Transfer-Encoding with Content-Length or in HTTP/1.0");
    }
  }
  request->has_body = transfer_encoding || content_length > 0;
  request->keep_alive =
      request->version_minor >= 1 ? !connection_close : connection_keep_alive && !connection_close;
  request->accepts_gzip = gzip.Accepts();
  return ParseResult{ParseOutcome::kComplete, pos, 0, {}};
}

}  // namespace sidecar::http
