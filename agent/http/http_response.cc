#include "agent/http/http_response.h"

#include <zlib.h>

#include <array>
#include <cstdio>

#include "agent/http/http_request.h"

namespace sidecar::http {
namespace {

// Header fields whose value only the server can get right.
bool IsServerOwnedHeader(std::string_view name) {
  for (std::string_view owned : {"content-length", "connection", "transfer-encoding",
                                 "content-encoding", "date", "server"}) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != text.npos; }

void AppendHeader(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->append(": ");
  out->append(value);
  out->append("\r\n");
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string FormatHttpDate(std::time_t time) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[static_cast<size_t>(tm.tm_wday) % 7], tm.tm_mday,
                kMonths[static_cast<size_t>(tm.tm_mon) % 12], tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buffer;
}

std::optional<std::string> GzipCompress(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip wrapper instead of zlib's; memLevel 8 is zlib's default.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&stream, data.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  const size_t written = stream.total_out;
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  out.resize(written);
  return out;
}

void AppendResponse(const HttpResponse& response, const ResponseFraming& framing,
                    std::string* out) {
  // 1xx would need interim-response handling we do not have; a handler never means it.
  const int status = (response.status >= 200 && response.status <= 999) ? response.status : 500;
  const bool has_content = status != 204 && status != 304;

  std::optional<std::string> gzipped;
  if (has_content && response.compressible && framing.accepts_gzip &&
      response.body.size() > kGzipMinBytes) {
    gzipped = GzipCompress(response.body);
  }
  const std::string_view body = gzipped       ? std::string_view(*gzipped)
                                : has_content ? std::string_view(response.body)
                                              : std::string_view();

  out->append("HTTP/1.1 ");
  out->append(std::to_string(status));
  out->append(" ");
  out->append(ReasonPhrase(status));
  out->append("\r\n");
  AppendHeader("Server", "agent", out);
  AppendHeader("Date", framing.date, out);
  if (!framing.keep_alive) {
    AppendHeader("Connection", "close", out);
  } else if (framing.http10) {
    AppendHeader("Connection", "keep-alive", out);
  }
  if (has_content) {
    if (!response.content_type.empty() && !HasLineBreak(response.content_type)) {
      AppendHeader("Content-Type", response.content_type, out);
    }
    AppendHeader("Content-Length", std::to_string(body.size()), out);
    if (gzipped) AppendHeader("Content-Encoding", "gzip", out);
    if (response.compressible) AppendHeader("Vary", "Accept-Encoding", out);
  }
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) || IsServerOwnedHeader(name)) {
      continue;
    }
    AppendHeader(name, value, out);
  }
  out->append("\r\n");
  if (!framing.head_request) out->append(body);
}

HttpResponse TextResponse(int status, std::string_view text) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body.reserve(text.size() + 1);
  response.body.append(text);
  response.body.append("\n");
  return response;
}

}  // namespace sidecar::http
