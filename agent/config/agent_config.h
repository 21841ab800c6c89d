// The agent's configuration: what the YAML file (or the built-in default, config/agent.yaml)
// says, validated in full. Defaults live here, in the structs, once.
//
// Loading never throws and never stops at the first problem: it returns every ConfigError
// (file, line, column, path, message). Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/duration.h"
#include "agent/common/log.h"
#include "agent/config/config_node.h"
#include "agent/config/rules_config.h"
#include "agent/health/health_tracker.h"
#include "exporters/registry.h"
#include "probes/registry.h"

namespace sidecar::config {

inline constexpr uint16_t kDefaultPort = 9779;  // clear of 3000, 5000, 8000, 8080, 9090, 9100

struct ListenAddress {
  std::string host = "0.0.0.0";
  uint16_t port = kDefaultPort;
  std::string ToString() const;  // "0.0.0.0:9779", "[::]:9779"
};

// "0.0.0.0:9779", "127.0.0.1:9779", "[::]:9779", ":9779" (all addresses), "9779".
bool ParseListenAddress(std::string_view text, ListenAddress* out);

struct ProbeConfig {
  std::string name;
  std::string type;
  Duration interval = std::chrono::seconds(15);
  Duration timeout = std::chrono::seconds(5);
  bool critical = false;
  health::Thresholds thresholds;
  std::map<std::string, std::string> labels;  // the agent's constant labels plus the probe's
  probes::ProbePtr probe;
};

// One entry of `exporters:`; the exporter is created (not started) when the config is loaded.
struct ExporterConfig {
  std::string name;  // unique; defaults to the type
  std::string type;
  exporters::ExporterPtr exporter;
};

struct AgentConfig {
  std::string source;  // the file, or "built-in default"
  ListenAddress listen;
  LogFormat log_format = LogFormat::kAuto;
  std::string log_level = "info";
  Duration startup_grace = std::chrono::seconds(0);
  // HTTP status of /health and /readyz when the agent is degraded but ready (200 or 503).
  int degraded_status_code = 200;
  std::map<std::string, std::string> labels;  // constant labels on every probe series
  std::vector<ProbeConfig> probes;
  std::vector<ExporterConfig> exporters;
  RulesConfig rules;
};

struct LoadResult {
  AgentConfig config;
  std::vector<ConfigError> errors;  // empty when the config is valid
  bool ok() const { return errors.empty(); }
};

// Parses and validates `text`, read from `file` (used in messages only).
LoadResult LoadConfigText(const std::string& text, const std::string& file, const EnvLookup& env);

// Reads `path` and loads it; an unreadable file is one error.
LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env);

// Only the `listen` address of the config file at `path` (the built-in default config when
// empty): what `agent --check` needs to find a running agent, without loading probes or rule
// files. The default address when the file is unreadable, broken or has no `listen`.
ListenAddress ReadListenAddress(const std::string& path, const EnvLookup& env);

// The built-in default config (the contents of config/agent.yaml, compiled in).
std::string_view DefaultConfigText();

}  // namespace sidecar::config
