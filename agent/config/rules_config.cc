#include "agent/config/rules_config.h"

#include <re2/re2.h>

#include <chrono>

namespace sidecar::config {
namespace {

constexpr auto kDefaultEvaluationInterval = std::chrono::seconds(15);

// Rule file messages are "file:line:col: text"; keep their position in the config error.
ConfigError RuleFileError(const std::string& message) {
  static const RE2 kPosition(R"((.+?):(\d+):(\d+): (.*))");
  std::string file;
  int line = 0;
  int column = 0;
  std::string text;
  if (RE2::FullMatch(message, kPosition, &file, &line, &column, &text)) {
    return ConfigError{file, line, column, "", text};
  }
  return ConfigError{"", 0, 0, "", message};
}

int64_t Milliseconds(Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

}  // namespace

void ReadRules(ConfigNode& root, const std::string& base_dir, RulesConfig* out) {
  out->options.group.default_interval_ms = Milliseconds(kDefaultEvaluationInterval);
  if (auto alerting = root.GetMap("alerting")) {
    notify::ParseAlerting(*alerting, &out->alerting);
    alerting->CheckUnknownKeys();
  }
  out->options.resend_delay_ms = Milliseconds(out->alerting.resend_delay);
  auto node = root.GetMap("rules");
  if (!node) return;
  if (auto bundled = node->GetBool("bundled")) out->bundled = *bundled;
  if (auto files = node->GetStringList("files")) out->files = *files;
  if (auto interval = node->GetDuration("evaluation_interval")) {
    if (*interval < std::chrono::seconds(1)) {
      node->Error("evaluation_interval", FormatDuration(*interval) + " is too short (at least 1s)");
    } else {
      out->options.group.default_interval_ms = Milliseconds(*interval);
    }
  }
  if (auto labels = node->GetStringMap("external_labels")) {
    out->options.group.external_labels = *labels;
  }
  if (auto url = node->GetString("external_url")) out->options.group.external_url = *url;
  node->CheckUnknownKeys();

  std::vector<std::string> errors;
  if (out->bundled) {
    rules::ParseRuleFile(std::string(kBundledRulesName), std::string(BundledRulesText()),
                         &out->groups, &errors);
  }
  if (!out->files.empty()) {
    rules::LoadRuleFiles(out->files, base_dir, &out->groups, &errors);
  }
  for (const std::string& error : errors) root.state().errors.push_back(RuleFileError(error));
}

}  // namespace sidecar::config
