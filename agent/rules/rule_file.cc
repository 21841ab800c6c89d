#include "agent/rules/rule_file.h"

#include <glob.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "agent/promql/parser.h"
#include "agent/rules/template.h"

namespace sidecar::rules {
namespace {

bool IsLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

// Prometheus' model.ParseDuration: units from y down to ms, each at most once and in that
// order, integers only ("1h30m", "90s"); "0" alone is allowed.
std::optional<int64_t> ParsePromDuration(std::string_view text) {
  if (text == "0") return 0;
  static constexpr struct {
    std::string_view unit;
    int64_t ms;
  } kUnits[] = {{"y", 365LL * 24 * 3600 * 1000},
                {"w", 7LL * 24 * 3600 * 1000},
                {"d", 24LL * 3600 * 1000},
                {"h", 3600LL * 1000},
                {"m", 60LL * 1000},
                {"s", 1000},
                {"ms", 1}};
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t next_unit = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t number = 0;
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > std::numeric_limits<int64_t>::max() / 10 - 10) return std::nullopt;
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return std::nullopt;
    size_t u = next_unit;
    // "m" must not swallow the "m" of "ms".
    for (; u < std::size(kUnits); ++u) {
      const std::string_view unit = kUnits[u].unit;
      if (text.substr(i, unit.size()) != unit) continue;
      if (unit == "m" && text.substr(i, 2) == "ms") continue;
      break;
    }
    if (u == std::size(kUnits)) return std::nullopt;
    if (number > std::numeric_limits<int64_t>::max() / kUnits[u].ms) return std::nullopt;
    total += number * kUnits[u].ms;
    if (total < 0) return std::nullopt;
    i += kUnits[u].unit.size();
    next_unit = u + 1;
  }
  return total;
}

// Reads one file's YAML into GroupDefs, collecting every problem with its position.
class FileLoader {
 public:
  FileLoader(const std::string& file, std::vector<std::string>* errors)
      : file_(file), errors_(errors) {}

