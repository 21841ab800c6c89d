#include "agent/rules/unit_test_runner.h"

#include <glob.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <variant>

#include "agent/promql/engine.h"
#include "agent/promql/parser.h"
#include "agent/promql/storage.h"
#include "agent/rules/rule_file.h"
#include "agent/rules/rule_group.h"
#include "agent/rules/series_notation.h"

namespace sidecar::rules {
namespace {

using promql::Labels;

// Go's strconv.Quote, for the ASCII escapes it makes (UTF-8 passes through).
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// Prometheus' labels.Labels String(): {a="1", b="2"}, __name__ as any other label.
std::string GoLabels(const Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].name + "=" + GoQuote(labels[i].value);
  }
  return out + "}";
}

// strconv.FormatFloat(v, 'E', -1, 64): 1E+00, 4.4833333333333337E+02, NaN, +Inf.
std::string GoFloatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string out(buf, ec == std::errc() ? end : buf);
  for (char& c : out) {
    if (c == 'e') c = 'E';
  }
  return out;
}

// Go's filepath.Join(dir, rel) with Clean's lexical rules.
std::string JoinClean(const std::string& dir, const std::string& rel) {
  const std::string path = dir.empty() ? rel : dir + "/" + rel;
  const bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  std::stringstream in(path);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (part != ".." || !absolute) {
      parts.push_back(part);
    }
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string ParseErrorText(std::string_view text, const promql::ParseError& error, int shift) {
  const promql::LineColumn lc = promql::LineColumnAt(text, error.pos.start);
  return std::to_string(lc.line) + ":" + std::to_string(lc.column + shift) +
         ": parse error: " + error.message;
}

// MemoryStorage as the rules' Appender.
class StorageAppender : public Appender {
 public:
  explicit StorageAppender(promql::MemoryStorage* storage) : storage_(storage) {}
  void Append(const Labels& labels, promql::Timestamp t, double v) override {
    (void)storage_->Append(labels, t, v);  // out of order: dropped, as the TSDB refuses it
  }

 private:
  promql::MemoryStorage* storage_;
};

struct InputData {
  Labels labels;
  std::vector<promql::Point> points;
  size_t next = 0;  // first point not yet appended
};

// An alert as promtool compares them: labels and annotations (kept with empty values).
struct LabelsAndAnnotations {
  Labels labels;
  Labels annotations;
  auto operator<=>(const LabelsAndAnnotations&) const = default;
  bool operator==(const LabelsAndAnnotations&) const = default;
};

Labels FromMap(const std::map<std::string, std::string>& map) {
  Labels out;
  for (const auto& [name, value] : map) out.push_back({name, value});
  return out;
}

std::string IndentLines(const std::string& lines, const std::string& indent) {
  std::string out;
  size_t start = 0;
  for (bool first = true;; first = false) {
    const size_t nl = lines.find('\n', start);
    if (!first) out += indent;
    out += lines.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::string AlertsString(const std::vector<LabelsAndAnnotations>& alerts) {
  if (alerts.empty()) return "[]";
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    out += (i == 0 ? "\n" : ",\n") + std::to_string(i) + ":" +
           IndentLines("\nLabels:" + GoLabels(alerts[i].labels) +
                           "\nAnnotations:" + GoLabels(alerts[i].annotations),
                       "  ");
  }
  return out + "\n]";
}

struct ParsedSample {
  Labels labels;
  double value = 0;
};

std::string SamplesString(const std::vector<ParsedSample>& samples) {
  if (samples.empty()) return "nil";
  std::string out;
  for (const ParsedSample& s : samples) {
    if (!out.empty()) out += ", ";
    out += GoLabels(s.labels) + " " + GoFloatE(s.value);
  }
  return out;
}

bool SameSamples(const std::vector<ParsedSample>& a, const std::vector<ParsedSample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].labels != b[i].labels || !(a[i].value == b[i].value)) return false;
  }
  return true;
}

class TestGroupRun {
 public:
  TestGroupRun(const UnitTestFile& file, const TestGroup& group,
               const std::vector<std::string>& rule_files, UnitTestFileResult* result)
      : file_(file), group_(group), rule_files_(rule_files), result_(result) {}

  void Run() {
    if (!LoadInput() || !LoadRules() || !CheckAlertNames()) return;
    const int64_t interval = file_.evaluation_interval_ms;
    int64_t maxt = 0;
    std::set<int64_t> alert_times;
    for (const AlertTestCase& t : group_.alert_rule_tests) {
      alert_times.insert(t.eval_time_ms);
      maxt = std::max(maxt, t.eval_time_ms);
    }
    for (const PromqlTestCase& t : group_.promql_expr_tests) maxt = std::max(maxt, t.eval_time_ms);
    auto next_alert_time = alert_times.begin();
    StorageAppender appender(&storage_);
    for (int64_t ts = 0; ts <= maxt; ts += interval) {
      AppendInputTill(ts);
      bool eval_failed = false;
      for (const std::unique_ptr<RuleGroup>& g : groups_) {
        g->Eval(ts, storage_, appender);
        for (const RuleStatus& status : g->RuleStatuses()) {
          if (status.health != "err") continue;
          const RuleDef& def = *status.def;
          Error("    rule: " + (def.alert.empty() ? def.record : def.alert) +
                ", time: " + FormatGoDuration(ts) + ", err: " + status.last_error);
          eval_failed = true;
        }
      }
      if (eval_failed) return;
      for (; next_alert_time != alert_times.end() && *next_alert_time < ts + interval;
           ++next_alert_time) {
        CheckAlerts(*next_alert_time);
      }
    }
    for (const PromqlTestCase& t : group_.promql_expr_tests) CheckExpr(t);
  }

