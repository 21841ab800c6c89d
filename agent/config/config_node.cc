#include "agent/config/config_node.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/common/redact.h"

namespace sidecar::config {

struct ConfigNode::Impl {
  YAML::Node node;
  std::shared_ptr<std::set<std::string>> read_keys = std::make_shared<std::set<std::string>>();
};

namespace {

// Small edit distance for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t previous = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t current = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1)});
      previous = current;
    }
  }
  return row[b.size()];
}

std::string Quote(const std::string& text) {
  std::string shown = Redact(text);
  if (shown.size() > 60) {
    shown = shown.substr(0, 57) + "...";
  }
  return "'" + shown + "'";
}

const char* KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a scalar";
  }
}

bool ParseBool(const std::string& text, bool* out) {
  static const char* const kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On", "1"};
  static const char* const kFalse[] = {"false", "False", "FALSE", "no", "No", "off", "Off", "0"};
  for (const char* word : kTrue) {
    if (text == word) return *out = true, true;
  }
  for (const char* word : kFalse) {
    if (text == word) return *out = false, true;
  }
  return false;
}

// Returns the value's text and where it is in the file, for key lookups in a map.
struct Located {
  YAML::Node key;
  YAML::Node value;
};

std::optional<Located> Find(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) {
    return std::nullopt;
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      return Located{it->first, it->second};
    }
  }
  return std::nullopt;
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

}  // namespace

std::string ConfigError::ToString() const {
  std::ostringstream out;
  out << file;
  if (line > 0) {
    out << ":" << line << ":" << column;
  }
  out << ": ";
  if (!path.empty()) {
    out << path << ": ";
  }
  out << message;
  return out.str();
}

ConfigNode::ConfigNode(std::shared_ptr<ParseState> state, std::unique_ptr<Impl> impl,
                       std::string path)
    : state_(std::move(state)), impl_(std::move(impl)), path_(std::move(path)) {}

ConfigNode::ConfigNode(const ConfigNode& other)
    : state_(other.state_), impl_(std::make_unique<Impl>(*other.impl_)), path_(other.path_) {}

ConfigNode& ConfigNode::operator=(const ConfigNode& other) {
  state_ = other.state_;
  impl_ = std::make_unique<Impl>(*other.impl_);
  path_ = other.path_;
  return *this;
}

ConfigNode::~ConfigNode() = default;

ConfigNode ConfigNode::Parse(const std::string& text, std::shared_ptr<ParseState> state) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    state->errors.push_back(
        ConfigError{state->file, e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg});
    impl->node = YAML::Node(YAML::NodeType::Undefined);
  }
  if (impl->node.IsNull()) {
    impl->node = YAML::Node(YAML::NodeType::Map);  // an empty file is an empty config
  }
  ConfigNode root(std::move(state), std::move(impl), "");
  if (root.valid() && !root.IsMap()) {
    root.ErrorHere(std::string("expected a mapping at the top level, got ") +
                   KindName(root.impl_->node));
  }
  return root;
}

bool ConfigNode::valid() const { return impl_->node.IsDefined(); }
bool ConfigNode::IsMap() const { return impl_->node.IsMap(); }
bool ConfigNode::Has(std::string_view key) const { return Find(impl_->node, key).has_value(); }

void ConfigNode::Error(std::string_view key, const std::string& message) {
  auto found = Find(impl_->node, key);
  if (!found) {
    ErrorHere(std::string(key) + ": " + message);
    return;
  }
  const YAML::Mark mark = found->value.IsNull() ? found->key.Mark() : found->value.Mark();
  state_->errors.push_back(
      ConfigError{state_->file, mark.line + 1, mark.column + 1, ChildPath(path_, key), message});
}

void ConfigNode::ErrorHere(const std::string& message) {
  const YAML::Mark mark = impl_->node.IsDefined() ? impl_->node.Mark() : YAML::Mark::null_mark();
  const int line = mark.line >= 0 ? mark.line + 1 : 0;
  const int column = mark.column >= 0 ? mark.column + 1 : 0;
  state_->errors.push_back(ConfigError{state_->file, line, column, path_, message});
}