  void Load(const std::string& text, std::vector<GroupDef>* groups) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      Error(e.mark, "yaml: " + e.msg);
      return;
    }
    if (!root || root.IsNull()) return;  // an empty file has no groups, as in Prometheus
    if (!root.IsMap()) {
      Error(root.Mark(), "expected a mapping with the key \"groups\"");
      return;
    }
    YAML::Node list;
    ForEachKey(root, "", {"groups"},
               [&](const std::string&, const YAML::Node& value) { list = value; });
    if (!list || list.IsNull()) return;
    if (!list.IsSequence()) {
      Error(list.Mark(), "groups: expected a list of groups");
      return;
    }
    std::set<std::string> names;
    for (const YAML::Node& node : list) {
      GroupDef group;
      if (LoadGroup(node, &group)) {
        if (!names.insert(group.name).second) {
          Error(node.Mark(), "group \"" + group.name + "\": name is repeated in the same file");
        }
        groups->push_back(std::move(group));
      }
    }
  }

 private:
  void Error(const YAML::Mark& mark, const std::string& message) {
    std::ostringstream out;
    out << file_;
    if (!mark.is_null()) out << ':' << mark.line + 1 << ':' << mark.column + 1;
    out << ": " << message;
    errors_->push_back(out.str());
  }

  // Calls `use` for every known key of `map` and reports unknown and repeated keys.
  template <typename Use>
  void ForEachKey(const YAML::Node& map, const std::string& context,
                  std::initializer_list<std::string_view> known, Use use) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Error(it->first.Mark(), context + "unknown key \"" + key + "\"");
        continue;
      }
      if (!seen.insert(key).second) {
        Error(it->first.Mark(), context + "key \"" + key + "\" is repeated");
        continue;
      }
      use(key, it->second);
    }
  }

  // A scalar's text ("" for null), or nullopt after an error.
  std::optional<std::string> ScalarText(const YAML::Node& node, const std::string& context) {
    if (node.IsNull()) return std::string();
    if (!node.IsScalar()) {
      Error(node.Mark(), context + "expected a string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  bool LoadGroup(const YAML::Node& node, GroupDef* group) {
    group->file = file_;
    if (!node.IsMap()) {
      Error(node.Mark(), "groups: expected a mapping with name and rules");
      return false;
    }
    std::string context = "group: ";
    if (node["name"] && node["name"].IsScalar()) {
      context = "group \"" + node["name"].Scalar() + "\": ";
    }
    YAML::Node rules;
    bool has_name = false;
    ForEachKey(node, context, {"name", "interval", "limit", "rules"},
               [&](const std::string& key, const YAML::Node& value) {
                 if (key == "rules") {
                   rules = value;
                   return;
                 }
                 auto text = ScalarText(value, context + key + ": ");
                 if (!text) return;
                 if (key == "name") {
                   has_name = !text->empty();
                   group->name = *text;
                 } else if (key == "interval") {
                   auto ms = ParsePromDuration(*text);
                   if (!ms) {
                     Error(value.Mark(),
                           context + "interval: not a valid duration string: \"" + *text + "\"");
                   } else if (*ms > 0) {
                     group->interval_ms = *ms;
                   }
                 } else if (key == "limit") {
                   char* end = nullptr;
                   errno = 0;
                   const long long limit = std::strtoll(text->c_str(), &end, 10);
                   if (text->empty() || *end != '\0' || errno != 0 ||
                       limit > std::numeric_limits<int>::max() ||
                       limit < std::numeric_limits<int>::min()) {
                     Error(value.Mark(),
                           context + "limit: expected an integer, got \"" + *text + "\"");
                   } else {
                     group->limit = static_cast<int>(limit);
                   }
                 }
               });
    if (!has_name) Error(node.Mark(), "group name must not be empty");
    if (rules && !rules.IsNull()) {
      if (!rules.IsSequence()) {
        Error(rules.Mark(), context + "rules: expected a list of rules");
      } else {
        int index = 0;
        for (const YAML::Node& rule : rules) {
          RuleDef def;
          if (LoadRule(rule, context, ++index, &def)) group->rules.push_back(std::move(def));
        }
      }
    }
    return has_name;
  }

  bool LoadRule(const YAML::Node& node, const std::string& group_context, int index,
                RuleDef* rule) {
    const std::string prefix =
        group_context.substr(0, group_context.size() - 2) + ", rule " + std::to_string(index);
    if (!node.IsMap()) {
      Error(node.Mark(), prefix + ": expected a mapping with alert or record, and expr");
      return false;
    }
    std::string context = prefix + ": ";
    for (const char* kind : {"alert", "record"}) {
      if (node[kind] && node[kind].IsScalar()) {
        context = prefix + " (" + kind + " " + node[kind].Scalar() + "): ";
        break;
      }
    }
    const size_t errors_before = errors_->size();
    std::map<std::string, YAML::Node> values;
    ForEachKey(node, context,
               {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"},
               [&](const std::string& key, const YAML::Node& value) { values[key] = value; });

    auto scalar = [&](const char* key, std::string* out) -> const YAML::Node* {
      auto it = values.find(key);
      if (it == values.end()) return nullptr;
      if (auto text = ScalarText(it->second, context + key + ": ")) *out = *text;
      return &it->second;
    };
    auto duration = [&](const char* key, int64_t* out) {
      std::string text;
      const YAML::Node* value = scalar(key, &text);
      if (value == nullptr || text.empty()) return;
      if (auto ms = ParsePromDuration(text)) {
        *out = *ms;
      } else {
        Error(value->Mark(), context + key + ": not a valid duration string: \"" + text + "\"");
      }
    };
    const YAML::Node* alert = scalar("alert", &rule->alert);
    const YAML::Node* record = scalar("record", &rule->record);
    const YAML::Node* expr = scalar("expr", &rule->expr_text);
    duration("for", &rule->for_ms);
    duration("keep_firing_for", &rule->keep_firing_for_ms);
    ReadMap(values, "labels", context, &rule->labels);
    ReadMap(values, "annotations", context, &rule->annotations);

    const YAML::Mark here = node.Mark();
    rule->location =
        file_ + ":" + std::to_string(here.line + 1) + ":" + std::to_string(here.column + 1);
    if (!rule->alert.empty() && !rule->record.empty()) {
      Error(record->Mark(), context + "only one of 'record' and 'alert' must be set");
    } else if (rule->alert.empty() && rule->record.empty()) {
      Error(alert    ? alert->Mark()
            : record ? record->Mark()
                     : here,
            context + "one of 'record' or 'alert' must be set");
    }
    if (rule->expr_text.empty()) {
      // A non-string expr has been reported already.
      if (expr == nullptr || expr->IsNull() || expr->IsScalar()) {
        Error(expr ? expr->Mark() : here, context + "field 'expr' must be set in rule");
      }
    } else {
      promql::ParseError error;
      promql::ExprPtr parsed = promql::ParseExpr(rule->expr_text, &error);
      if (parsed == nullptr) {
        const promql::LineColumn at = promql::LineColumnAt(rule->expr_text, error.pos.start);
        Error(expr->Mark(), context + "expr: " + std::to_string(at.line) + ":" +
                                std::to_string(at.column) + ": " + error.message);
      } else {
        rule->expr = std::move(parsed);
      }
    }
    if (!rule->record.empty()) {
      const YAML::Mark at = record->Mark();
      if (values.count("annotations") != 0 && !rule->annotations.empty()) {
        Error(at, context + "invalid field 'annotations' in recording rule");
      }
      if (rule->for_ms != 0) Error(at, context + "invalid field 'for' in recording rule");
      if (rule->keep_firing_for_ms != 0) {
        Error(at, context + "invalid field 'keep_firing_for' in recording rule");
      }
      if (!IsMetricName(rule->record)) {
        Error(at, context + "invalid recording rule name: " + rule->record);
      }
    }
    CheckLabels(values, context, *rule);
    return errors_->size() == errors_before;
  }

  void ReadMap(const std::map<std::string, YAML::Node>& values, const char* key,
               const std::string& context, std::map<std::string, std::string>* out) {
    auto it = values.find(key);
    if (it == values.end() || it->second.IsNull()) return;
    if (!it->second.IsMap()) {
      Error(it->second.Mark(), context + key + ": expected a mapping of names to values");
      return;
    }
    for (auto entry = it->second.begin(); entry != it->second.end(); ++entry) {
      const std::string name = entry->first.IsScalar() ? entry->first.Scalar() : "";
      const std::string where = context + key + "." + name + ": ";
      auto value = ScalarText(entry->second, where);
      if (!value) continue;
      if (!out->emplace(name, *value).second) {
        Error(entry->first.Mark(), where + "key is repeated");
      }
    }
  }

  void CheckLabels(const std::map<std::string, YAML::Node>& values, const std::string& context,
                   const RuleDef& rule) {
    for (const char* key : {"labels", "annotations"}) {
      auto it = values.find(key);
      if (it == values.end() || !it->second.IsMap()) continue;
      const bool labels = std::string_view(key) == "labels";
      for (auto entry = it->second.begin(); entry != it->second.end(); ++entry) {
        const std::string name = entry->first.IsScalar() ? entry->first.Scalar() : "";
        const std::string where = context + key + "." + name + ": ";
        if (!IsLabelName(name) || (labels && name == promql::kMetricName)) {
          Error(entry->first.Mark(),
                context + "invalid " + (labels ? "label" : "annotation") + " name: " + name);
          continue;
        }
        // Recording rules' labels are plain values; alerting rules' are templates.
        if (!labels || !rule.alert.empty()) {
          const std::string text = entry->second.IsScalar() ? entry->second.Scalar() : "";
          Status status = CheckTemplate(text);
          if (!status.ok()) Error(entry->second.Mark(), where + status.message());
        }
      }
    }
  }

  const std::string& file_;
  std::vector<std::string>* errors_;
};

}  // namespace

bool ParseRuleFile(const std::string& file, const std::string& text, std::vector<GroupDef>* groups,
                   std::vector<std::string>* errors) {
  const size_t errors_before = errors->size();
  std::vector<GroupDef> parsed;
  FileLoader(file, errors).Load(text, &parsed);
  if (errors->size() != errors_before) return false;
  for (GroupDef& group : parsed) groups->push_back(std::move(group));
  return true;
}

bool LoadRuleFiles(const std::vector<std::string>& globs, const std::string& base_dir,
                   std::vector<GroupDef>* groups, std::vector<std::string>* errors) {
  const size_t errors_before = errors->size();
  std::vector<std::string> files;
  for (const std::string& pattern : globs) {
    std::string full = pattern;
    if (!pattern.empty() && pattern[0] != '/' && !base_dir.empty()) {
      full = base_dir + (base_dir.back() == '/' ? "" : "/") + pattern;
    }
    glob_t matches{};
    // As Go's filepath.Glob, which Prometheus uses: a directory that does not exist (or cannot
    // be read) matches nothing; only a malformed pattern is an error.
    const int rc = glob(full.c_str(), 0, nullptr, &matches);
    if (rc == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
    } else if (rc != GLOB_NOMATCH) {
      errors->push_back(full + ": cannot expand the pattern" +
                        (rc == GLOB_ABORTED ? std::string(": ") + std::strerror(errno) : ""));
    }
    globfree(&matches);
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in.is_open()) {
      errors->push_back(file + ": cannot open the file: " + std::strerror(errno));
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
      errors->push_back(file + ": cannot read the file: " + std::strerror(errno));
      continue;
    }
    ParseRuleFile(file, text.str(), groups, errors);
  }
  return errors->size() == errors_before;
}

}  // namespace sidecar::rules
