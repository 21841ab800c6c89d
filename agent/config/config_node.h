// A read cursor over one YAML mapping of the config, and the list of problems found so far.
//
// The only code that sees yaml-cpp. Every value read here is ${VAR}-expanded, type-checked and,
// when wrong, recorded as a ConfigError with file, line, column and path
// ("agent.yaml:12:14: probes[2].timeout: expected a duration such as 5s or 250ms, got '5 secs'").
// Reading goes on after an error so one run reports every problem. Keys that nobody read are
// reported by CheckUnknownKeys(), so each probe declares its keys once, by reading them.
//
// Thread-compatible: a config is parsed on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/duration.h"
#include "agent/config/env_expand.h"

namespace sidecar::config {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string path;
  std::string message;

  // "file:line:column: path: message"
  std::string ToString() const;
};

// Shared by every node of one parse.
struct ParseState {
  std::string file;
  EnvLookup env;
  std::vector<ConfigError> errors;
};

class ConfigNode {
 public:
  // Parses `text` (the contents of `file`). On a YAML syntax error records it and returns a
  // node for which valid() is false.
  static ConfigNode Parse(const std::string& text, std::shared_ptr<ParseState> state);

  bool valid() const;
  bool IsMap() const;
  const std::string& path() const { return path_; }
  ParseState& state() const { return *state_; }

  bool Has(std::string_view key) const;

  // Each getter marks the key as read. Absent key: nullopt, no error. Present but wrong:
  // nullopt and an error at the value's position.
  std::optional<std::string> GetString(std::string_view key);
  std::optional<Duration> GetDuration(std::string_view key);
  std::optional<bool> GetBool(std::string_view key);
  std::optional<int64_t> GetInt(std::string_view key, int64_t min, int64_t max);
  std::optional<double> GetDouble(std::string_view key);
  std::optional<std::vector<std::string>> GetStringList(std::string_view key);
  std::optional<std::map<std::string, std::string>> GetStringMap(std::string_view key);

  // A secret: `key` (from the environment, "${ENV_VAR}") or `key_file` (a path whose contents,
  // without the trailing newline, are the value: ECS secrets, Kubernetes secret volumes). An error
  // when both are given, or when the config file itself holds the secret. The value is registered
  // with the redactor before it is returned.
  std::optional<std::string> GetSecret(std::string_view key);
  // A URL that may carry a password ("postgresql://app:pw@db/orders"), from `key` or `key_file`.
  // Written literally in the config it may not hold a password. The password is registered with
  // the redactor.
  std::optional<std::string> GetSecretUrl(std::string_view key);

  std::optional<ConfigNode> GetMap(std::string_view key);
  // The elements of a sequence of mappings; an error (and empty) when it is something else.
  std::vector<ConfigNode> GetMapList(std::string_view key);

  // Records an error at the position of `key`'s value (or of this node when absent).
  void Error(std::string_view key, const std::string& message);
  // Records an error at this node.
  void ErrorHere(const std::string& message);

  // Records "unknown key 'intervall' (did you mean 'interval'?)" for every key not read.
  void CheckUnknownKeys();

  ConfigNode(const ConfigNode&);
  ConfigNode& operator=(const ConfigNode&);
  ~ConfigNode();

 private:
  struct Impl;
  ConfigNode(std::shared_ptr<ParseState> state, std::unique_ptr<Impl> impl, std::string path);
  std::optional<std::string> Scalar(std::string_view key, const char* expected,
                                    bool* from_env = nullptr);
  std::optional<std::string> SecretValue(std::string_view key, bool is_url);

  std::shared_ptr<ParseState> state_;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

// Reads the entry's `if_env_set` (one variable or a list): false when it names variables and
// none of them is set and non-empty, so the caller leaves the entry out (environment
// discovery, as for `DATABASE_URL`). True when the key is absent.
bool AnyEnvSet(ConfigNode& node);

}  // namespace sidecar::config
