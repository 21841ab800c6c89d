// The redis probe: one connection per run to a Redis server (ElastiCache, Memorystore, a
// sidecar), AUTH when a password is set, PING expecting PONG, then INFO for server facts.
//
// Everything runs on the agent's event loop and never blocks it: the name goes through the
// Resolver, the TCP connect and the TLS handshake (OpenSSL, rediss://) are non-blocking, and
// hiredis 0.14 (which has no TLS) is used only to format commands and parse RESP replies.
// Failure kinds: resolve, connect, tls, auth, protocol; degraded ("threshold") above
// max_memory_ratio. Keys and metrics: redis_options.h, redis_metrics.h.
//
// Threading: like every probe, loop thread only.
#pragma once

#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::probes::redis {

// Reads the probe's keys (see redis_options.h); nullptr after recording every problem in `node`.
ProbePtr CreateRedisProbe(config::ConfigNode& node);

}  // namespace sidecar::probes::redis
