// The metrics the redis probe reports. Names follow blackbox_exporter's probe_<prober>_* style
// and pass promtool check metrics. Immutable; thread-safe.
#pragma once

#include "probes/probe.h"

namespace sidecar::probes::redis {

// Label phase: resolve | connect | tls (rediss only) | auth (when a password is sent) | ping.
inline constexpr MetricDef kRedisDurationSeconds{
    "probe_redis_duration_seconds", "Duration of each phase of the Redis probe, in seconds."};

// From INFO (when `info` is on and the user may run INFO).
inline constexpr MetricDef kRedisUsedMemoryBytes{
    "probe_redis_used_memory_bytes", "Memory the Redis server has allocated (INFO used_memory)."};
inline constexpr MetricDef kRedisMaxmemoryBytes{"probe_redis_maxmemory_bytes",
                                                "The Redis maxmemory setting; 0 means no limit."};
inline constexpr MetricDef kRedisConnectedClients{"probe_redis_connected_clients",
                                                  "Client connections open on the Redis server."};
// Value 1; labels version (redis_version) and role (master or slave, as INFO says).
inline constexpr MetricDef kRedisInfo{"probe_redis_info",
                                      "Redis server facts as labels: version and role."};
// Replicas only: 1 when master_link_status is up, else 0.
inline constexpr MetricDef kRedisMasterLinkUp{
    "probe_redis_master_link_up", "Whether the Redis replica's link to its master is up."};

}  // namespace sidecar::probes::redis
