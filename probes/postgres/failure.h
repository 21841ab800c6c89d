// Turns libpq's error text into the probe's failure kind and a short reason for humans.
//
// libpq reports connection failures only as text ("connection to server at "db" (10.0.0.5),
// port 5432 failed: FATAL:  password authentication failed for user "app""), so the kind is
// read from the words of the message: the server's (English) messages and libpq's own. What
// matches nothing is a "connect" failure. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sidecar::probes::postgres {

struct Failure {
  std::string kind;    // "connect", "tls", "auth", "database"
  std::string reason;  // "credentials rejected: password authentication failed for user "app""
};

// The kind and reason for a failed connection attempt, from PQerrorMessage(). Uses the first
// line, without libpq's "connection to server ... failed: " and the server's "FATAL:  " prefixes,
// redacted and cut to kMaxReason characters.
Failure ClassifyConnectError(std::string_view libpq_message);

// libpq's first line without its prefixes, redacted and cut: for query errors and lost
// connections.
std::string CleanMessage(std::string_view libpq_message);

// Cuts `text` to at most kMaxReason bytes, on a UTF-8 character boundary, marking the cut.
inline constexpr size_t kMaxReason = 190;
std::string Shorten(std::string text, size_t max = kMaxReason);

}  // namespace sidecar::probes::postgres
