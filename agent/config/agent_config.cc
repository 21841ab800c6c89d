#include "agent/config/agent_config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace sidecar::config {
namespace {

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__" ||
      std::isdigit(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Labels the agent sets itself; config labels may not override them.
bool IsReservedLabel(std::string_view name) {
  return name == "probe" || name == "type" || name == "status" || name == "reason" ||
         name == "phase" || name == "mountpoint";
}

void CheckLabels(ConfigNode& node, const char* key,
                 const std::map<std::string, std::string>& labels) {
  for (const auto& [name, value] : labels) {
    if (!IsValidLabelName(name)) {
      node.Error(key, "label name '" + name + "' must match [a-zA-Z_][a-zA-Z0-9_]*");
    } else if (IsReservedLabel(name)) {
      node.Error(key, "label name '" + name + "' is set by the agent itself");
    }
  }
}

struct Defaults {
  Duration interval = std::chrono::seconds(15);
  Duration timeout = std::chrono::seconds(5);
  health::Thresholds thresholds;
  bool timeout_given = false;  // the file set defaults.timeout
};

Defaults ReadDefaults(ConfigNode& root) {
  Defaults defaults;
  auto node = root.GetMap("defaults");
  if (!node) {
    return defaults;
  }
  if (auto v = node->GetDuration("interval")) defaults.interval = *v;
  if (auto v = node->GetDuration("timeout")) {
    defaults.timeout = *v;
    defaults.timeout_given = true;
  }
  if (auto v = node->GetInt("healthy_threshold", 1, 100)) defaults.thresholds.healthy = *v;
  if (auto v = node->GetInt("unhealthy_threshold", 1, 100)) defaults.thresholds.unhealthy = *v;
  node->CheckUnknownKeys();
  return defaults;
}

void ReadProbe(ConfigNode& node, const Defaults& defaults, AgentConfig& config,
               std::set<std::string>& names) {
  // A probe whose variable is unset is left out entirely, before anything else is read, so
  // that `url: ${DATABASE_URL}` does not fail when DATABASE_URL is absent.
  if (!AnyEnvSet(node)) {
    return;
  }
  ProbeConfig probe;
  probe.interval = defaults.interval;
  probe.timeout = defaults.timeout;
  probe.thresholds = defaults.thresholds;
  const size_t errors_before = node.state().errors.size();

  if (auto name = node.GetString("name")) {
    probe.name = *name;
    if (!IsValidName(probe.name)) {
      node.Error("name", "'" + probe.name + "' must be 1-64 letters, digits, '_', '-' or '.'");
    } else if (!names.insert(probe.name).second) {
      node.Error("name", "duplicate probe name '" + probe.name + "'");
    }
  } else {
    node.ErrorHere("missing required key 'name'");
  }

  const probes::ProbeType* type = nullptr;
  if (auto type_name = node.GetString("type")) {
    probe.type = *type_name;
    type = probes::FindProbeType(probe.type);
    if (type == nullptr) {
      std::string known;
      for (std::string_view n : probes::ProbeTypeNames()) {
        known += (known.empty() ? "" : ", ") + std::string(n);
      }
      node.Error("type", "unknown probe type '" + probe.type + "' (known: " + known + ")");
    }
  } else {
    node.ErrorHere("missing required key 'type'");
  }

  if (auto v = node.GetDuration("interval")) probe.interval = *v;
  const bool timeout_given = node.Has("timeout") || defaults.timeout_given;
  if (auto v = node.GetDuration("timeout")) {
    probe.timeout = *v;
  } else if (!timeout_given) {
    probe.timeout = std::min(probe.timeout, probe.interval);  // a 1s interval gets a 1s timeout
  }
  if (auto v = node.GetInt("healthy_threshold", 1, 100)) probe.thresholds.healthy = *v;
  if (auto v = node.GetInt("unhealthy_threshold", 1, 100)) probe.thresholds.unhealthy = *v;
  probe.critical = type != nullptr && type->critical_by_default;
  if (auto v = node.GetBool("critical")) probe.critical = *v;
  probe.labels = config.labels;
  if (auto labels = node.GetStringMap("labels")) {
    CheckLabels(node, "labels", *labels);
    for (const auto& [k, v] : *labels) probe.labels[k] = v;
  }

  if (probe.interval < std::chrono::milliseconds(100)) {
    node.Error("interval", FormatDuration(probe.interval) + " is too short (at least 100ms)");
  }
  if (probe.timeout <= Duration::zero()) {
    node.Error("timeout", "must be more than 0s");
  } else if (probe.timeout > probe.interval) {
    node.Error("timeout", FormatDuration(probe.timeout) + " must not exceed interval " +
                              FormatDuration(probe.interval));
  }

  if (type != nullptr) {
    probe.probe = type->create(node);
    if (probe.probe == nullptr && node.state().errors.size() == errors_before) {
      node.ErrorHere("probe could not be created");  // a factory must say why; never silent
    }
  }
  node.CheckUnknownKeys();
  if (node.state().errors.size() == errors_before) {
    config.probes.push_back(std::move(probe));
  }
}

void ReadExporter(ConfigNode& node, AgentConfig& config, std::set<std::string>& names) {
  if (!AnyEnvSet(node)) {
    return;
  }
  const size_t errors_before = node.state().errors.size();
  ExporterConfig entry;
  const exporters::ExporterType* type = nullptr;
  if (auto type_name = node.GetString("type")) {
    entry.type = *type_name;
    type = exporters::FindExporterType(entry.type);
    if (type == nullptr) {
      std::string known;
      for (std::string_view n : exporters::ExporterTypeNames()) {
        known += (known.empty() ? "" : ", ") + std::string(n);
      }
      node.Error("type", "unknown exporter type '" + entry.type + "' (known: " + known + ")");
    }
  } else {
    node.ErrorHere("missing required key 'type'");
  }
  entry.name = entry.type;
  if (auto name = node.GetString("name")) {
    entry.name = *name;
    if (!IsValidName(entry.name)) {
      node.Error("name", "'" + entry.name + "' must be 1-64 letters, digits, '_', '-' or '.'");
    }
  }
  if (!entry.name.empty() && !names.insert(entry.name).second) {
    node.Error(node.Has("name") ? "name" : "type",
               "duplicate exporter name '" + entry.name + "' (give each one a distinct name:)");
  }
  exporters::QueueOptions queue;
  queue.name = entry.name;
  queue.type = entry.type;
  if (auto size = node.GetInt("queue_size", 1, 100000))
    queue.queue_size = static_cast<size_t>(*size);
  if (type != nullptr) {
    entry.exporter = type->create(node, queue);
    if (entry.exporter == nullptr && node.state().errors.size() == errors_before) {
      node.ErrorHere("exporter could not be created");
    }
  }
  node.CheckUnknownKeys();
  if (node.state().errors.size() == errors_before && entry.exporter != nullptr) {
    config.exporters.push_back(std::move(entry));
  }
}

// Relative rule file globs are read against the config file's directory (the working
// directory for the built-in default).
std::string BaseDir(const std::string& file) {
  const std::filesystem::path parent = std::filesystem::path(file).parent_path();
  if (file == "built-in default" || parent.empty()) return ".";
  return parent.string();
}

}  // namespace

std::string ListenAddress::ToString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

bool ParseListenAddress(std::string_view text, ListenAddress* out) {
  ListenAddress address;
  std::string_view port_text;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) {
      return false;  // a bare IPv6 address needs brackets
    }
    address.host = colon == 0 ? "0.0.0.0" : std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  } else {
    port_text = text;
  }
  if (port_text.empty() || port_text.size() > 5) {
    return false;
  }
  uint32_t port = 0;
  for (char c : port_text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port > 65535 || address.host.empty()) {
    return false;
  }
  address.port = static_cast<uint16_t>(port);
  *out = address;
  return true;
}

