#include "probes/http/http_classify.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

namespace sidecar::probes::http {
namespace {

std::optional<int> ParseInt(const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::string Header(const Headers& headers, const std::string& name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool Contains(const std::string& haystack, const char* needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

std::string Safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= 64) break;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') {
      out += c;
    }
  }
  return out;
}

RateLimit& KindEntry(std::vector<RateLimit>& out, const std::string& kind) {
  for (RateLimit& entry : out) {
    if (entry.kind == kind) return entry;
  }
  out.push_back(RateLimit{kind, std::nullopt, std::nullopt, std::nullopt});
  return out.back();
}

std::string Underscored(std::string text) {
  std::replace(text.begin(), text.end(), '-', '_');
  return text;
}

}  // namespace

Result<StatusRanges> ParseStatusRanges(const std::vector<std::string>& items) {
  StatusRanges ranges;
  for (const std::string& item : items) {
    if (item.size() == 3 && std::isdigit(static_cast<unsigned char>(item[0])) &&
        Lower(item.substr(1)) == "xx") {
      const int hundred = (item[0] - '0') * 100;
      ranges.emplace_back(hundred, hundred + 99);
      continue;
    }
    const size_t dash = item.find('-');
    auto low = ParseInt(item.substr(0, dash));
    auto high = dash == std::string::npos ? low : ParseInt(item.substr(dash + 1));
    if (!low || !high || *low < 100 || *high > 999 || *low > *high) {
      return Status::InvalidArgument(
          "expected a status code, a range such as 200-299 or 2xx, got '" + item + "'");
    }
    ranges.emplace_back(*low, *high);
  }
  return ranges;
}

bool StatusMatches(const StatusRanges& ranges, int code) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [code](const auto& r) { return code >= r.first && code <= r.second; });
}

std::string ErrorTypeFromBody(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return "";
  }
  auto error = json.find("error");
  if (error == json.end() || !error->is_object()) {
    return "";
  }
  for (const char* key : {"code", "type"}) {
    auto field = error->find(key);
    if (field != error->end() && field->is_string() && !field->get<std::string>().empty()) {
      return Safe(field->get<std::string>());
    }
  }
  return "";
}

Outcome ClassifyStatus(int code, const Headers& headers, const std::string& error_type) {
  const std::string status = "HTTP " + std::to_string(code);
  const std::string detail = error_type.empty() ? status : status + ", " + error_type;
  const std::string retry_after = Safe(Header(headers, "retry-after"));
  const std::string retry = retry_after.empty() ? "" : ", retry after " + retry_after + "s";
  const bool quota_empty = Header(headers, "x-ratelimit-remaining") == "0";
  if (code == 429 || (code == 403 && (quota_empty || !retry_after.empty()))) {
    if (error_type == "insufficient_quota") {
      return {Verdict::kDegraded, "rate_limited", "quota exhausted (" + detail + ")"};
    }
    return {Verdict::kDegraded, "rate_limited", "rate limited (" + detail + retry + ")"};
  }
  if (code == 401 || code == 403) {
    return {Verdict::kUnhealthy, "auth", "credentials rejected (" + detail + ")"};
  }
  if (code == 529) {
    return {Verdict::kUnhealthy, "provider_error", "provider overloaded (" + detail + ")"};
  }
  if (code >= 500 && code <= 599) {
    return {Verdict::kUnhealthy, "provider_error", "provider error (" + detail + ")"};
  }
  return {Verdict::kUnhealthy, "status", "unexpected status (" + detail + ")"};
}

Outcome ClassifyCurlError(CURLcode code, const std::string& error_buffer, int os_errno) {
  const std::string text = error_buffer.empty() ? curl_easy_strerror(code) : error_buffer;
  if (os_errno == ECONNRESET && code != CURLE_OPERATION_TIMEDOUT) {
    return {Verdict::kUnhealthy, "reset", "connection reset by peer"};
  }
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {Verdict::kUnhealthy, "resolve", "resolve: " + text};
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED || Contains(text, "refused")) {
        return {Verdict::kUnhealthy, "connect", "connect: connection refused"};
      }
      return {Verdict::kUnhealthy, "connect", "connect: " + text};
    case CURLE_OPERATION_TIMEDOUT:
      return {Verdict::kUnhealthy, "timeout", "timeout: " + text};
    case CURLE_FILESIZE_EXCEEDED:
      return {Verdict::kUnhealthy, "body_too_large", "body too large: over max_body_size"};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      if (Contains(text, "expired")) {
        return {Verdict::kUnhealthy, "cert_expired", "tls: certificate has expired"};
      }
      if (Contains(text, "does not match") || Contains(text, "no alternative certificate") ||
          Contains(text, "hostname mismatch")) {
        return {Verdict::kUnhealthy, "hostname_mismatch",
                "tls: certificate does not match the host name"};
      }
      return {Verdict::kUnhealthy, "tls", "tls: " + text};
    default:
      break;
  }
  if (Contains(text, "reset by peer")) {
    return {Verdict::kUnhealthy, "reset", "connection reset by peer"};
  }
  if (code == CURLE_GOT_NOTHING) {
    return {Verdict::kUnhealthy, "protocol", "empty reply from server"};
  }
  return {Verdict::kUnhealthy, "protocol", "http: " + text};
}

