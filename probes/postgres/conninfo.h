// What the Postgres probe makes of the connection string a user writes: a postgres:// or
// postgresql:// URL or a key=value conninfo string, parsed by libpq itself (PQconninfoParse) so
// every libpq option (sslmode, connect_timeout, application_name, ...) means what libpq says.
//
// The probe must hand libpq an address for every host (libpq resolves names with a blocking
// getaddrinfo), so this file also works out the host list libpq would use and builds the final
// keyword/value list with `hostaddr` filled in. Pure functions, no I/O; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/common/duration.h"
#include "agent/common/status.h"

namespace sidecar::probes::postgres {

// libpq's options as parsed from the user's string: only those that were given (non-empty).
struct ConnInfo {
  std::map<std::string, std::string> options;
  bool is_url = false;  // written as postgres:// or postgresql://
};

// Parses `text` with PQconninfoParse. The error carries libpq's first message line, redacted.
Result<ConnInfo> ParseConnInfo(const std::string& text);

// Where the environment would point libpq when the string says nothing (PGHOST, PGPORT,
// PGHOSTADDR). Read once by the factory; empty fields mean "not set".
struct ConnDefaults {
  std::string host;
  std::string hostaddr;
  std::string port;
};
ConnDefaults EnvironmentDefaults();

// libpq's compiled-in defaults on Debian.
inline constexpr std::string_view kDefaultSocketDir = "/var/run/postgresql";
inline constexpr std::string_view kDefaultPort = "5432";

// One host of a (possibly comma-separated) host list.
struct HostEntry {
  std::string host;      // a name, an IP literal, or a Unix socket directory ("/...", "@...")
  std::string hostaddr;  // as written by the user; empty when it must be resolved
  std::string port;
  // Whether the probe must resolve `host` before connecting: a TCP host without hostaddr.
  bool NeedsLookup() const;
};

// The hosts libpq would try, in order, with defaults applied. Refuses what libpq would refuse
// (host, hostaddr and port lists of different lengths) with a message saying so.
Result<std::vector<HostEntry>> HostEntries(const ConnInfo& info, const ConnDefaults& defaults);

// The keyword/value list for PQconnectStartParams. `hosts` are entries after resolution (one per
// address, each with hostaddr set unless it is a socket). `password` overrides the string's;
// `statement_timeout` becomes `-c statement_timeout=<ms>` in front of the user's `options`, so
// an explicit setting of theirs still wins.
using ConnParams = std::vector<std::pair<std::string, std::string>>;
ConnParams BuildConnectParams(const ConnInfo& info, const std::vector<HostEntry>& hosts,
                              const std::optional<std::string>& password,
                              Duration statement_timeout);

// The URL-shaped target for /health: for a URL, the URL with its password masked; for a
// conninfo string, "postgres://user@host:port/db" built from its options, without the password.
std::string DisplayTarget(const std::string& text, const ConnInfo& info);

// `connect_timeout` of the string, when positive (libpq: seconds, 0 or absent = wait forever).
// An error for a value that is not an integer.
Result<std::optional<Duration>> ConnectTimeout(const ConnInfo& info);

}  // namespace sidecar::probes::postgres
