// The tcp probe: resolves through the agent's Resolver, connects without blocking, optionally
// does a TLS handshake, then optionally sends bytes and waits for an answer matching a regex.
// The socket, TLS and connect code is the redis probe's (probes/redis/byte_stream.h,
// tls_context.h), used as is.
//
// Keys: host, port (required), ip_preference (any|ipv4|ipv6), tls (a map, `tls: {}` for the
// defaults: ca_file, cert_file, key_file, server_name, insecure_skip_verify), send (text; \r\n
// written literally in YAML double quotes), expect (RE2 regex searched in what the peer sent, up to
// 64 KiB). Samples: probe_tcp_duration_seconds{phase="resolve|connect|tls|exchange"}. Failure
// kinds: resolve, connect, tls, cert_expired, hostname_mismatch, reset, expect.
//
// Threading: like every probe, loop thread only.
#pragma once

#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::probes::tcp {

inline constexpr MetricDef kTcpDurationSeconds{
    "probe_tcp_duration_seconds", "Duration of each phase of the TCP probe, in seconds."};

// Reads the probe's keys; nullptr after recording every problem in `node`.
ProbePtr CreateTcpProbe(config::ConfigNode& node);

}  // namespace sidecar::probes::tcp