 private:
  void Error(std::string message) { result_->errors.push_back(std::move(message)); }
  void Invalid(std::string message) {
    result_->invalid = true;
    Error(std::move(message));
  }

  bool LoadInput() {
    std::map<Labels, size_t> index;
    for (const InputSeries& s : group_.input_series) {
      const std::string line = s.series + " " + s.values;
      const auto lead = static_cast<int>(line.find_first_not_of(" \t\r\n"));
      InputData data;
      promql::ParseError perr;
      if (!promql::ParseSeriesLabels(s.series, &data.labels, &perr)) {
        Invalid(ParseErrorText(s.series, perr, -lead));
        return false;
      }
      std::vector<SeriesValue> values;
      SeriesNotationError verr;
      if (!ExpandSeriesValues(s.values, &values, &verr)) {
        const int col = static_cast<int>(s.series.size()) + 1 + verr.offset - lead + 1;
        Invalid("1:" + std::to_string(col) + ": parse error: " + verr.message);
        return false;
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].omitted) continue;
        data.points.push_back({static_cast<int64_t>(i) * group_.interval_ms, values[i].value});
      }
      // A later definition of the same series replaces the earlier one, as in promtool.
      auto [it, added] = index.emplace(data.labels, input_.size());
      if (added) {
        input_.push_back(std::move(data));
      } else {
        input_[it->second] = std::move(data);
      }
    }
    return true;
  }

  void AppendInputTill(int64_t ts) {
    for (InputData& data : input_) {
      for (; data.next < data.points.size() && data.points[data.next].t <= ts; ++data.next) {
        const promql::Point& p = data.points[data.next];
        // Several points at one time (interval 0): the TSDB keeps the first.
        if (data.next > 0 && data.points[data.next - 1].t == p.t) continue;
        (void)storage_.Append(data.labels, p.t, p.v);
      }
    }
  }

  bool LoadRules() {
    std::vector<GroupDef> defs;
    std::vector<std::string> errors;
    if (!LoadRuleFiles(rule_files_, "", &defs, &errors)) {
      for (std::string& e : errors) Invalid(std::move(e));
      return false;
    }
    std::map<std::string, size_t> order;
    for (size_t i = 0; i < file_.group_eval_order.size(); ++i) {
      order.emplace(file_.group_eval_order[i], i);
    }
    auto rank = [&](const GroupDef& g) {
      auto it = order.find(g.name);
      return it == order.end() ? size_t{0} : it->second;
    };
    std::stable_sort(defs.begin(), defs.end(),
                     [&](const GroupDef& a, const GroupDef& b) { return rank(a) < rank(b); });
    GroupOptions options;
    options.default_interval_ms =
        group_.interval_ms > 0 ? group_.interval_ms : file_.evaluation_interval_ms;
    options.external_labels = group_.external_labels;
    options.external_url = group_.external_url;
    for (GroupDef& def : defs) groups_.push_back(std::make_unique<RuleGroup>(def, options));
    return true;
  }

  bool CheckAlertNames() {
    for (const AlertTestCase& t : group_.alert_rule_tests) {
      if (!t.alertname.empty()) continue;
      Invalid("an item under alert_rule_test misses required attribute alertname at eval_time " +
              FormatModelDuration(t.eval_time_ms) +
              (group_.name.empty() ? "" : " (in TestGroup " + group_.name + ")"));
      return false;
    }
    return true;
  }

  void CheckAlerts(int64_t eval_time) {
    std::map<std::string, std::vector<LabelsAndAnnotations>> got;
    for (const std::unique_ptr<RuleGroup>& g : groups_) {
      for (const RuleStatus& status : g->RuleStatuses()) {
        if (status.def->alert.empty()) continue;
        auto& alerts = got[status.def->alert];
        for (const Alert& a : status.alerts) {
          if (a.state == Alert::State::kFiring) {
            alerts.push_back({a.labels, FromMap(a.annotations)});
          }
        }
      }
    }
    for (const AlertTestCase& t : group_.alert_rule_tests) {
      if (t.eval_time_ms != eval_time) continue;
      std::vector<LabelsAndAnnotations> exp;
      for (const ExpectedAlert& a : t.exp_alerts) {
        auto labels = a.labels;
        labels["alertname"] = t.alertname;
        exp.push_back({FromMap(labels), FromMap(a.annotations)});
      }
      std::vector<LabelsAndAnnotations> have = got[t.alertname];
      std::sort(exp.begin(), exp.end());
      std::sort(have.begin(), have.end());
      if (exp == have) continue;
      const std::string indent(12, ' ');
      Error((group_.name.empty() ? "" : "    name: " + group_.name + ",\n") +
            "    alertname: " + t.alertname + ", time: " + FormatModelDuration(eval_time) +
            ", \n        exp:" + IndentLines(AlertsString(exp), indent) +
            ", \n        got:" + IndentLines(AlertsString(have), indent));
    }
  }

  void CheckExpr(const PromqlTestCase& t) {
    const std::string where =
        "    expr: " + GoQuote(t.expr) + ", time: " + FormatModelDuration(t.eval_time_ms);
    promql::ParseError perr;
    promql::ExprPtr expr = promql::ParseExpr(t.expr, &perr);
    if (expr == nullptr) return Error(where + ", err: " + ParseErrorText(t.expr, perr, 0));
    Result<promql::Value> value = promql::Evaluate(*expr, storage_, t.eval_time_ms);
    if (!value.ok()) return Error(where + ", err: " + value.status().message());
    std::vector<ParsedSample> got;
    if (const auto* vector = std::get_if<promql::Vector>(&*value)) {
      for (const promql::Sample& s : *vector) got.push_back({s.metric, s.v});
    } else if (const auto* scalar = std::get_if<promql::Scalar>(&*value)) {
      got.push_back({{}, scalar->v});
    } else {
      return Error(where + ", err: rule result is not a vector or scalar");
    }
    std::vector<ParsedSample> exp;
    for (const ExpectedSample& s : t.exp_samples) {
      ParsedSample parsed{{}, s.value};
      const bool blank = s.labels.find_first_not_of(" \t\r\n") == std::string::npos;
      if (!blank && !promql::ParseSeriesLabels(s.labels, &parsed.labels, &perr)) {
        return Error(where + ", err: labels " + GoQuote(s.labels) + ": " +
                     ParseErrorText(s.labels, perr, 0));
      }
      exp.push_back(std::move(parsed));
    }
    auto by_labels = [](const ParsedSample& a, const ParsedSample& b) {
      return a.labels < b.labels;
    };
    std::stable_sort(exp.begin(), exp.end(), by_labels);
    std::stable_sort(got.begin(), got.end(), by_labels);
    if (SameSamples(exp, got)) return;
    Error(where + ",\n        exp: " + SamplesString(exp) + "\n        got: " + SamplesString(got));
  }

  const UnitTestFile& file_;
  const TestGroup& group_;
  const std::vector<std::string>& rule_files_;
  UnitTestFileResult* result_;
  promql::MemoryStorage storage_;
  std::vector<InputData> input_;
  std::vector<std::unique_ptr<RuleGroup>> groups_;
};

}  // namespace