LoadResult LoadConfigText(const std::string& text, const std::string& file, const EnvLookup& env) {
  auto state = std::make_shared<ParseState>();
  state->file = file;
  state->env = env;
  ConfigNode root = ConfigNode::Parse(text, state);
  LoadResult result;
  result.config.source = file;
  if (!root.valid() || !root.IsMap()) {
    result.errors = state->errors;
    return result;
  }
  AgentConfig& config = result.config;

  if (auto listen = root.GetString("listen")) {
    if (!ParseListenAddress(*listen, &config.listen)) {
      root.Error("listen",
                 "expected HOST:PORT such as 0.0.0.0:9779 or [::]:9779, got '" + *listen + "'");
    }
  }
  if (auto log = root.GetMap("log")) {
    if (auto level = log->GetString("level")) {
      if (IsLogLevel(*level)) {
        config.log_level = *level;
      } else {
        log->Error("level",
                   "expected one of trace, debug, info, warn, error, off; got '" + *level + "'");
      }
    }
    if (auto format = log->GetString("format")) {
      if (!ParseLogFormat(*format, &config.log_format)) {
        log->Error("format", "expected auto, json or text; got '" + *format + "'");
      }
    }
    log->CheckUnknownKeys();
  }
  if (auto grace = root.GetDuration("startup_grace")) config.startup_grace = *grace;
  if (auto health = root.GetMap("health")) {
    if (auto code = health->GetInt("degraded_status_code", 200, 599)) {
      if (*code != 200 && *code != 503) {
        health->Error("degraded_status_code", "expected 200 or 503, got " + std::to_string(*code));
      }
      config.degraded_status_code = static_cast<int>(*code);
    }
    health->CheckUnknownKeys();
  }
  if (auto labels = root.GetStringMap("labels")) {
    CheckLabels(root, "labels", *labels);
    config.labels = *labels;
  }
  const Defaults defaults = ReadDefaults(root);
  std::set<std::string> names;
  for (ConfigNode& node : root.GetMapList("probes")) {
    ReadProbe(node, defaults, config, names);
  }
  std::set<std::string> exporter_names;
  for (ConfigNode& node : root.GetMapList("exporters")) {
    ReadExporter(node, config, exporter_names);
  }
  ReadRules(root, BaseDir(file), &config.rules);
  root.CheckUnknownKeys();
  result.errors = state->errors;
  return result;
}

namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::optional<std::string> text = ReadFile(path);
  if (!text) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, 0, "", "cannot read the config file"});
    return result;
  }
  return LoadConfigText(*text, path, env);
}

ListenAddress ReadListenAddress(const std::string& path, const EnvLookup& env) {
  ListenAddress listen;
  std::optional<std::string> text =
      path.empty() ? std::string(DefaultConfigText()) : ReadFile(path);
  if (!text) return listen;
  auto state = std::make_shared<ParseState>();
  state->file = path;
  state->env = env;
  ConfigNode root = ConfigNode::Parse(*text, state);
  if (!root.valid() || !root.IsMap()) return listen;
  if (auto address = root.GetString("listen")) {
    ListenAddress parsed;
    if (ParseListenAddress(*address, &parsed)) listen = parsed;
  }
  return listen;
}

}  // namespace sidecar::config
