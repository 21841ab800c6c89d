#include "probes/redis/redis_url.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace sidecar::probes::redis {
namespace {

constexpr const char kUrlExample[] = "redis://[[user]:password@]host[:port][/db]";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (user info only; '+' stays '+', as in WHATWG and Python's unquote).
std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

// A whole decimal number within [min, max], nothing else.
std::optional<int64_t> ParseNumber(std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

std::string Shown(std::string_view text) {
  return std::string(text.size() > 40 ? text.substr(0, 37) : text) +
         (text.size() > 40 ? "..." : "");
}

Status Invalid(const std::string& message) { return Status::InvalidArgument(message); }

Status ParseUserInfo(std::string_view userinfo, RedisUrl& url) {
  const size_t colon = userinfo.find(':');
  auto user = PercentDecode(userinfo.substr(0, colon));
  if (!user) {
    return Invalid("invalid percent-encoding in the user name");
  }
  url.username = std::move(*user);
  if (colon != std::string_view::npos) {
    // Never quote the password, not even a piece of it.
    auto password = PercentDecode(userinfo.substr(colon + 1));
    if (!password) {
      return Invalid("invalid percent-encoding in the password");
    }
    if (!password->empty()) {
      url.password = std::move(*password);
    }
  }
  return Status::Ok();
}

Status ParseHostPort(std::string_view hostport, RedisUrl& url) {
  std::string_view port_text;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return Invalid("unterminated IPv6 address '" + Shown(hostport) + "': expected [addr]");
    }
    url.host = std::string(hostport.substr(1, close - 1));
    in6_addr unused{};
    if (inet_pton(AF_INET6, url.host.c_str(), &unused) != 1) {
      return Invalid("invalid IPv6 address '" + Shown(url.host) + "'");
    }
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Invalid("unexpected '" + Shown(after) + "' after the IPv6 address");
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = hostport.find(':');
    if (colon != std::string_view::npos &&
        hostport.find(':', colon + 1) != std::string_view::npos) {
      return Invalid("an IPv6 address must be in brackets, e.g. redis://[::1]:6379");
    }
    url.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = hostport.substr(colon + 1);
    }
    for (char c : url.host) {
      if (!IsHostChar(c)) {
        return Invalid("invalid host '" + Shown(url.host) + "'");
      }
    }
  }
  if (url.host.empty()) {
    return Invalid(std::string("missing host: expected ") + kUrlExample);
  }
  if (has_port) {
    auto port = ParseNumber(port_text, 1, 65535);
    if (!port) {
      return Invalid("invalid port '" + Shown(port_text) + "': expected a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(*port);
  }
  return Status::Ok();
}

Status ParsePathAndQuery(std::string_view rest, RedisUrl& url) {
  const size_t question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  bool db_in_path = false;
  if (path.size() > 1) {
    auto db = ParseNumber(path.substr(1), 0, INT32_MAX);
    if (!db) {
      return Invalid("invalid database '" + Shown(path) +
                     "' in the path: expected a number such as /0");
    }
    url.db = *db;
    db_in_path = true;
  }
  if (question == std::string_view::npos) {
    return Status::Ok();
  }
  std::string_view query = rest.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    if (name != "db") {
      // Values are not quoted: redis-py accepts ?password=...
      return Invalid("unsupported query parameter '" + Shown(name) +
                     "': set the probe's keys (username, password, tls) instead");
    }
    if (db_in_path) {
      return Invalid("the database is given both in the path and as ?db=");
    }
    auto db = eq == std::string_view::npos ? std::nullopt
                                           : ParseNumber(pair.substr(eq + 1), 0, INT32_MAX);
    if (!db) {
      return Invalid("invalid ?db= value: expected a number such as 0");
    }
    url.db = *db;
  }
  return Status::Ok();
}

}  // namespace

Result<RedisUrl> ParseRedisUrl(std::string_view text) {
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return Invalid(std::string("expected a URL such as ") + kUrlExample +
                   " or rediss://... for TLS");
  }
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  RedisUrl url;
  if (scheme == "rediss") {
    url.tls = true;
  } else if (scheme != "redis") {
    return Invalid("unsupported scheme '" + Shown(scheme) +
                   "': use redis:// or rediss:// (TLS); unix sockets are not supported");
  }
  std::string_view rest = text.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) {
    return Invalid(
        "a URL fragment ('#...') is not allowed; percent-encode '#' in a password as %23");
  }
  const size_t authority_end = rest.find_first_of("/?");
  if (authority_end != std::string_view::npos &&
      rest.find('@', authority_end) != std::string_view::npos) {
    // A password with a raw '/' or '?': say so without quoting any of it.
    return Invalid("the user info contains '/' or '?': percent-encode them as %2F and %3F");
  }
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  // The password may contain '@' unencoded (clients split at the last one).
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    SIDECAR_RETURN_IF_ERROR(ParseUserInfo(authority.substr(0, at), url));
    authority = authority.substr(at + 1);
  }
  SIDECAR_RETURN_IF_ERROR(ParseHostPort(authority, url));
  SIDECAR_RETURN_IF_ERROR(ParsePathAndQuery(rest, url));
  return url;
}

std::string FormatRedisTarget(const RedisUrl& url, bool has_password) {
  std::string out = url.tls ? "rediss://" : "redis://";
  if (!url.username.empty() || has_password) {
    out += url.username;
    if (has_password) {
      out += ":***";
    }
    out += "@";
  }
  const bool ipv6 = url.host.find(':') != std::string::npos;
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) on "[" + host + "]".
  if (ipv6) out.push_back('[');
  out.append(url.host);
  if (ipv6) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(url.port));
  if (url.db != 0) {
    out.push_back('/');
    out.append(std::to_string(url.db));
  }
  return out;
}

}  // namespace sidecar::probes::redis
