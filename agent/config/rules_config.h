// The `rules:` section of the agent's config: which Prometheus rule files to evaluate (the
// bundled alerts/agent.rules.yml, compiled in, and files of one's own by glob), how often, and
// with which external labels and URL. The rule files are read and checked when the config is
// loaded, so `agent --validate-config` and a reload refuse a bad rule file as they refuse a bad
// config.
//
// Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config_node.h"
#include "agent/notify/notifier_config.h"
#include "agent/rules/rule_file.h"
#include "agent/rules/rule_manager.h"

namespace sidecar::config {

struct RulesConfig {
  bool bundled = false;            // alerts/agent.rules.yml, as compiled in
  std::vector<std::string> files;  // globs, relative to the config file's directory
  std::vector<rules::GroupDef> groups;
  rules::RuleManagerOptions options;
  notify::AlertingConfig alerting;  // the `alerting:` section: where alerts go
};

// Reads `rules:` and `alerting:` (when present) and loads every rule file; problems are
// recorded in `root`'s errors with the rule file's own file:line:col.
void ReadRules(ConfigNode& root, const std::string& base_dir, RulesConfig* out);

// The bundled rules (alerts/agent.rules.yml, compiled in) and the name they are known by.
std::string_view BundledRulesText();
inline constexpr std::string_view kBundledRulesName = "bundled:alerts/agent.rules.yml";

}  // namespace sidecar::config
