#include "probes/redis/redis_options.h"

#include <sstream>

#include "agent/common/redact.h"

namespace sidecar::probes::redis {
namespace {

struct TlsKeys {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::optional<std::string> server_name;
  bool insecure_skip_verify = false;
};

// Reads the `tls` block's keys (all of them, so none is reported unknown) and checks those that
// stand alone.
TlsKeys ReadTlsKeys(config::ConfigNode& tls) {
  TlsKeys keys;
  keys.ca_file = tls.GetString("ca_file").value_or("");
  keys.cert_file = tls.GetString("cert_file").value_or("");
  keys.key_file = tls.GetString("key_file").value_or("");
  keys.server_name = tls.GetString("server_name");
  keys.insecure_skip_verify = tls.GetBool("insecure_skip_verify").value_or(false);
  tls.CheckUnknownKeys();  // the agent checks the probe's own level only
  if (!keys.cert_file.empty() && keys.key_file.empty()) {
    tls.Error("cert_file", "a client certificate needs its key_file");
  } else if (keys.cert_file.empty() && !keys.key_file.empty()) {
    tls.Error("key_file", "a client key needs its cert_file");
  }
  if (keys.server_name && keys.server_name->empty()) {
    tls.Error("server_name", "must not be empty (leave it out to verify the URL host)");
  }
  return keys;
}

// Builds the TLS context of a rediss:// probe; problems are recorded at the key they concern.
void SetUpTls(config::ConfigNode& node, std::optional<config::ConfigNode>& tls, const TlsKeys& keys,
              RedisOptions& options) {
  options.verify = !keys.insecure_skip_verify;
  options.server_name = keys.server_name.value_or(options.url.host);
  auto ctx = NewTlsClientContext(options.verify);
  if (!ctx.ok()) {
    node.Error("tls", ctx.status().message());
    return;
  }
  if (options.verify || !keys.ca_file.empty()) {
    Status cas = LoadTrustedCas(ctx->get(), keys.ca_file);
    if (!cas.ok()) {
      if (tls && !keys.ca_file.empty()) {
        tls->Error("ca_file", cas.message());
      } else {
        node.Error("tls", cas.message());
      }
    }
  }
  if (tls && !keys.cert_file.empty() && !keys.key_file.empty()) {
    Status cert = LoadClientCertificate(ctx->get(), keys.cert_file, keys.key_file);
    if (!cert.ok()) {
      tls->Error("cert_file", cert.message());
    }
  }
  options.tls_context = std::move(*ctx);
}

std::string FormatRatio(double ratio) {
  std::ostringstream out;
  out << ratio;
  return out.str();
}

}  // namespace

std::optional<RedisOptions> ReadRedisOptions(config::ConfigNode& node) {
  const size_t errors_before = node.state().errors.size();
  RedisOptions options;

  const bool has_url = node.Has("url") || node.Has("url_file");
  auto url_text = node.GetSecretUrl("url");
  bool url_ok = false;
  if (!has_url) {
    node.ErrorHere("url is required: redis://host:6379, or rediss://host:6380 for TLS");
  } else if (url_text) {
    auto url = ParseRedisUrl(*url_text);
    if (url.ok()) {
      options.url = std::move(*url);
      url_ok = true;
      if (options.url.password) {
        RegisterSecret(*options.url.password);  // decoded, as AUTH sends it
      }
    } else {
      node.Error(node.Has("url") ? "url" : "url_file", url.status().message());
    }
  }

  auto username = node.GetString("username");
  const bool has_password_key = node.Has("password") || node.Has("password_file");
  auto password = node.GetSecret("password");
  options.username = username.value_or(options.url.username);
  if (has_password_key) {
    if (password && !password->empty()) {
      options.password = std::move(*password);
    }
  } else {
    options.password = options.url.password;
  }
  if (url_ok && !options.username.empty() && !options.password && !has_password_key) {
    node.Error(username ? "username" : "url",
               "user '" + options.username +
                   "' has no password: AUTH needs one "
                   "(give password, password_file or user:password@ in the URL)");
  }

  options.info = node.GetBool("info").value_or(true);
  options.max_memory_ratio = node.GetDouble("max_memory_ratio");
  if (options.max_memory_ratio) {
    const double ratio = *options.max_memory_ratio;
    if (!(ratio > 0 && ratio <= 1)) {
      node.Error("max_memory_ratio",
                 "expected a ratio above 0 and at most 1, such as 0.9, got " + FormatRatio(ratio));
    } else if (!options.info) {
      node.Error("max_memory_ratio", "needs info: true (used_memory and maxmemory come from INFO)");
    }
  }

  auto tls = node.GetMap("tls");
  TlsKeys tls_keys;
  if (tls) {
    tls_keys = ReadTlsKeys(*tls);
  }
  if (url_ok && tls && !options.url.tls) {
    node.Error("tls", "TLS settings for a redis:// URL: use rediss:// to connect with TLS");
  }
  if (url_ok && options.url.tls) {
    SetUpTls(node, tls, tls_keys, options);
  }

  if (node.state().errors.size() != errors_before) {
    return std::nullopt;
  }
  return options;
}

}  // namespace sidecar::probes::redis
