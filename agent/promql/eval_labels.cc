// label_replace, label_join and the labels of absent(), as Prometheus 2.42 computes them.
// label_replace expands its replacement as Go's regexp.Expand does: $1, ${1}, $name, ${name},
// $$ for a dollar; a name runs as far as letters, digits and underscores go ($1x is ${1x}).
#include <re2/re2.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/promql/eval_internal.h"

namespace sidecar::promql::internal {
namespace {

bool IsNameByte(unsigned char c) {
  // Go takes Unicode letters and digits; any non-ASCII byte is counted as part of a letter.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

// Go's regexp extract(): a leading "name" or "{name}"; num is its group number or -1.
bool ExtractName(std::string_view text, std::string_view& name, int& num, size_t& consumed) {
  if (text.empty()) return false;
  bool brace = text[0] == '{';
  size_t start = brace ? 1 : 0;
  size_t i = start;
  while (i < text.size() && IsNameByte(static_cast<unsigned char>(text[i]))) ++i;
  if (i == start) return false;
  name = text.substr(start, i - start);
  if (brace) {
    if (i >= text.size() || text[i] != '}') return false;
    ++i;
  }
  num = 0;
  for (char c : name) {
    if (c < '0' || c > '9' || num >= 100000000) {
      num = -1;
      break;
    }
    num = num * 10 + (c - '0');
  }
  if (name[0] == '0' && name.size() > 1) num = -1;  // no leading zeros
  consumed = i;
  return true;
}

std::string Expand(std::string_view tmpl, const std::vector<re2::StringPiece>& groups,
                   const std::map<std::string, int>& names) {
  std::string out;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name;
    int num = -1;
    size_t consumed = 0;
    if (!ExtractName(tmpl, name, num, consumed)) {
      out += '$';  // malformed: the dollar is plain text
      continue;
    }
    tmpl.remove_prefix(consumed);
    if (num < 0) {
      auto it = names.find(std::string(name));
      num = it == names.end() ? -1 : it->second;
    }
    if (num >= 0 && static_cast<size_t>(num) < groups.size() && groups[num].data() != nullptr) {
      out.append(groups[num].data(), groups[num].size());
    }
  }
  out.append(tmpl);
  return out;
}

}  // namespace

const std::string& StringArg(const Expr& arg) {
  return static_cast<const StringLiteral&>(UnwrapParens(arg)).value;
}

Result<Vector> LabelReplace(const Call& call, Vector in) {
  const std::string& dst = StringArg(*call.args[1]);
  const std::string& replacement = StringArg(*call.args[2]);
  const std::string& src = StringArg(*call.args[3]);
  const std::string& regex = StringArg(*call.args[4]);

  RE2::Options options;
  options.set_log_errors(false);
  RE2 re("^(?:" + regex + ")$", options);
  if (!re.ok()) {
    return Status::InvalidArgument("invalid regular expression in label_replace(): " + regex);
  }
  if (!IsValidLabelName(dst)) {
    return Status::InvalidArgument("invalid destination label name in label_replace(): " + dst);
  }
  std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  for (auto& sample : in) {
    std::string_view value = GetLabel(sample.metric, src);
    if (!re.Match(re2::StringPiece(value.data(), value.size()), 0, value.size(), RE2::UNANCHORED,
                  groups.data(), static_cast<int>(groups.size()))) {
      continue;  // no match, no change
    }
    // An empty result removes the label.
    SetLabel(sample.metric, dst, Expand(replacement, groups, names));
  }
  SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(in));
  return in;
}

Result<Vector> LabelJoin(const Call& call, Vector in) {
  const std::string& dst = StringArg(*call.args[1]);
  const std::string& separator = StringArg(*call.args[2]);
  std::vector<const std::string*> sources;
  for (size_t i = 3; i < call.args.size(); ++i) {
    const std::string& src = StringArg(*call.args[i]);
    if (!IsValidLabelName(src)) {
      return Status::InvalidArgument("invalid source label name in label_join(): " + src);
    }
    sources.push_back(&src);
  }
  if (!IsValidLabelName(dst)) {
    return Status::InvalidArgument("invalid destination label name in label_join(): " + dst);
  }
  std::string joined;
  for (auto& sample : in) {
    joined.clear();
    for (size_t i = 0; i < sources.size(); ++i) {
      if (i > 0) joined += separator;
      joined += GetLabel(sample.metric, *sources[i]);
    }
    SetLabel(sample.metric, dst, joined);
  }
  SIDECAR_RETURN_IF_ERROR(CheckUniqueLabelsets(in));
  return in;
}

Labels AbsentLabels(const Expr& arg) {
  const Expr& e = UnwrapParens(arg);
  const Matchers* matchers = nullptr;
  if (e.kind == ExprKind::kVectorSelector) {
    matchers = &static_cast<const VectorSelector&>(e).matchers;
  } else if (e.kind == ExprKind::kMatrixSelector) {
    matchers = &static_cast<const MatrixSelector&>(e).selector->matchers;
  } else {
    return {};
  }
  // Only labels pinned by one equality matcher: x{job="a",job="b"} or job=~"a" drop `job`.
  Labels out;
  std::vector<std::string_view> seen;
  for (const auto& m : *matchers) {
    if (m.name() == kMetricName) continue;
    bool has = std::find(seen.begin(), seen.end(), m.name()) != seen.end();
    if (m.type() == LabelMatcher::Type::kEqual && !has) {
      SetLabel(out, m.name(), m.value());
      seen.push_back(m.name());
    } else {
      SetLabel(out, m.name(), "");
    }
  }
  return out;
}

}  // namespace sidecar::promql::internal
