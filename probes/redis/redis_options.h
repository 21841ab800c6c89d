// The redis probe's configuration: its YAML keys, read and validated in full.
//
//   url: ${REDIS_URL}            # redis://[[user]:password@]host[:port][/db]; rediss:// = TLS
//   username: app                # optional; overrides the URL's user (ACL user)
//   password: ${REDIS_PASSWORD}  # optional (or password_file); overrides the URL's
//   tls:                         # rediss:// only
//     ca_file: /etc/ssl/redis-ca.pem      # default: $SSL_CERT_FILE, else the system CAs
//     cert_file: /run/secrets/client.pem  # client certificate, with key_file
//     key_file: /run/secrets/client.key
//     server_name: cache.internal         # SNI and the name verified; default: the URL host
//     insecure_skip_verify: false
//   info: true                   # read INFO (server, clients, memory, replication)
//   max_memory_ratio: 0.9        # degraded above used_memory/maxmemory (when maxmemory > 0)
//
// Thread-compatible; the options are immutable once read.
#pragma once

#include <optional>
#include <string>

#include "agent/config/config_node.h"
#include "probes/redis/redis_url.h"
#include "probes/redis/tls_context.h"

namespace sidecar::probes::redis {

struct RedisOptions {
  RedisUrl url;                         // host, port, db, scheme
  std::string username;                 // AUTH username password when set (Redis 6 ACL)
  std::optional<std::string> password;  // AUTH is sent only when set
  bool info = true;
  std::optional<double> max_memory_ratio;  // in (0, 1]
  // rediss:// only.
  SslCtxPtr tls_context;
  std::string server_name;
  bool verify = true;
};

// Reads every key of the probe's entry, records each problem in `node` (with file, line and
// key) and returns nullopt when there was any.
std::optional<RedisOptions> ReadRedisOptions(config::ConfigNode& node);

}  // namespace sidecar::probes::redis
