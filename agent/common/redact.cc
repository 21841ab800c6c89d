#include "agent/common/redact.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace sidecar {
namespace {

std::shared_mutex& SecretsMutex() {
  static std::shared_mutex mutex;
  return mutex;
}

std::vector<std::string>& Secrets() {
  static std::vector<std::string> secrets;
  return secrets;
}

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

bool IsSensitiveParam(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower == "password" || lower == "pass" || lower == "passwd" || lower == "key" ||
         lower == "apikey" || lower == "api_key" || lower == "token" || lower == "secret" ||
         lower == "sslpassword" || lower == "access_token";
}

// Masks "user:pass@" in every "scheme://" occurrence of `text`, and sensitive query values.
std::string MaskUrls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t sep = text.find("://", i);
    if (sep == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    size_t scheme_start = sep;
    while (scheme_start > i && IsSchemeChar(text[scheme_start - 1])) {
      --scheme_start;
    }
    out.append(text.substr(i, sep + 3 - i));
    size_t authority_start = sep + 3;
    size_t end = authority_start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
           text[end] != '"' && text[end] != '\'') {
      ++end;
    }
    std::string_view url = text.substr(authority_start, end - authority_start);
    // The authority ends at the first '/', '?' or '#'; userinfo is before its last '@'.
    const size_t path_at = url.find_first_of("/?#");
    std::string_view authority = url.substr(0, path_at);
    const size_t at = authority.rfind('@');
    std::string masked;
    if (at != std::string_view::npos && scheme_start < sep) {
      std::string_view userinfo = authority.substr(0, at);
      const size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        masked.append(userinfo.substr(0, colon + 1)).append(kRedacted);
      } else {
        masked.append(userinfo);
      }
      masked.append(authority.substr(at));
    } else {
      masked.append(authority);
    }
    if (path_at != std::string_view::npos) {
      std::string_view rest = url.substr(path_at);
      const size_t q = rest.find('?');
      if (q == std::string_view::npos) {
        masked.append(rest);
      } else {
        masked.append(rest.substr(0, q + 1));
        std::string_view query = rest.substr(q + 1);
        size_t p = 0;
        while (p <= query.size()) {
          size_t amp = query.find('&', p);
          if (amp == std::string_view::npos) amp = query.size();
          std::string_view pair = query.substr(p, amp - p);
          const size_t eq = pair.find('=');
          if (eq != std::string_view::npos && IsSensitiveParam(pair.substr(0, eq))) {
            masked.append(pair.substr(0, eq + 1)).append(kRedacted);
          } else {
            masked.append(pair);
          }
          if (amp < query.size()) masked.push_back('&');
          p = amp + 1;
        }
      }
    }
    out.append(masked);
    i = end;
  }
  return out;
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 4) {
    return;
  }
  std::unique_lock lock(SecretsMutex());
  auto& secrets = Secrets();
  if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end()) {
    secrets.emplace_back(secret);
    // Longest first, so a secret that contains another is masked whole.
    std::sort(secrets.begin(), secrets.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }
}

std::string Redact(std::string_view text) {
  std::string out(text);
  {
    std::shared_lock lock(SecretsMutex());
    for (const std::string& secret : Secrets()) {
      size_t pos = 0;
      while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  if (out.find("://") == std::string::npos) {
    return out;
  }
  return MaskUrls(out);
}

std::string RedactUrl(std::string_view url) { return MaskUrls(url); }

void ClearSecretsForTesting() {
  std::unique_lock lock(SecretsMutex());
  Secrets().clear();
}

}  // namespace sidecar
