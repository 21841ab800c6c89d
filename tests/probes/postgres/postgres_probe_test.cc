#include "probes/postgres/postgres_probe.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "tests/probes/postgres/pg_test_support.h"

namespace sidecar::probes::postgres::testing {
namespace {

// Builds a probe for the suite's server; `extra` holds more YAML keys of the entry.
ProbePtr ServerProbe(const std::string& url, const std::string& extra = "") {
  Built built = Build("url: ${PG_URL}\n" + extra, {{"PG_URL", url}});
  INFO(built.Errors());
  REQUIRE(built.probe != nullptr);
  return std::move(built.probe);
}

TEST_CASE("PostgresProbe: SELECT 1 on a live server is healthy and reports server facts",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url("?sslmode=disable"));
  const ProbeResult result = harness.Run(*probe);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.failure.empty());
  for (const char* phase : {"resolve", "connect", "query"}) {
    INFO(phase);
    const Sample* sample = FindSample(result, kDurationSeconds, phase);
    REQUIRE(sample != nullptr);
    CHECK(sample->value >= 0);
    CHECK(sample->value < 5);
  }
  const Sample* connections = FindSample(result, kConnections);
  const Sample* max_connections = FindSample(result, kMaxConnections);
  const Sample* in_recovery = FindSample(result, kInRecovery);
  const Sample* version = FindSample(result, kServerVersionNum);
  REQUIRE(connections != nullptr);
  REQUIRE(max_connections != nullptr);
  REQUIRE(in_recovery != nullptr);
  REQUIRE(version != nullptr);
  CHECK(connections->value >= 1);  // this probe's own connection
  CHECK(max_connections->value >= connections->value);
  CHECK(in_recovery->value == 0);
  CHECK(version->value >= 100000);
  CHECK(FindSample(result, kReplicationLagSeconds) == nullptr);  // a primary

  // The same probe runs again from a clean state.
  const ProbeResult again = harness.Run(*probe);
  CHECK(again.verdict == Verdict::kHealthy);
}

TEST_CASE("PostgresProbe: with facts off only the phase durations are reported",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url("?sslmode=disable"), "    facts: false\n");
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.samples.size() == 3);
  CHECK(FindSample(result, kConnections) == nullptr);
}

TEST_CASE("PostgresProbe: a custom query whose answer matches expect is healthy",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(
      server.Url(), "    query: SELECT current_database()\n    expect: " + server.db + "\n");
  const ProbeResult result = harness.Run(*probe);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
}

TEST_CASE("PostgresProbe: an answer that differs from expect says what came back",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url(), "    query: SELECT 41 + 1\n    expect: \"41\"\n");
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "unexpected_result");
  CHECK(result.reason == "query returned \"42\", expected \"41\"");

  ProbePtr empty =
      ServerProbe(server.Url(), "    query: SELECT 1 WHERE false\n    expect: \"1\"\n");
  const ProbeResult none = harness.Run(*empty);
  CHECK(none.failure == "unexpected_result");
  CHECK(none.reason == "query returned no rows, expected \"1\"");
}

TEST_CASE("PostgresProbe: a failing query is reported as a query failure",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url(), "    query: SELECT * FROM no_such_table\n");
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "query");
  CHECK(result.reason == "query: relation \"no_such_table\" does not exist");
  CHECK(FindSample(result, kDurationSeconds, "query") != nullptr);
}

TEST_CASE("PostgresProbe: the server's statement_timeout stops a query past the deadline",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url(), "    query: SELECT pg_sleep(10)\n");
  harness.Start(*probe, std::chrono::milliseconds(1500));
  harness.RunUntilDone(5s);
  REQUIRE(harness.calls == 1);
  CHECK(harness.result->failure == "query");
  CHECK(harness.result->reason.find("statement timeout") != std::string::npos);
}

TEST_CASE("PostgresProbe: a wrong password is reported as credentials rejected, without it",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  const std::string sentinel = "Sentinel-Wrong-Pw-8642";
  ProbePtr probe = ServerProbe(server.Url("?connect_timeout=5", sentinel));
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "auth");
  CHECK(result.reason.rfind("credentials rejected: ", 0) == 0);
  CHECK(result.reason.find(sentinel) == std::string::npos);
  CHECK(probe->Target().find(sentinel) == std::string::npos);
  CHECK(result.reason.size() < 200);
}

TEST_CASE("PostgresProbe: the password key overrides the URL's", "[postgres][integration]") {
  PgServer server;
  Harness harness;
  Built built =
      Build("url: ${PG_URL}\n    password: ${PG_PASSWORD}\n",
            {{"PG_URL", server.Url("", "Sentinel-Stale-Pw-1")}, {"PG_PASSWORD", server.password}});
  INFO(built.Errors());
  REQUIRE(built.probe != nullptr);
  const ProbeResult result = harness.Run(*built.probe);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
}

TEST_CASE("PostgresProbe: a database that does not exist is reported as such",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  server.db = "no_such_database_here";
  ProbePtr probe = ServerProbe(server.Url());
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.failure == "database");
  CHECK(result.reason == "database \"no_such_database_here\" does not exist");
}

TEST_CASE("PostgresProbe: a refused port is a connect failure", "[postgres][integration]") {
  PgServer server;
  Harness harness;
  server.port = std::to_string(RefusedPort());
  ProbePtr probe = ServerProbe(server.Url());
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.failure == "connect");
  CHECK(result.reason == "connect: connection refused");
  CHECK(FindSample(result, kDurationSeconds, "resolve") != nullptr);
}

