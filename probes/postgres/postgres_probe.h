// The `postgres` probe: connects, runs one query (SELECT 1 by default), optionally checks its
// answer, and reads a few server facts (connections in use, max_connections, replica or
// primary, replication lag, version) in the same connection.
//
// Everything runs on the agent's loop without ever blocking it: host names are resolved with
// the agent's Resolver and handed to libpq as `hostaddr` (with `host` kept for TLS checks), and
// libpq's socket is driven by readiness (PQconnectStartParams/PQconnectPoll, then
// PQsendQuery/PQflush/PQconsumeInput/PQisBusy/PQgetResult). libpq ignores `connect_timeout` in
// that mode, so the probe enforces it with a timer. Cancel() closes the connection with
// PQfinish and never PQcancel, which blocks.
//
// Threading: loop thread only, like every probe (probes/probe.h).
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/config/config_node.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "probes/postgres/conninfo.h"
#include "probes/postgres/facts.h"
#include "probes/probe.h"

namespace sidecar::probes::postgres {

struct PostgresOptions {
  std::string target;                   // for Target(): never holds the password
  ConnInfo conninfo;                    // as parsed from `url`
  std::vector<HostEntry> hosts;         // before resolution
  std::optional<std::string> password;  // `password` / `password_file`: overrides the URL's
  std::string query = "SELECT 1";
  std::optional<std::string> expect;  // first column of the first row must equal it
  bool facts = true;
  std::optional<Duration> connect_timeout;  // from the URL's connect_timeout
  FactsThresholds thresholds;
};

class PostgresProbe final : public Probe {
 public:
  explicit PostgresProbe(PostgresOptions options);
  ~PostgresProbe() override;
  PostgresProbe(const PostgresProbe&) = delete;
  PostgresProbe& operator=(const PostgresProbe&) = delete;

  void Start(const ProbeContext& ctx, Done done) override;
  void Cancel() override;
  std::string Target() const override { return options_.target; }

 private:
  enum class Phase { kIdle, kResolve, kConnect, kQuery, kFacts };

  void OnResolved(size_t index, Result<std::vector<Address>> answer);
  void StartConnect(const std::vector<HostEntry>& hosts);
  void WatchSocket(uint32_t events);
  void OnReady(uint32_t ready);
  void OnConnectReady();
  void FailConnect();  // classifies PQerrorMessage()
  void StartQuery(Phase phase, const char* sql);
  void OnQueryReady(uint32_t ready);
  bool TakeResult(PGresult* result);  // false for a COPY result
  void OnConnectionLost();
  void OnQueryFinished();
  void OnFactsFinished();
  void EndPhase(const char* phase);
  void Fail(std::string kind, std::string reason);
  void Finish(ProbeResult result);
  void Release();

  const PostgresOptions options_;

  // One exchange's state; Release() resets it.
  EventLoop* loop_ = nullptr;
  Resolver* resolver_ = nullptr;
  TimePoint deadline_{};
  Done done_;
  Phase phase_ = Phase::kIdle;
  TimePoint phase_start_{};
  std::vector<Sample> samples_;
  std::vector<Resolver::LookupId> lookups_;
  std::vector<std::optional<Result<std::vector<Address>>>> answers_;
  size_t lookups_pending_ = 0;
  PGconn* conn_ = nullptr;
  EventLoop::WatchId watch_ = 0;
  uint32_t watch_events_ = 0;
  TimerId timer_ = 0;  // connect_timeout while connecting; the facts budget while reading facts
  bool flushing_ = false;
  // What the query in flight returned.
  std::optional<std::string> query_error_;
  bool got_row_ = false;
  std::optional<std::string> first_value_;  // nullopt for SQL NULL
  std::vector<std::optional<std::string>> facts_row_;
};

// Reads the probe's keys (url or url_file, password or password_file, query, expect, facts,
// max_connections_ratio, max_replication_lag); nullptr after recording every problem in `node`.
ProbePtr CreatePostgresProbe(config::ConfigNode& node);

}  // namespace sidecar::probes::postgres
