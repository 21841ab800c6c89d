#include "probes/postgres/facts.h"

#include <fmt/format.h>

#include <cstdlib>

namespace sidecar::probes::postgres {

const MetricDef kDurationSeconds{"probe_postgres_duration_seconds",
                                 "Seconds each phase of the Postgres probe took (phase: resolve, "
                                 "connect, query)"};
const MetricDef kConnections{"probe_postgres_connections",
                             "Client connections in use on the server (pg_stat_activity)"};
const MetricDef kMaxConnections{"probe_postgres_max_connections",
                                "The server's max_connections setting"};
const MetricDef kInRecovery{"probe_postgres_in_recovery",
                            "1 when the server is a replica (in recovery), 0 on a primary"};
const MetricDef kReplicationLagSeconds{
    "probe_postgres_replication_lag_seconds",
    "Seconds since the last replayed transaction on a replica; 0 when caught up"};
const MetricDef kServerVersionNum{"probe_postgres_server_version_num",
                                  "The server's server_version_num, e.g. 150020"};

// pg_stat_activity and current_setting() are open to every role; the lag is 0 while the
// replica has replayed all it received, else the age of the last replayed transaction.
const char* const kFactsQuery =
    "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
    "current_setting('max_connections'), pg_is_in_recovery(), "
    "CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END";

namespace {

std::optional<double> Number(const std::optional<std::string>& text) {
  if (!text || text->empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (*end != '\0') {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Facts ReadFacts(const std::vector<std::optional<std::string>>& row, int server_version,
                const FactsThresholds& thresholds) {
  Facts facts;
  if (server_version > 0) {
    facts.samples.push_back(Sample{&kServerVersionNum, {}, static_cast<double>(server_version)});
  }
  if (row.size() < 4) {
    return facts;
  }
  const std::optional<double> in_use = Number(row[0]);
  const std::optional<double> max = Number(row[1]);
  const bool in_recovery = row[2] && *row[2] == "t";
  const std::optional<double> lag = in_recovery ? Number(row[3]) : std::nullopt;
  if (in_use) {
    facts.samples.push_back(Sample{&kConnections, {}, *in_use});
  }
  if (max) {
    facts.samples.push_back(Sample{&kMaxConnections, {}, *max});
  }
  if (row[2]) {
    facts.samples.push_back(Sample{&kInRecovery, {}, in_recovery ? 1.0 : 0.0});
  }
  if (lag) {
    facts.samples.push_back(Sample{&kReplicationLagSeconds, {}, *lag});
  }
  if (thresholds.max_connections_ratio && in_use && max && *max > 0 &&
      *in_use / *max > *thresholds.max_connections_ratio) {
    facts.degraded.push_back(fmt::format("connections {}/{} in use", *in_use, *max));
  }
  if (thresholds.max_replication_lag && lag && *lag > ToSeconds(*thresholds.max_replication_lag)) {
    facts.degraded.push_back(fmt::format("replication lag {:.1f}s exceeds {}", *lag,
                                         FormatDuration(*thresholds.max_replication_lag)));
  }
  return facts;
}

}  // namespace sidecar::probes::postgres
