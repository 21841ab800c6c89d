// The http probe's configuration: the generic keys (method, url, headers, expected codes, body
// and JSON checks, TLS, redirects, IP preference, body cap) and the provider presets, which are
// data (http_presets.cc) that fill the same struct. Read once from the config.
//
// Keys of `type: http`: url, method, headers, body, bearer_token[_file], valid_status_codes,
// body_contains, body_regex, json (list of {pointer, equals}), follow_redirects, max_redirects,
// ip_preference (any|ipv4|ipv6), max_body_size (bytes), tls {ca_file, cert_file, key_file,
// server_name, min_version (1.2|1.3), insecure_skip_verify}. With `preset:` (claude, openai,
// stripe, github): base_url, api_key[_file], the preset's own keys and tls/ip/max_body_size;
// the request itself (method, path, auth headers) is fixed by the preset. Both: status_page
// (true for a preset's known Statuspage, or the URL of any Statuspage status.json).
//
// Thread-compatible: built on the config thread, then read-only.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/config/config_node.h"
#include "agent/loop/resolver.h"
#include "probes/http/http_classify.h"

namespace sidecar::probes::http {

struct TlsOptions {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool tls13_only = false;  // min_version 1.3; else 1.2
  bool insecure_skip_verify = false;
};

struct JsonCheck {
  std::string pointer;                // RFC 6901: "/data/0/type"
  std::optional<std::string> equals;  // string form of the value; absent: the field must exist
};

struct HttpHeader {
  std::string name;
  std::string value;
  bool secret = false;  // never sent after a redirect to another host, whatever its name
};

struct HttpOptions {
  std::string preset;  // empty for a plain http probe
  std::string method = "GET";
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  StatusRanges valid_status{{200, 299}};
  std::string body_contains;
  std::shared_ptr<RE2> body_regex;
  std::vector<JsonCheck> json_checks;
  TlsOptions tls;
  std::vector<std::string> extra_ca_files;  // $SSL_CERT_FILE
  bool follow_redirects = true;
  int max_redirects = 10;
  IpPreference ip = IpPreference::kAny;
  size_t max_body_size = 1 << 20;
  bool github_quota_body = false;  // read resources.* from GitHub's /rate_limit body
  std::string status_page_url;     // Statuspage status.json to consult; empty: none
};

// nullopt after recording every problem in `node`.
std::optional<HttpOptions> ReadHttpOptions(config::ConfigNode& node);

// Fills `options` from `node` for `preset` (claude, openai, stripe, github). False after
// recording errors (unknown preset, keys the preset fixes itself).
bool ApplyPreset(const std::string& preset, config::ConfigNode& node, HttpOptions& options);

// Header names whose values are secrets however they were written.
bool IsSensitiveHeader(const std::string& name);

}  // namespace sidecar::probes::http