UnitTestFileResult RunUnitTestFile(const UnitTestFile& file, const std::string& dir) {
  UnitTestFileResult result;
  std::vector<std::string> rule_files;
  for (const std::string& pattern : file.rule_files) {
    const std::string full =
        !pattern.empty() && pattern[0] != '/' ? JoinClean(dir, pattern) : pattern;
    glob_t matches{};
    const int rc = glob(full.c_str(), 0, nullptr, &matches);
    if (rc == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) rule_files.emplace_back(matches.gl_pathv[i]);
    } else {
      result.warnings.push_back("  WARNING: no file match pattern " + full);
    }
    globfree(&matches);
  }
  std::set<std::string> seen;
  for (const std::string& name : file.group_eval_order) {
    if (!seen.insert(name).second) {
      result.invalid = true;
      result.errors.push_back("group name repeated in evaluation order: " + name);
      return result;
    }
  }
  for (const TestGroup& group : file.tests) {
    TestGroupRun(file, group, rule_files, &result).Run();
  }
  return result;
}

int RunRuleUnitTests(const std::vector<std::string>& paths, std::FILE* out, std::FILE* err) {
  int code = kUnitTestsPassed;
  // promtool's order of output: the report on stdout, failures on stderr.
  auto print = [&](std::FILE* stream, const std::string& text) {
    std::fflush(stream == out ? err : out);
    std::fputs(text.c_str(), stream);
    std::fflush(stream);
  };
  for (const std::string& path : paths) {
    print(out, "Unit Testing:  " + path + "\n");
    UnitTestFileResult result;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in.is_open()) text << in.rdbuf();
    if (!in.is_open() || in.bad()) {
      result.invalid = true;
      result.errors.push_back("open " + path + ": cannot read the file");
    } else if (auto parsed = ParseUnitTestFile(text.str()); !parsed.ok()) {
      result.invalid = true;
      result.errors.push_back(parsed.status().message());
    } else {
      result = RunUnitTestFile(*parsed, DirName(path));
    }
    for (const std::string& w : result.warnings) print(err, w + "\n");
    if (result.errors.empty()) {
      print(out, "  SUCCESS\n");
    } else {
      print(err, "  FAILED:\n");
      for (const std::string& e : result.errors) {
        print(err, e + "\n");
        print(out, "\n");
      }
      code = std::max(code, result.invalid ? kUnitTestsInvalid : kUnitTestsFailed);
    }
    print(out, "\n");
  }
  return code;
}

}  // namespace sidecar::rules
