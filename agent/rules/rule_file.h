// Prometheus rule files (the format `promtool check rules` reads): groups with a name, an
// optional interval and limit, and alerting (`alert`, `expr`, `for`, `keep_firing_for`, `labels`,
// `annotations`) or recording (`record`, `expr`, `labels`) rules. Every expression is parsed and
// every template checked at load, so a bad file is refused whole with precise messages.
//
// Pure functions apart from reading the files; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/promql/ast.h"

namespace sidecar::rules {

struct RuleDef {
  std::string alert;   // alerting rule name, or ""
  std::string record;  // recording rule (metric) name, or ""
  std::string expr_text;
  std::shared_ptr<const promql::Expr> expr;
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  std::map<std::string, std::string> labels;       // values are templates for alerting rules
  std::map<std::string, std::string> annotations;  // templates
  std::string location;                            // "alerts/db.yml:12:7", for messages
};

struct GroupDef {
  std::string name;
  std::string file;
  std::optional<int64_t> interval_ms;  // the group's own `interval`, when given
  int limit = 0;                       // 0: no limit
  std::vector<RuleDef> rules;
};

// Reads the files matching each glob (relative ones against `base_dir`). Appends one message per
// problem to `errors`, each as
//   file:line:col: group "db", rule 2 (alert DatabaseDown): expr: 1:14: unexpected ")"
// and returns false when there was any. A glob that matches nothing is not an error (as in
// Prometheus). Group names must be unique per file.
bool LoadRuleFiles(const std::vector<std::string>& globs, const std::string& base_dir,
                   std::vector<GroupDef>* groups, std::vector<std::string>* errors);

// One file's text (the tests and the fuzz target use this; `file` names it in messages).
bool ParseRuleFile(const std::string& file, const std::string& text, std::vector<GroupDef>* groups,
                   std::vector<std::string>* errors);

}  // namespace sidecar::rules
