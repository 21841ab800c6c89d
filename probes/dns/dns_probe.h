// The dns probe: resolves a name through the agent's Resolver (getaddrinfo on its workers, so
// it sees what the app sees: /etc/hosts, search domains, the container's resolv.conf) and
// checks the answers. Keys: host (required), ip_preference (any|ipv4|ipv6), expect_addresses
// (every listed IP must be among the answers), min_answers (default 1).
// Samples: probe_dns_lookup_time_seconds, probe_dns_answer_rrs. Failure kinds: resolve, answer.
//
// Threading: like every probe, loop thread only.
#pragma once

#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::probes::dns {

inline constexpr MetricDef kDnsLookupTimeSeconds{"probe_dns_lookup_time_seconds",
                                                 "Time taken to resolve the name, in seconds."};
inline constexpr MetricDef kDnsAnswerRrs{"probe_dns_answer_rrs",
                                         "Number of addresses the name resolved to."};

// Reads the probe's keys; nullptr after recording every problem in `node`.
ProbePtr CreateDnsProbe(config::ConfigNode& node);

}  // namespace sidecar::probes::dns
