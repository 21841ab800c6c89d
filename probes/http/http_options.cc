#include "probes/http/http_options.h"

#include <algorithm>
#include <cctype>

#include "agent/common/redact.h"
#include "probes/http/status_page.h"

namespace sidecar::probes::http {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void ReadTls(config::ConfigNode& node, HttpOptions& options) {
  auto tls = node.GetMap("tls");
  if (!tls) {
    return;
  }
  options.tls.ca_file = tls->GetString("ca_file").value_or("");
  options.tls.cert_file = tls->GetString("cert_file").value_or("");
  options.tls.key_file = tls->GetString("key_file").value_or("");
  options.tls.server_name = tls->GetString("server_name").value_or("");
  options.tls.insecure_skip_verify = tls->GetBool("insecure_skip_verify").value_or(false);
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    tls->Error("cert_file", "give both cert_file and key_file, or neither");
  }
  if (auto version = tls->GetString("min_version")) {
    if (*version == "1.3" || *version == "TLS13") {
      options.tls.tls13_only = true;
    } else if (*version != "1.2" && *version != "TLS12") {
      tls->Error("min_version", "expected 1.2 or 1.3, got '" + *version + "'");
    }
  }
}

// Keys every http probe has, preset or not.
void ReadTransportKeys(config::ConfigNode& node, HttpOptions& options) {
  ReadTls(node, options);
  if (auto ip = node.GetString("ip_preference")) {
    if (*ip == "ipv4") {
      options.ip = IpPreference::kIpv4;
    } else if (*ip == "ipv6") {
      options.ip = IpPreference::kIpv6;
    } else if (*ip != "any") {
      node.Error("ip_preference", "expected any, ipv4 or ipv6, got '" + *ip + "'");
    }
  }
  if (auto cap = node.GetInt("max_body_size", 1, int64_t{1} << 34)) {
    options.max_body_size = static_cast<size_t>(*cap);
  }
  if (auto file = node.state().env("SSL_CERT_FILE"); file && !file->empty()) {
    options.extra_ca_files.push_back(*file);
  }
}

void ReadGenericKeys(config::ConfigNode& node, HttpOptions& options) {
  if (auto url = node.GetString("url")) {
    options.url = *url;
    if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
      node.Error("url", "expected an http:// or https:// URL");
    }
  } else {
    node.ErrorHere("missing key 'url' (or 'preset')");
  }
  if (auto method = node.GetString("method")) {
    options.method = *method;
    std::transform(options.method.begin(), options.method.end(), options.method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  if (auto headers = node.GetStringMap("headers")) {
    for (const auto& [name, value] : *headers) {
      const bool secret = IsSensitiveHeader(name);
      if (secret) {
        RegisterSecret(value);
      }
      options.headers.push_back({name, value, secret});
    }
  }
  if (auto token = node.GetSecret("bearer_token")) {
    options.headers.push_back({"Authorization", "Bearer " + *token, true});
  }
  options.body = node.GetString("body").value_or("");
  if (auto codes = node.GetStringList("valid_status_codes")) {
    auto ranges = ParseStatusRanges(*codes);
    if (ranges.ok()) {
      options.valid_status = std::move(ranges).value();
    } else {
      node.Error("valid_status_codes", ranges.status().message());
    }
  }
  options.body_contains = node.GetString("body_contains").value_or("");
  if (auto pattern = node.GetString("body_regex")) {
    auto regex = std::make_shared<RE2>(*pattern, RE2::Quiet);
    if (!regex->ok()) {
      node.Error("body_regex", "invalid regular expression: " + regex->error());
    } else {
      options.body_regex = std::move(regex);
    }
  }
  for (auto& check : node.GetMapList("json")) {
    JsonCheck json;
    if (auto pointer = check.GetString("pointer")) {
      json.pointer = *pointer;
      if (!json.pointer.empty() && json.pointer[0] != '/') {
        check.Error("pointer", "expected a JSON pointer such as /status or /data/0/id");
      }
    } else {
      check.ErrorHere("missing key 'pointer'");
    }
    json.equals = check.GetString("equals");
    options.json_checks.push_back(std::move(json));
  }
  options.follow_redirects = node.GetBool("follow_redirects").value_or(true);
  options.max_redirects = static_cast<int>(node.GetInt("max_redirects", 0, 50).value_or(10));
}

}  // namespace

bool IsSensitiveHeader(const std::string& name) {
  const std::string lower = Lower(name);
  for (const char* word : {"authorization", "cookie", "key", "token", "secret", "auth"}) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::optional<HttpOptions> ReadHttpOptions(config::ConfigNode& node) {
  const size_t errors_before = node.state().errors.size();
  HttpOptions options;
  ReadTransportKeys(node, options);
  if (auto preset = node.GetString("preset")) {
    ApplyPreset(*preset, node, options);
  } else {
    ReadGenericKeys(node, options);
  }
  if (auto page = node.GetString("status_page")) {
    if (*page == "true") {
      options.status_page_url = PresetStatusPage(options.preset);
      if (options.status_page_url.empty()) {
        node.Error("status_page",
                   "no known Statuspage for " +
                       (options.preset.empty() ? "a plain http probe" : options.preset) +
                       ": give the URL of its /api/v2/status.json");
      }
    } else if (page->rfind("http://", 0) == 0 || page->rfind("https://", 0) == 0) {
      options.status_page_url = *page;
    } else if (*page != "false") {
      node.Error("status_page", "expected true, false or a URL, got '" + *page + "'");
    }
  }
  if (node.state().errors.size() != errors_before) {
    return std::nullopt;
  }
  return options;
}

}  // namespace sidecar::probes::http
