#include "probes/postgres/failure.h"

#include <catch2/catch.hpp>

#include "agent/common/redact.h"

namespace sidecar::probes::postgres {
namespace {

TEST_CASE("ClassifyConnectError: names the failure from libpq's message", "[postgres_unit]") {
  struct Case {
    const char* message;
    const char* kind;
    const char* reason;
  };
  const Case cases[] = {
      {"connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the "
       "server running on that host and accepting TCP/IP connections?\n",
       "connect", "connect: connection refused"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  password "
       "authentication failed for user \"app\"\nconnection to server at ...",
       "auth", "credentials rejected: password authentication failed for user \"app\""},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: fe_sendauth: no password "
       "supplied\n",
       "auth", "credentials rejected: fe_sendauth: no password supplied"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  role \"bob\" does "
       "not exist\n",
       "auth", "credentials rejected: role \"bob\" does not exist"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  no pg_hba.conf "
       "entry for host \"10.0.0.9\", user \"app\", database \"x\", no encryption\n",
       "auth",
       "access rejected: no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database "
       "\"x\", no encryption"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  database \"nope\" "
       "does not exist\n",
       "database", "database \"nope\" does not exist"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: server does not support "
       "SSL, but SSL was required\n",
       "tls", "tls: server does not support SSL, but SSL was required"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL error: certificate "
       "verify failed\n",
       "tls", "tls: SSL error: certificate verify failed"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: server certificate for "
       "\"x\" does not match host name \"db\"\n",
       "tls", "tls: server certificate for \"x\" does not match host name \"db\""},
      {"connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: No such file or "
       "directory\n",
       "connect", "connect: no such file or directory"},
      {"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  sorry, too many "
       "clients already\n",
       "connect", "connect: sorry, too many clients already"},
      {"", "connect", "connect: no message from libpq"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    const Failure failure = ClassifyConnectError(c.message);
    CHECK(failure.kind == c.kind);
    CHECK(failure.reason == c.reason);
  }
}

TEST_CASE("ClassifyConnectError: keeps reasons short and free of secrets", "[postgres_unit]") {
  RegisterSecret("Sentinel-Pw-31337");
  const Failure failure = ClassifyConnectError(
      "connection to server at \"db\", port 1 failed: invalid option Sentinel-Pw-31337 " +
      std::string(500, 'x') + "\n");
  CHECK(failure.reason.size() <= kMaxReason);
  CHECK(failure.reason.find("Sentinel-Pw-31337") == std::string::npos);
  CHECK(failure.reason.substr(failure.reason.size() - 3) == "...");
}

TEST_CASE("Shorten: cuts on a UTF-8 character boundary", "[postgres_unit]") {
  CHECK(Shorten("short", 10) == "short");
  CHECK(Shorten("abcdefghijkl", 10) == "abcdefg...");
  // "é" is two bytes: a cut inside it moves before it.
  CHECK(Shorten("abcdeé" + std::string(10, 'x'), 9) == "abcde...");
}

}  // namespace
}  // namespace sidecar::probes::postgres
