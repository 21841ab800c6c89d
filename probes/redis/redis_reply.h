// What Redis replies mean for the probe: error replies turned into a failure kind and a short
// reason, and the INFO fields the probe reports. Pure functions over text (hiredis parses the
// RESP framing); thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/probe.h"

namespace sidecar::probes::redis {

struct ReplyProblem {
  std::string failure;  // "auth" or "protocol"
  std::string reason;   // one short line, not yet redacted
};

// Classifies the error reply `error` (without the leading '-') to `command` ("AUTH", "PING"):
//   AUTH: anything          -> auth, "credentials rejected: WRONGPASS invalid username-..."
//   NOAUTH ...              -> auth, "password required: NOAUTH Authentication required."
//   NOPERM ...              -> auth, "permission denied: NOPERM ..."
//   LOADING ...             -> protocol, "server loading dataset"
//   BUSY / MASTERDOWN ...   -> protocol, with what it means
//   anything else           -> protocol, "unexpected reply to PING: -ERR ..."
ReplyProblem ClassifyErrorReply(std::string_view command, std::string_view error);

// The first line of `text`, at most `max_length` characters ("..." marks a cut).
std::string FirstLine(std::string_view text, size_t max_length = 160);

// The INFO fields the probe exports. Absent fields stay empty.
struct RedisInfo {
  std::string version;  // redis_version (Valkey reports it too)
  std::string role;     // "master" or "slave", as INFO spells it
  std::optional<double> used_memory;
  std::optional<double> maxmemory;
  std::optional<double> connected_clients;
  std::optional<bool> master_link_up;  // replicas only: master_link_status up/down
};

// Reads "field:value" lines of one or more INFO section replies ("# Server\r\nredis_version:
// 7.0.15\r\n..."); unknown fields, comments and malformed lines are skipped.
RedisInfo ParseRedisInfo(std::string_view text);

// The samples of redis_metrics.h that `info` holds facts for.
std::vector<Sample> InfoSamples(const RedisInfo& info);

// "used_memory is 93.5% of maxmemory, above 90%" when used_memory / maxmemory exceeds
// `max_ratio` and maxmemory is set (> 0); nullopt otherwise, or when INFO said neither.
std::optional<std::string> MemoryAboveRatio(const RedisInfo& info, double max_ratio);

}  // namespace sidecar::probes::redis