std::optional<std::string> ConfigNode::Scalar(std::string_view key, const char* expected,
                                              bool* from_env) {
  impl_->read_keys->insert(std::string(key));
  auto found = Find(impl_->node, key);
  if (!found) {
    return std::nullopt;
  }
  if (!found->value.IsScalar()) {
    Error(key, std::string("expected ") + expected + ", got " + KindName(found->value));
    return std::nullopt;
  }
  auto expanded = ExpandEnv(found->value.Scalar(), state_->env);
  if (!expanded.ok()) {
    Error(key, expanded.status().message());
    return std::nullopt;
  }
  if (from_env != nullptr) {
    *from_env = expanded->used_env;
  }
  return std::move(expanded->value);
}

std::optional<std::string> ConfigNode::GetString(std::string_view key) {
  return Scalar(key, "a string");
}

std::optional<Duration> ConfigNode::GetDuration(std::string_view key) {
  auto text = Scalar(key, "a duration such as 5s or 250ms");
  if (!text) {
    return std::nullopt;
  }
  auto duration = ParseDuration(*text);
  if (!duration) {
    Error(key, "expected a duration such as 5s, 250ms or 1m30s, got " + Quote(*text));
  }
  return duration;
}

std::optional<bool> ConfigNode::GetBool(std::string_view key) {
  auto text = Scalar(key, "true or false");
  if (!text) {
    return std::nullopt;
  }
  bool value = false;
  if (!ParseBool(*text, &value)) {
    Error(key, "expected true or false, got " + Quote(*text));
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ConfigNode::GetInt(std::string_view key, int64_t min, int64_t max) {
  auto text = Scalar(key, "a whole number");
  if (!text) {
    return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno == ERANGE) {
    Error(key, "expected a whole number, got " + Quote(*text));
    return std::nullopt;
  }
  if (value < min || value > max) {
    Error(key, "expected a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<double> ConfigNode::GetDouble(std::string_view key) {
  auto text = Scalar(key, "a number");
  if (!text) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !std::isfinite(value)) {
    Error(key, "expected a number, got " + Quote(*text));
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>> ConfigNode::GetStringList(std::string_view key) {
  impl_->read_keys->insert(std::string(key));
  auto found = Find(impl_->node, key);
  if (!found) {
    return std::nullopt;
  }
  if (found->value.IsScalar()) {
    auto one = GetString(key);
    return one ? std::optional<std::vector<std::string>>({*one}) : std::nullopt;
  }
  if (!found->value.IsSequence()) {
    Error(key, std::string("expected a list of strings, got ") + KindName(found->value));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < found->value.size(); ++i) {
    const YAML::Node item = found->value[i];
    const std::string item_path = ChildPath(path_, key) + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      state_->errors.push_back(
          ConfigError{state_->file, item.Mark().line + 1, item.Mark().column + 1, item_path,
                      std::string("expected a string, got ") + KindName(item)});
      ok = false;
      continue;
    }
    auto expanded = ExpandEnv(item.Scalar(), state_->env);
    if (!expanded.ok()) {
      state_->errors.push_back(ConfigError{state_->file, item.Mark().line + 1,
                                           item.Mark().column + 1, item_path,
                                           expanded.status().message()});
      ok = false;
      continue;
    }
    out.push_back(std::move(expanded->value));
  }
  return ok ? std::optional<std::vector<std::string>>(std::move(out)) : std::nullopt;
}

std::optional<std::map<std::string, std::string>> ConfigNode::GetStringMap(std::string_view key) {
  auto child = GetMap(key);
  if (!child) {
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (auto it = child->impl_->node.begin(); it != child->impl_->node.end(); ++it) {
    const std::string name = it->first.as<std::string>("");
    auto value = child->GetString(name);
    if (!value) {
      ok = false;
      continue;
    }
    out[name] = *value;
  }
  return ok ? std::optional<std::map<std::string, std::string>>(std::move(out)) : std::nullopt;
}

std::optional<std::string> ConfigNode::SecretValue(std::string_view key, bool is_url) {
  const std::string file_key = std::string(key) + "_file";
  const bool has_value = Has(key);
  const bool has_file = Has(file_key);
  if (has_value && has_file) {
    Error(file_key, "give either " + std::string(key) + " or " + file_key + ", not both");
    impl_->read_keys->insert(std::string(key));
    impl_->read_keys->insert(file_key);
    return std::nullopt;
  }
  std::string value;
  if (has_file) {
    auto path = GetString(file_key);
    if (!path) {
      return std::nullopt;
    }
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
      Error(file_key, "cannot read " + Quote(*path));
      return std::nullopt;
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    value = contents.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
      value.pop_back();
    }
  } else {
    bool from_env = false;
    auto text = Scalar(key, "a string", &from_env);
    if (!text) {
      return std::nullopt;
    }
    value = *text;
    // A URL may be written in the file without a password; libpq's key=value form too.
    const bool literal_secret =
        is_url ? RedactUrl(value) != value || value.find("password=") != std::string::npos
               : !value.empty();
    if (!from_env && literal_secret) {
      Error(key,
            "a secret may not be written in the config file: take it from the environment "
            "(${VAR}) or a file (" +
                file_key + ")");
      return std::nullopt;
    }
  }
  if (is_url) {
    // Register the password itself: libraries may echo it without the URL around it.
    const size_t scheme = value.find("://");
    if (scheme != std::string::npos) {
      const size_t authority_end = value.find_first_of("/?#", scheme + 3);
      const std::string authority = value.substr(scheme + 3, authority_end - scheme - 3);
      const size_t at = authority.rfind('@');
      const size_t colon = authority.find(':');
      if (at != std::string::npos && colon != std::string::npos && colon < at) {
        RegisterSecret(authority.substr(colon + 1, at - colon - 1));
      }
    }
  } else {
    RegisterSecret(value);
  }
  return value;
}

std::optional<std::string> ConfigNode::GetSecret(std::string_view key) {
  return SecretValue(key, /*is_url=*/false);
}

std::optional<std::string> ConfigNode::GetSecretUrl(std::string_view key) {
  return SecretValue(key, /*is_url=*/true);
}

std::optional<ConfigNode> ConfigNode::GetMap(std::string_view key) {
  impl_->read_keys->insert(std::string(key));
  auto found = Find(impl_->node, key);
  if (!found) {
    return std::nullopt;
  }
  if (!found->value.IsMap()) {
    Error(key, std::string("expected a mapping, got ") + KindName(found->value));
    return std::nullopt;
  }
  auto impl = std::make_unique<Impl>();
  impl->node = found->value;
  return ConfigNode(state_, std::move(impl), ChildPath(path_, key));
}

std::vector<ConfigNode> ConfigNode::GetMapList(std::string_view key) {
  impl_->read_keys->insert(std::string(key));
  std::vector<ConfigNode> out;
  auto found = Find(impl_->node, key);
  if (!found || found->value.IsNull()) {
    return out;
  }
  if (!found->value.IsSequence()) {
    Error(key, std::string("expected a list, got ") + KindName(found->value));
    return out;
  }
  for (size_t i = 0; i < found->value.size(); ++i) {
    auto impl = std::make_unique<Impl>();
    impl->node = found->value[i];
    ConfigNode item(state_, std::move(impl), ChildPath(path_, key) + "[" + std::to_string(i) + "]");
    if (!item.IsMap()) {
      item.ErrorHere(std::string("expected a mapping, got ") + KindName(found->value[i]));
      continue;
    }
    out.push_back(std::move(item));
  }
  return out;
}

void ConfigNode::CheckUnknownKeys() {
  if (!impl_->node.IsMap()) {
    return;
  }
  std::set<std::string> seen;
  for (auto it = impl_->node.begin(); it != impl_->node.end(); ++it) {
    const YAML::Mark mark = it->first.Mark();
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (!seen.insert(key).second) {
      state_->errors.push_back(ConfigError{state_->file, mark.line + 1, mark.column + 1,
                                           ChildPath(path_, key), "duplicate key"});
      continue;
    }
    if (impl_->read_keys->count(key) != 0) {
      continue;
    }
    std::string message = "unknown key '" + key + "'";
    std::string best;
    size_t best_distance = 3;
    for (const std::string& known : *impl_->read_keys) {
      const size_t distance = EditDistance(key, known);
      if (distance < best_distance) {
        best_distance = distance;
        best = known;
      }
    }
    if (!best.empty()) {
      message += " (did you mean '" + best + "'?)";
    }
    state_->errors.push_back(
        ConfigError{state_->file, mark.line + 1, mark.column + 1, path_, message});
  }
}

bool AnyEnvSet(ConfigNode& node) {
  auto variables = node.GetStringList("if_env_set");
  if (!variables) return true;
  for (const std::string& variable : *variables) {
    const auto value = node.state().env(variable);
    if (value && !value->empty()) return true;
  }
  return false;
}

}  // namespace sidecar::config
