// The samples of the Postgres probe, and the pure reading of its server-facts query: one cheap
// query that needs no superuser (connections in use, max_connections, recovery, replica lag)
// plus the version libpq learnt at connect time. Degraded thresholds are judged here too.
// Pure functions over constants; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/common/duration.h"
#include "probes/probe.h"

namespace sidecar::probes::postgres {

extern const MetricDef kDurationSeconds;        // {phase="resolve|connect|query"}
extern const MetricDef kConnections;            // client connections in use
extern const MetricDef kMaxConnections;         // the max_connections setting
extern const MetricDef kInRecovery;             // 1 on a replica, 0 on a primary
extern const MetricDef kReplicationLagSeconds;  // replicas only; 0 when caught up
extern const MetricDef kServerVersionNum;       // server_version_num, e.g. 150020

// Columns: client connections in use, max_connections, pg_is_in_recovery(), replica lag in
// seconds (NULL on a primary).
extern const char* const kFactsQuery;

struct FactsThresholds {
  std::optional<double> max_connections_ratio;  // degraded when in use / max exceeds it
  std::optional<Duration> max_replication_lag;  // degraded when a replica lags more
};

struct Facts {
  std::vector<Sample> samples;
  // "connections 91/100 in use", "replication lag 12.5s exceeds 10s"; empty when within bounds.
  std::vector<std::string> degraded;
};

// Reads the facts query's first row (empty when the query failed: then only the version is
// reported) and `server_version` (PQserverVersion, 0 when unknown).
Facts ReadFacts(const std::vector<std::optional<std::string>>& row, int server_version,
                const FactsThresholds& thresholds);

}  // namespace sidecar::probes::postgres