TEST_CASE("PostgresProbe: a server that never answers leaves the probe pending until Cancel",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  Listener silent;
  server.port = std::to_string(silent.port());
  ProbePtr probe = ServerProbe(server.Url());
  const size_t fds_before = OpenFds();
  harness.Start(*probe, 5s);
  harness.RunFor(300ms);
  CHECK(harness.calls == 0);
  REQUIRE(silent.Accept() >= 0);
  probe->Cancel();
  probe->Cancel();  // idempotent
  CHECK(silent.PeerClosed());
  CHECK(OpenFds() == fds_before + 1);  // only the listener's accepted end
  harness.RunFor(200ms);
  CHECK(harness.calls == 0);
}

TEST_CASE("PostgresProbe: connect_timeout from the URL ends the connect phase",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  Listener silent;
  server.port = std::to_string(silent.port());
  ProbePtr probe = ServerProbe(server.Url("?connect_timeout=2"));
  const TimePoint start = Clock::now();
  const ProbeResult result = harness.Run(*probe, 10s);
  CHECK(result.failure == "connect");
  CHECK(result.reason == "connect: timeout after 2s");
  CHECK(Clock::now() - start < 4s);
}

TEST_CASE("PostgresProbe: a stopped server keeps the probe pending and Cancel frees it",
          "[postgres][integration]") {
  PgServer server;
  const pid_t pid =
      static_cast<pid_t>(std::atoi(sidecar::testing::RequireEnv("AGENT_TEST_PG_PID").c_str()));
  REQUIRE(pid > 0);
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url());
  {
    StopGuard stopped(pid);
    const TimePoint deadline = Clock::now() + 1s;
    harness.Start(*probe, 1s);
    harness.RunFor(deadline - Clock::now() + 200ms);
    CHECK(harness.calls == 0);
    const TimePoint before_cancel = Clock::now();
    probe->Cancel();
    CHECK(Clock::now() - before_cancel < 100ms);
    harness.RunFor(100ms);
    CHECK(harness.calls == 0);
  }
  // The server goes on, and so does the probe.
  const ProbeResult result = harness.Run(*probe);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
}

TEST_CASE("PostgresProbe: sslmode=verify-full with the suite's CA succeeds by host name",
          "[postgres][integration]") {
  PgServer server;
  const std::string ca = sidecar::testing::RequireEnv("AGENT_TEST_TLS_CA");
  Harness harness;
  // "localhost" goes through the resolver; the certificate names localhost.
  server.host = "localhost";
  ProbePtr probe = ServerProbe(server.Url("?sslmode=verify-full&sslrootcert=" + ca));
  const ProbeResult result = harness.Run(*probe);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
}

TEST_CASE("PostgresProbe: a certificate that does not name the host is a tls failure",
          "[postgres][integration]") {
  PgServer server;
  const std::string ca = sidecar::testing::RequireEnv("AGENT_TEST_TLS_CA");
  Harness harness;
  // hostaddr given by the user: no lookup, and the certificate is checked against `host`.
  Built built =
      Build("url: ${PG_URL}\n    password: ${PG_PASSWORD}\n",
            {{"PG_URL", "host=wrong-name.test hostaddr=" + server.host + " port=" + server.port +
                            " user=" + server.user + " dbname=" + server.db +
                            " sslmode=verify-full sslrootcert=" + ca},
             {"PG_PASSWORD", server.password}});
  INFO(built.Errors());
  REQUIRE(built.probe != nullptr);
  const ProbeResult result = harness.Run(*built.probe);
  CHECK(result.failure == "tls");
  CHECK(result.reason.find("wrong-name.test") != std::string::npos);
}

TEST_CASE("PostgresProbe: with several hosts the probe goes on past one that refuses",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  Built built = Build("url: ${PG_URL}\n    password: ${PG_PASSWORD}\n",
                      {{"PG_URL", "host=" + server.host + "," + server.host +
                                      " port=" + std::to_string(RefusedPort()) + "," + server.port +
                                      " user=" + server.user + " dbname=" + server.db},
                       {"PG_PASSWORD", server.password}});
  INFO(built.Errors());
  REQUIRE(built.probe != nullptr);
  const ProbeResult result = harness.Run(*built.probe);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
}

TEST_CASE("PostgresProbe: sslmode=require against a server without TLS is a tls failure",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  NoTlsServer plain(&harness.loop);
  server.port = std::to_string(plain.port());
  ProbePtr probe = ServerProbe(server.Url("?sslmode=require"));
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.failure == "tls");
  CHECK(result.reason == "tls: server does not support SSL, but SSL was required");
}

TEST_CASE("PostgresProbe: more connections in use than max_connections_ratio is degraded",
          "[postgres][integration]") {
  PgServer server;
  Harness harness;
  ProbePtr probe = ServerProbe(server.Url(), "    max_connections_ratio: 0.001\n");
  const ProbeResult result = harness.Run(*probe);
  CHECK(result.verdict == Verdict::kDegraded);
  CHECK(result.failure == "threshold");
  CHECK(result.reason.rfind("connections ", 0) == 0);
  CHECK(result.reason.find(" in use") != std::string::npos);
}

}  // namespace
}  // namespace sidecar::probes::postgres::testing