std::optional<double> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) {
    return std::nullopt;
  }
  double seconds = static_cast<double>(timegm(&tm));
  if (*rest == '.') {
    char* end = nullptr;
    seconds += std::strtod(rest, &end);
    rest = end;
  }
  if (*rest == 'Z' || *rest == 'z') {
    return rest[1] == '\0' ? std::optional<double>(seconds) : std::nullopt;
  }
  int hours = 0, minutes = 0;
  char sign = 0;
  if (std::sscanf(rest, "%c%2d:%2d", &sign, &hours, &minutes) != 3 ||
      (sign != '+' && sign != '-') || std::string(rest).size() != 6) {
    return std::nullopt;
  }
  const double offset = hours * 3600.0 + minutes * 60.0;
  return sign == '+' ? seconds - offset : seconds + offset;
}

std::optional<double> ParseGoDurationSeconds(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  if (text == "0") {
    return 0.0;
  }
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (i == start) return std::nullopt;
    auto number = ParseNumber(text.substr(start, i - start));
    if (!number) return std::nullopt;
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "h")
      scale = 3600;
    else if (unit == "m")
      scale = 60;
    else if (unit == "s")
      scale = 1;
    else if (unit == "ms")
      scale = 1e-3;
    else if (unit == "us" || unit == "\u00b5s")
      scale = 1e-6;
    else if (unit == "ns")
      scale = 1e-9;
    else
      return std::nullopt;
    total += *number * scale;
  }
  return total;
}

std::vector<RateLimit> ParseRateLimits(const Headers& headers, double now_unix) {
  std::vector<RateLimit> out;
  static const std::string kAnthropic = "anthropic-ratelimit-";
  static const std::string kOpenAi = "x-ratelimit-";
  for (const auto& [name, value] : headers) {
    if (name.rfind(kAnthropic, 0) == 0) {
      const std::string rest = name.substr(kAnthropic.size());  // tokens-remaining
      const size_t dash = rest.rfind('-');
      if (dash == std::string::npos) continue;
      const std::string kind = Underscored(rest.substr(0, dash));
      const std::string field = rest.substr(dash + 1);
      if (field == "limit") {
        if (auto v = ParseNumber(value)) KindEntry(out, kind).limit = v;
      } else if (field == "remaining") {
        if (auto v = ParseNumber(value)) KindEntry(out, kind).remaining = v;
      } else if (field == "reset") {
        if (auto v = ParseRfc3339(value)) KindEntry(out, kind).reset_unix_seconds = v;
      }
    } else if (name.rfind(kOpenAi, 0) == 0) {
      const std::string rest = name.substr(kOpenAi.size());  // remaining-tokens or remaining
      const size_t dash = rest.find('-');
      if (dash == std::string::npos) continue;  // GitHub style, below
      const std::string field = rest.substr(0, dash);
      const std::string kind = Underscored(rest.substr(dash + 1));
      if (field == "limit") {
        if (auto v = ParseNumber(value)) KindEntry(out, kind).limit = v;
      } else if (field == "remaining") {
        if (auto v = ParseNumber(value)) KindEntry(out, kind).remaining = v;
      } else if (field == "reset") {
        if (auto v = ParseGoDurationSeconds(value))
          KindEntry(out, kind).reset_unix_seconds = now_unix + *v;
      }
    }
  }
  // GitHub: x-ratelimit-limit / -remaining / -reset (epoch seconds) for x-ratelimit-resource.
  if (headers.count("x-ratelimit-limit") || headers.count("x-ratelimit-remaining")) {
    std::string kind = Safe(Header(headers, "x-ratelimit-resource"));
    if (kind.empty()) kind = "requests";
    RateLimit& entry = KindEntry(out, kind);
    if (auto v = ParseNumber(Header(headers, "x-ratelimit-limit"))) entry.limit = v;
    if (auto v = ParseNumber(Header(headers, "x-ratelimit-remaining"))) entry.remaining = v;
    if (auto v = ParseNumber(Header(headers, "x-ratelimit-reset"))) entry.reset_unix_seconds = v;
  }
  return out;
}

std::vector<RateLimit> ParseGithubRateLimitBody(const std::string& body) {
  std::vector<RateLimit> out;
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("resources") || !json["resources"].is_object()) {
    return out;
  }
  for (const auto& [name, resource] : json["resources"].items()) {
    if (!resource.is_object()) continue;
    RateLimit entry{Safe(name), std::nullopt, std::nullopt, std::nullopt};
    auto number = [&resource](const char* key) -> std::optional<double> {
      auto it = resource.find(key);
      if (it == resource.end() || !it->is_number()) return std::nullopt;
      return it->get<double>();
    };
    entry.limit = number("limit");
    entry.remaining = number("remaining");
    entry.reset_unix_seconds = number("reset");
    if (!entry.kind.empty()) out.push_back(entry);
  }
  return out;
}

}  // namespace sidecar::probes::http
