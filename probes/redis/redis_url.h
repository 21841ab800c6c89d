// Parses the Redis URLs users already keep in REDIS_URL for their Node (node-redis, ioredis) and
// Python (redis-py) clients: redis://[[user]:password@]host[:port][/db] and rediss:// for TLS.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/common/status.h"

namespace sidecar::probes::redis {

inline constexpr uint16_t kDefaultRedisPort = 6379;

struct RedisUrl {
  bool tls = false;      // rediss://
  std::string username;  // percent-decoded; empty when the URL has none
  // Percent-decoded; nullopt when the URL has none or an empty one ("redis://:@host"), as
  // redis-py and node-redis then skip AUTH.
  std::optional<std::string> password;
  std::string host;  // an IPv6 literal without its brackets
  uint16_t port = kDefaultRedisPort;
  int64_t db = 0;  // from the path ("/2") or redis-py's "?db=2"
};

// Returns the URL's parts, or InvalidArgument with a message that never repeats the user info
// ("unsupported scheme 'http': use redis:// or rediss://", "invalid port '99999': ...").
Result<RedisUrl> ParseRedisUrl(std::string_view text);

// The URL for humans, never with the password: "rediss://app:***@cache:6380/2". `has_password`
// says whether a password is sent at all (it may come from the `password` key, not the URL).
std::string FormatRedisTarget(const RedisUrl& url, bool has_password);

}  // namespace sidecar::probes::redis
