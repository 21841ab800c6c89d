#include "agent/rules/unit_test_file.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>

namespace sidecar::rules {
namespace {

int Line(const YAML::Node& node) { return node.Mark().line + 1; }

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

bool IsNullScalar(const YAML::Node& node) {
  if (node.IsNull()) return true;
  if (!node.IsScalar() || !IsPlain(node)) return false;
  const std::string& s = node.Scalar();
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// Go's strconv.ParseInt(s, 0, 64) after yaml.v2 dropped the underscores.
bool ParseYamlInt(std::string s, double* out) {
  std::erase(s, '_');
  static const std::regex kInt("[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)");
  if (!std::regex_match(s, kInt)) return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    i = 1;
  }
  int base = 10;
  if (s.size() > i + 1 && s[i] == '0') {
    const char p = s[i + 1];
    if (p == 'x' || p == 'X') {
      base = 16, i += 2;
    } else if (p == 'b' || p == 'B') {
      base = 2, i += 2;
    } else if (p == 'o' || p == 'O') {
      base = 8, i += 2;
    } else {
      base = 8, i += 1;
    }
  }
  errno = 0;
  const long long v = std::strtoll(s.c_str() + i, nullptr, base);
  if (errno == ERANGE) return false;
  *out = negative ? -static_cast<double>(v) : static_cast<double>(v);
  return true;
}

// What yaml.v2 resolves a plain scalar to, for its error messages: !!null, !!bool, !!int,
// !!float or !!str.
std::string ShortTag(const YAML::Node& node) {
  if (node.IsMap()) return "!!map";
  if (node.IsSequence()) return "!!seq";
  if (IsNullScalar(node)) return "!!null";
  if (!IsPlain(node)) return "!!str";
  static const std::set<std::string> kBools = {
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",  "N",  "no", "No",  "NO",  "true",
      "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
  const std::string& s = node.Scalar();
  if (kBools.count(s) != 0) return "!!bool";
  double ignored = 0;
  if (ParseYamlInt(s, &ignored)) return "!!int";
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  static const std::regex kSpecial(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (std::regex_match(s, kFloat) || std::regex_match(s, kSpecial)) return "!!float";
  return "!!str";
}

// Decodes nodes into the file's structs as yaml.UnmarshalStrict does: type errors are
// collected (with their line) and decoding goes on; a bad duration stops everything.
class Decoder {
 public:
  std::vector<std::string> errors;
  std::string fatal;

  void TypeError(const YAML::Node& node, std::string_view into) {
    std::string got = ShortTag(node);
    if (node.IsScalar()) got += " `" + node.Scalar() + "`";
    errors.push_back("line " + std::to_string(Line(node)) + ": cannot unmarshal " + got + " into " +
                     std::string(into));
  }

  void String(const YAML::Node& node, std::string* out) {
    if (IsNullScalar(node)) return;
    if (!node.IsScalar()) return TypeError(node, "string");
    *out = node.Scalar();
  }

  void Duration(const YAML::Node& node, int64_t* out) {
    if (IsNullScalar(node)) return;
    std::string text;
    String(node, &text);
    if (!node.IsScalar()) return;
    auto d = ParseModelDuration(text);
    if (!d.ok()) {
      if (fatal.empty()) fatal = d.status().message();
      return;
    }
    *out = *d;
  }

  void Float(const YAML::Node& node, double* out) {
    if (IsNullScalar(node)) return;
    const std::string tag = ShortTag(node);
    if (tag == "!!int") {
      ParseYamlInt(node.Scalar(), out);
      return;
    }
    if (tag != "!!float") return TypeError(node, "float64");
    std::string s = node.Scalar();
    const bool negative = !s.empty() && s[0] == '-';
    if (s.find("inf") != std::string::npos || s.find("Inf") != std::string::npos ||
        s.find("INF") != std::string::npos) {
      *out = negative ? -HUGE_VAL : HUGE_VAL;
    } else if (s.find('.') != std::string::npos &&
               (s.find("nan") != std::string::npos || s.find("NaN") != std::string::npos ||
                s.find("NAN") != std::string::npos)) {
      *out = std::nan("");
    } else {
      *out = std::strtod(s.c_str(), nullptr);
    }
  }

  void StringList(const YAML::Node& node, std::vector<std::string>* out) {
    if (IsNullScalar(node)) return;
    if (!node.IsSequence()) return TypeError(node, "[]string");
    for (const YAML::Node& item : node) {
      std::string s;
      String(item, &s);
      out->push_back(std::move(s));
    }
  }

  void StringMap(const YAML::Node& node, std::map<std::string, std::string>* out,
                 std::string_view type = "map[string]string") {
    if (IsNullScalar(node)) return;
    if (!node.IsMap()) return TypeError(node, type);
    for (const auto& kv : node) {
      std::string key;
      String(kv.first, &key);
      if (out->count(key) != 0) {
        errors.push_back("line " + std::to_string(Line(kv.first)) + ": key \"" + key +
                         "\" already set in map");
        continue;
      }
      String(kv.second, &(*out)[key]);
    }
  }

  // Calls `field(key, value)` for each key of a struct-like map; `field` returns false for an
  // unknown key.
  template <typename F>
  void Struct(const YAML::Node& node, std::string_view type, F field) {
    if (IsNullScalar(node)) return;
    if (!node.IsMap()) return TypeError(node, std::string("main.") + std::string(type));
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const std::string where = "line " + std::to_string(Line(kv.first)) + ": field " + key;
      if (!seen.insert(key).second) {
        errors.push_back(where + " already set in type main." + std::string(type));
        continue;
      }
      if (!field(key, kv.second)) {
        errors.push_back(where + " not found in type main." + std::string(type));
      }
    }
  }

  template <typename T, typename F>
  void List(const YAML::Node& node, std::string_view type, std::vector<T>* out, F item) {
    if (IsNullScalar(node)) return;
    if (!node.IsSequence()) return TypeError(node, "[]main." + std::string(type));
    for (const YAML::Node& n : node) {
      out->emplace_back();
      item(n, &out->back());
    }
  }

  void Alert(const YAML::Node& node, ExpectedAlert* a) {
    Struct(node, "alert", [&](const std::string& key, const YAML::Node& v) {
      if (key == "exp_labels") return StringMap(v, &a->labels), true;
      if (key == "exp_annotations") return StringMap(v, &a->annotations), true;
      return false;
    });
  }

  void AlertTest(const YAML::Node& node, AlertTestCase* t) {
    Struct(node, "alertTestCase", [&](const std::string& key, const YAML::Node& v) {
      if (key == "eval_time") return Duration(v, &t->eval_time_ms), true;
      if (key == "alertname") return String(v, &t->alertname), true;
      if (key == "exp_alerts") {
        List(v, "alert", &t->exp_alerts,
             [&](const YAML::Node& n, ExpectedAlert* a) { Alert(n, a); });
        return true;
      }
      return false;
    });
  }

  void ExprTest(const YAML::Node& node, PromqlTestCase* t) {
    Struct(node, "promqlTestCase", [&](const std::string& key, const YAML::Node& v) {
      if (key == "expr") return String(v, &t->expr), true;
      if (key == "eval_time") return Duration(v, &t->eval_time_ms), true;
      if (key == "exp_samples") {
        List(v, "sample", &t->exp_samples, [&](const YAML::Node& n, ExpectedSample* s) {
          Struct(n, "sample", [&](const std::string& k, const YAML::Node& sv) {
            if (k == "labels") return String(sv, &s->labels), true;
            if (k == "value") return Float(sv, &s->value), true;
            return false;
          });
        });
        return true;
      }
      return false;
    });
  }

  void Group(const YAML::Node& node, TestGroup* g) {
    Struct(node, "testGroup", [&](const std::string& key, const YAML::Node& v) {
      if (key == "interval") return Duration(v, &g->interval_ms), true;
      if (key == "name") return String(v, &g->name), true;
      if (key == "external_url") return String(v, &g->external_url), true;
      if (key == "external_labels") return StringMap(v, &g->external_labels), true;
      if (key == "input_series") {
        List(v, "series", &g->input_series, [&](const YAML::Node& n, InputSeries* s) {
          Struct(n, "series", [&](const std::string& k, const YAML::Node& sv) {
            if (k == "series") return String(sv, &s->series), true;
            if (k == "values") return String(sv, &s->values), true;
            return false;
          });
        });
        return true;
      }
      if (key == "alert_rule_test") {
        List(v, "alertTestCase", &g->alert_rule_tests,
             [&](const YAML::Node& n, AlertTestCase* t) { AlertTest(n, t); });
        return true;
      }
      if (key == "promql_expr_test") {
        List(v, "promqlTestCase", &g->promql_expr_tests,
             [&](const YAML::Node& n, PromqlTestCase* t) { ExprTest(n, t); });
        return true;
      }
      return false;
    });
  }

  void File(const YAML::Node& node, UnitTestFile* f) {
    Struct(node, "unitTestFile", [&](const std::string& key, const YAML::Node& v) {
      if (key == "rule_files") return StringList(v, &f->rule_files), true;
      if (key == "evaluation_interval") return Duration(v, &f->evaluation_interval_ms), true;
      if (key == "group_eval_order") return StringList(v, &f->group_eval_order), true;
      if (key == "tests") {
        List(v, "testGroup", &f->tests, [&](const YAML::Node& n, TestGroup* g) { Group(n, g); });
        return true;
      }
      return false;
    });
  }
};

}  // namespace

Result<UnitTestFile> ParseUnitTestFile(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  UnitTestFile file;
  file.evaluation_interval_ms = 0;
  Decoder decoder;
  decoder.File(root, &file);
  if (!decoder.fatal.empty()) return Status::InvalidArgument(decoder.fatal);
  if (!decoder.errors.empty()) {
    std::string message = "yaml: unmarshal errors:";
    for (const std::string& e : decoder.errors) message += "\n  " + e;
    return Status::InvalidArgument(message);
  }
  if (file.evaluation_interval_ms == 0) file.evaluation_interval_ms = 60 * 1000;
  return file;
}

Result<int64_t> ParseModelDuration(std::string_view text) {
  if (text == "0") return int64_t{0};
  if (text.empty()) return Status::InvalidArgument("empty duration string");
  static const std::regex kDuration(
      "(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?");
  const std::string s(text);
  std::smatch m;
  if (!std::regex_match(s, m, kDuration)) {
    return Status::InvalidArgument("not a valid duration string: \"" + s + "\"");
  }
  constexpr int64_t kUnits[] = {365LL * 24 * 3600 * 1000,
                                7LL * 24 * 3600 * 1000,
                                24LL * 3600 * 1000,
                                3600LL * 1000,
                                60LL * 1000,
                                1000,
                                1};
  int64_t total = 0;
  for (int i = 0; i < 7; ++i) {
    const std::string digits = m[2 + 2 * i].str();
    if (digits.empty()) continue;
    errno = 0;
    const long long n = std::strtoll(digits.c_str(), nullptr, 10);
    if (errno == ERANGE || n > INT64_MAX / kUnits[i] || total > INT64_MAX - n * kUnits[i]) {
      return Status::InvalidArgument("duration out of range");
    }
    total += n * kUnits[i];
  }
  return total;
}

std::string FormatModelDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  auto unit = [&](const char* name, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    if (const int64_t v = ms / mult; v > 0) {
      out += std::to_string(v) + name;
      ms -= v * mult;
    }
  };
  unit("y", 365LL * 24 * 3600 * 1000, true);
  unit("w", 7LL * 24 * 3600 * 1000, true);
  unit("d", 24LL * 3600 * 1000, false);
  unit("h", 3600LL * 1000, false);
  unit("m", 60LL * 1000, false);
  unit("s", 1000, false);
  unit("ms", 1, false);
  return out;
}

std::string FormatGoDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string sign;
  if (ms < 0) {
    sign = "-";
    ms = -ms;
  }
  if (ms < 1000) return sign + std::to_string(ms) + "ms";
  std::string seconds = std::to_string(ms / 1000 % 60);
  if (const int64_t frac = ms % 1000; frac != 0) {
    std::string f = std::to_string(frac + 1000).substr(1);
    while (f.back() == '0') f.pop_back();
    seconds += "." + f;
  }
  const int64_t minutes = ms / 60000 % 60;
  const int64_t hours = ms / 3600000;
  if (hours > 0) {
    return sign + std::to_string(hours) + "h" + std::to_string(minutes) + "m" + seconds + "s";
  }
  if (minutes > 0) return sign + std::to_string(minutes) + "m" + seconds + "s";
  return sign + seconds + "s";
}

}  // namespace sidecar::rules
