#include "probes/postgres/failure.h"

#include <algorithm>
#include <cctype>

#include "agent/common/redact.h"

namespace sidecar::probes::postgres {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void StripPrefix(std::string& text, std::string_view prefix) {
  if (text.rfind(prefix, 0) == 0) {
    text.erase(0, prefix.size());
    text.erase(0, text.find_first_not_of(' '));
  }
}

}  // namespace

std::string Shorten(std::string text, size_t max) {
  if (text.size() <= max) {
    return text;
  }
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;  // never split a UTF-8 sequence
  }
  text.resize(cut);
  return text + "...";
}

std::string CleanMessage(std::string_view libpq_message) {
  std::string line(libpq_message.substr(0, libpq_message.find('\n')));
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
    line.pop_back();
  }
  // "connection to server at "db" (10.0.0.5), port 5432 failed: " or "... on socket ...".
  if (line.rfind("connection to server ", 0) == 0) {
    const size_t failed = line.find(" failed: ");
    if (failed != std::string::npos) {
      line.erase(0, failed + 9);
    }
  }
  for (std::string_view severity : {"FATAL:", "ERROR:", "PANIC:"}) {
    StripPrefix(line, severity);
  }
  if (line.size() >= 2 && std::isupper(static_cast<unsigned char>(line[0])) &&
      std::islower(static_cast<unsigned char>(line[1]))) {
    line[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(line[0])));
  }
  if (line.empty()) {
    line = "no message from libpq";
  }
  return Shorten(Redact(line));
}

Failure ClassifyConnectError(std::string_view libpq_message) {
  const std::string message = CleanMessage(libpq_message);
  const std::string lower = Lower(message);
  auto make = [](const char* kind, std::string_view prefix, const std::string& text) {
    return Failure{kind, Shorten(std::string(prefix) + text)};
  };
  if (Contains(lower, "password authentication failed") ||
      Contains(lower, "authentication failed for user") ||
      Contains(lower, "no password supplied") ||
      (Contains(lower, "role \"") && Contains(lower, "\" does not exist"))) {
    return make("auth", "credentials rejected: ", message);
  }
  if (Contains(lower, "pg_hba.conf") || Contains(lower, "permission denied for database")) {
    return make("auth", "access rejected: ", message);
  }
  if (Contains(lower, "database \"") && Contains(lower, "\" does not exist")) {
    return make("database", "", message);
  }
  if (Contains(lower, "ssl") || Contains(lower, "certificate") || Contains(lower, "tls")) {
    return make("tls", "tls: ", message);
  }
  return make("connect", "connect: ", message);
}

}  // namespace sidecar::probes::postgres
