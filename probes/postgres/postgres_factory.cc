// CreatePostgresProbe: the `postgres` entry of the config, validated in full.
#include <libpq-fe.h>

#include "agent/common/redact.h"
#include "probes/postgres/postgres_probe.h"

namespace sidecar::probes::postgres {

ProbePtr CreatePostgresProbe(config::ConfigNode& node) {
  const size_t errors_before = node.state().errors.size();
  const char* url_key = node.Has("url_file") ? "url_file" : "url";
  const bool has_url = node.Has("url") || node.Has("url_file");
  std::optional<std::string> url = node.GetSecretUrl("url");

  PostgresOptions options;
  options.password = node.GetSecret("password");
  if (auto query = node.GetString("query")) {
    if (query->empty()) {
      node.Error("query", "must not be empty");
    }
    options.query = *query;
  }
  options.expect = node.GetString("expect");
  options.facts = node.GetBool("facts").value_or(true);
  options.thresholds.max_connections_ratio = node.GetDouble("max_connections_ratio");
  if (auto ratio = options.thresholds.max_connections_ratio; ratio && (*ratio <= 0 || *ratio > 1)) {
    node.Error("max_connections_ratio",
               "expected a share of max_connections above 0 and at most 1, such as 0.9");
  }
  options.thresholds.max_replication_lag = node.GetDuration("max_replication_lag");
  if ((options.thresholds.max_connections_ratio || options.thresholds.max_replication_lag) &&
      !options.facts) {
    node.Error("facts",
               "the max_connections_ratio and max_replication_lag thresholds need "
               "facts: true");
  }

  if (!has_url) {
    node.Error("url", "required: a postgres:// URL or a key=value conninfo string (or url_file)");
  }
  if (url) {
    auto info = ParseConnInfo(*url);
    if (!info.ok()) {
      node.Error(url_key,
                 "not a valid Postgres URL or conninfo string: " + info.status().message());
    } else {
      // GetSecretUrl registered the URL's password as written; libpq sees it decoded, and a
      // conninfo string's "password=" is not a URL password at all.
      if (auto password = info->options.find("password"); password != info->options.end()) {
        RegisterSecret(password->second);
      }
      if (info->options.count("service") != 0) {
        node.Error(url_key,
                   "service files are not supported: write host, port and dbname in "
                   "the URL so the agent can resolve the host without blocking");
      }
      auto hosts = HostEntries(*info, EnvironmentDefaults());
      if (!hosts.ok()) {
        node.Error(url_key, hosts.status().message());
      } else {
        options.hosts = std::move(hosts.value());
      }
      auto timeout = ConnectTimeout(*info);
      if (!timeout.ok()) {
        node.Error(url_key, timeout.status().message());
      } else {
        options.connect_timeout = *timeout;
      }
      options.target = DisplayTarget(*url, *info);
      options.conninfo = std::move(info.value());
    }
  }
  if (node.state().errors.size() != errors_before || !url) {
    return nullptr;
  }
  return std::make_unique<PostgresProbe>(std::move(options));
}

}  // namespace sidecar::probes::postgres
