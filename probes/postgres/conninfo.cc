#include "probes/postgres/conninfo.h"

#include <libpq-fe.h>

#include <cctype>
#include <chrono>
#include <cstdlib>

#include "agent/common/redact.h"

namespace sidecar::probes::postgres {
namespace {

std::string FirstLine(std::string_view text) {
  const size_t end = text.find('\n');
  return std::string(text.substr(0, end));
}

// libpq splits host, hostaddr and port on commas, without escapes (fe-connect.c).
std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) {
      return out;
    }
    start = comma + 1;
  }
}

std::string Option(const ConnInfo& info, const std::string& key) {
  auto it = info.options.find(key);
  return it == info.options.end() ? std::string() : it->second;
}

std::string Join(const std::vector<HostEntry>& hosts, std::string HostEntry::*field) {
  std::string out;
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(hosts[i].*field);
  }
  return out;
}

}  // namespace

Result<ConnInfo> ParseConnInfo(const std::string& text) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? FirstLine(error) : "out of memory";
    PQfreemem(error);
    return Status::InvalidArgument(Redact(message));
  }
  ConnInfo info;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val != nullptr && option->val[0] != '\0') {
      info.options.emplace(option->keyword, option->val);
    }
  }
  PQconninfoFree(options);
  info.is_url = text.rfind("postgres://", 0) == 0 || text.rfind("postgresql://", 0) == 0;
  return info;
}

ConnDefaults EnvironmentDefaults() {
  ConnDefaults defaults;
  auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
  };
  defaults.host = env("PGHOST");
  defaults.hostaddr = env("PGHOSTADDR");
  defaults.port = env("PGPORT");
  return defaults;
}

bool HostEntry::NeedsLookup() const {
  return hostaddr.empty() && !host.empty() && host[0] != '/' && host[0] != '@';
}

Result<std::vector<HostEntry>> HostEntries(const ConnInfo& info, const ConnDefaults& defaults) {
  const bool has_host = info.options.count("host") != 0;
  const bool has_hostaddr = info.options.count("hostaddr") != 0;
  // libpq takes host and hostaddr from the string when either is there; the environment fills
  // only what the string leaves out entirely.
  std::string host_text = has_host ? Option(info, "host") : defaults.host;
  std::string hostaddr_text = has_hostaddr ? Option(info, "hostaddr") : defaults.hostaddr;
  std::string port_text = info.options.count("port") ? Option(info, "port") : defaults.port;

  std::vector<std::string> hosts = SplitCommas(host_text);
  std::vector<std::string> addrs = SplitCommas(hostaddr_text);
  std::vector<std::string> ports = SplitCommas(port_text);
  if (!hostaddr_text.empty()) {
    if (host_text.empty()) {
      hosts.assign(addrs.size(), "");
    } else if (hosts.size() != addrs.size()) {
      return Status::InvalidArgument("could not match " + std::to_string(hosts.size()) +
                                     " host names to " + std::to_string(addrs.size()) +
                                     " hostaddr values");
    }
  } else {
    addrs.assign(hosts.size(), "");
  }
  if (ports.size() != 1 && ports.size() != hosts.size()) {
    return Status::InvalidArgument("could not match " + std::to_string(ports.size()) +
                                   " port numbers to " + std::to_string(hosts.size()) + " hosts");
  }
  std::vector<HostEntry> out;
  for (size_t i = 0; i < hosts.size(); ++i) {
    HostEntry entry;
    entry.host = hosts[i];
    entry.hostaddr = addrs[i];
    if (entry.host.empty() && entry.hostaddr.empty()) {
      entry.host = kDefaultSocketDir;
    }
    entry.port = ports.size() == 1 ? ports[0] : ports[i];
    if (entry.port.empty()) {
      entry.port = kDefaultPort;
    }
    char* end = nullptr;
    const long port = std::strtol(entry.port.c_str(), &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) {
      return Status::InvalidArgument("invalid port number: \"" + entry.port + "\"");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

ConnParams BuildConnectParams(const ConnInfo& info, const std::vector<HostEntry>& hosts,
                              const std::optional<std::string>& password,
                              Duration statement_timeout) {
  ConnParams params;
  for (const auto& [key, value] : info.options) {
    if (key == "host" || key == "hostaddr" || key == "port" || key == "password" ||
        key == "options") {
      continue;
    }
    params.emplace_back(key, value);
  }
  params.emplace_back("host", Join(hosts, &HostEntry::host));
  params.emplace_back("hostaddr", Join(hosts, &HostEntry::hostaddr));
  params.emplace_back("port", Join(hosts, &HostEntry::port));
  if (password) {
    params.emplace_back("password", *password);
  } else if (info.options.count("password")) {
    params.emplace_back("password", Option(info, "password"));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(statement_timeout);
  std::string options = "-c statement_timeout=" + std::to_string(std::max<int64_t>(1, ms.count()));
  if (info.options.count("options")) {
    options += " " + Option(info, "options");
  }
  params.emplace_back("options", options);
  // GSSAPI may talk to a Kerberos KDC with blocking calls; use it only when asked for.
  if (!info.options.count("gssencmode")) {
    params.emplace_back("gssencmode", "disable");
  }
  if (!info.options.count("application_name")) {
    params.emplace_back("fallback_application_name", "sidecar-agent");
  }
  return params;
}

std::string DisplayTarget(const std::string& text, const ConnInfo& info) {
  if (info.is_url) {
    return Redact(RedactUrl(text));
  }
  std::string out = "postgres://";
  const std::string user = Option(info, "user");
  if (!user.empty()) {
    out += user + "@";
  }
  const std::vector<std::string> hosts =
      SplitCommas(info.options.count("host") ? Option(info, "host") : Option(info, "hostaddr"));
  const std::vector<std::string> ports = SplitCommas(Option(info, "port"));
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) out += ",";
    out += hosts[i];
    const std::string& port = ports.size() == hosts.size() ? ports[i] : ports[0];
    if (!port.empty()) {
      out += ":" + port;
    }
  }
  const std::string dbname = Option(info, "dbname");
  if (!dbname.empty()) {
    out += "/" + dbname;
  }
  return Redact(out);
}

Result<std::optional<Duration>> ConnectTimeout(const ConnInfo& info) {
  auto it = info.options.find("connect_timeout");
  if (it == info.options.end()) {
    return std::optional<Duration>();
  }
  const std::string& text = it->second;
  char* end = nullptr;
  const long seconds = std::strtol(text.c_str(), &end, 10);
  while (end != nullptr && std::isspace(static_cast<unsigned char>(*end))) ++end;
  if (text.empty() || *end != '\0') {
    return Status::InvalidArgument("invalid integer value \"" + text + "\" for connect_timeout");
  }
  if (seconds <= 0) {
    return std::optional<Duration>();
  }
  // As libpq documents: "a value of 1 is interpreted as 2".
  return std::optional<Duration>(std::chrono::seconds(std::max(2L, seconds)));
}

}  // namespace sidecar::probes::postgres
