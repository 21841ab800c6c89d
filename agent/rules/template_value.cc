// The values, type names and truth of Go's text/template as Prometheus templates use them,
// the parse tree's String() forms, and the string helpers shared by the template files
// (UTF-8 runes, strconv.Quote, time.Time's String()).
#include <locale.h>
#include <wctype.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "agent/common/utf8.h"
#include "agent/rules/template_internal.h"

namespace sidecar::rules::tmpl {

Value Value::Make(Kind kind) {
  Value v;
  v.kind = kind;
  return v;
}
Value Value::Bool(bool b) {
  Value v = Make(Kind::kBool);
  v.b = b;
  return v;
}
Value Value::Int(int64_t i) {
  Value v = Make(Kind::kInt);
  v.i = i;
  return v;
}
Value Value::Float(double f) {
  Value v = Make(Kind::kFloat);
  v.f = f;
  return v;
}
Value Value::String(std::string s, Kind kind) {
  Value v = Make(kind);
  v.s = std::move(s);
  return v;
}
Value Value::BorrowedMap(const StringMap& map) {
  Value v = Make(Kind::kStringMap);
  v.string_map = std::shared_ptr<const StringMap>(std::shared_ptr<const StringMap>(), &map);
  return v;
}

std::string TypeName(const Value& value) {
  switch (value.kind) {
    case Kind::kInvalid:
    case Kind::kNil:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kHtml:
      return "template.HTML";
    case Kind::kStringMap:
      return "map[string]string";
    case Kind::kAnyMap:
      return "map[string]interface {}";
    case Kind::kData:
      return "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL "
             "string; Value float64 }";
    case Kind::kTime:
      return "*time.Time";
    case Kind::kQueryResult:
      return "template.queryResult";
  }
  return "?";
}

std::string ParamTypeName(Param param) {
  switch (param) {
    case Param::kAny:
      return "interface {}";
    case Param::kReflect:
      return "reflect.Value";
    case Param::kString:
      return "string";
    case Param::kQueryResult:
      return "template.queryResult";
    case Param::kSample:
      return "*template.sample";
  }
  return "?";
}

bool Truth(const Value& value, bool* ok) {
  if (ok != nullptr) *ok = value.kind != Kind::kInvalid;
  switch (value.kind) {
    case Kind::kInvalid:
    case Kind::kNil:
    case Kind::kQueryResult:
      return false;
    case Kind::kBool:
      return value.b;
    case Kind::kInt:
      return value.i != 0;
    case Kind::kFloat:
      return value.f != 0;  // NaN is true, as in Go
    case Kind::kString:
    case Kind::kHtml:
      return !value.s.empty();
    case Kind::kStringMap:
      return !value.string_map->empty();
    case Kind::kAnyMap:
      return !value.any_map->empty();
    case Kind::kData:
    case Kind::kTime:
      return true;
  }
  return false;
}

std::string NodeString(const Node& node) {
  auto join = [](const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? sep : "") + parts[i];
    return out;
  };
  auto control = [&](const char* keyword) {
    std::string out =
        std::string("{{") + keyword + " " + NodeString(*node.pipe) + "}}" + NodeString(*node.list);
    if (node.else_list) out += "{{else}}" + NodeString(*node.else_list);
    return out + "{{end}}";
  };
  switch (node.type) {
    case NodeType::kList: {
      std::string out;
      for (const auto& n : node.nodes) out += NodeString(*n);
      return out;
    }
    case NodeType::kText:
      return node.text;
    case NodeType::kAction:
      return "{{" + NodeString(*node.pipe) + "}}";
    case NodeType::kIf:
      return control("if");
    case NodeType::kRange:
      return control("range");
    case NodeType::kWith:
      return control("with");
    case NodeType::kBreak:
      return "{{break}}";
    case NodeType::kContinue:
      return "{{continue}}";
    case NodeType::kTemplate:
      return "{{template " + GoQuote(node.text) + (node.pipe ? " " + NodeString(*node.pipe) : "") +
             "}}";
    case NodeType::kEnd:
      return "{{end}}";
    case NodeType::kElse:
      return "{{else}}";
    case NodeType::kPipe: {
      std::string out;
      if (!node.decl.empty()) out = join(node.decl, ", ") + " := ";
      std::vector<std::string> cmds;
      for (const auto& c : node.nodes) cmds.push_back(NodeString(*c));
      return out + join(cmds, " | ");
    }
    case NodeType::kCommand: {
      std::vector<std::string> args;
      for (const auto& a : node.nodes) {
        args.push_back(a->type == NodeType::kPipe ? "(" + NodeString(*a) + ")" : NodeString(*a));
      }
      return join(args, " ");
    }
    case NodeType::kField:
      return "." + join(node.idents, ".");
    case NodeType::kVariable:
      return join(node.idents, ".");
    case NodeType::kChain: {
      std::string out = node.pipe->type == NodeType::kPipe ? "(" + NodeString(*node.pipe) + ")"
                                                           : NodeString(*node.pipe);
      for (const auto& f : node.idents) out += "." + f;
      return out;
    }
    case NodeType::kIdentifier:
      return node.text;
    case NodeType::kDot:
      return ".";
    case NodeType::kNil:
      return "nil";
    case NodeType::kBool:
      return node.bool_value ? "true" : "false";
    case NodeType::kNumber:
    case NodeType::kString:
      return node.literal;
  }
  return "";
}

int32_t DecodeRune(std::string_view s, size_t i, size_t& width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  width = 1;
  if (c < 0x80) return c;
  int n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return -1;
  int32_t r = c & (0x7F >> n);
  for (int k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return -1;
    r = (r << 6) | (d & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return -1;
  width = n;
  return r;
}

void AppendRune(int32_t r, std::string& out) {
  AppendUtf8(out, r < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(r));
}

locale_t Utf8Locale() {
  static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

bool IsPrintRune(int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  // glibc counts these as graphic; Go's unicode.IsPrint does not (spaces other than ASCII's,
  // format characters and private use).
  static constexpr std::pair<int32_t, int32_t> kNotPrint[] = {
      {0x00A0, 0x00A0},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
      {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
      {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},
      {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},   {0xE000, 0xF8FF},
      {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
      {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
      {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF}};
  for (const auto& [lo, hi] : kNotPrint) {
    if (r >= lo && r <= hi) return false;
  }
  locale_t locale = Utf8Locale();
  if (locale == static_cast<locale_t>(0)) return r >= 0xA0;
  return iswgraph_l(r, locale) != 0;
}

void AppendQuotedRune(int32_t r, char quote, bool ascii_only, std::string& out) {
  char buf[16];
  if (r == quote || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
  } else if (r >= 0x20 && r < 0x7F) {
    out += static_cast<char>(r);
  } else if (r >= 0x80 && !ascii_only && IsPrintRune(r)) {
    AppendRune(r, out);
  } else {
    switch (r) {
      case '\a':
        out += "\\a";
        return;
      case '\b':
        out += "\\b";
        return;
      case '\f':
        out += "\\f";
        return;
      case '\n':
        out += "\\n";
        return;
      case '\r':
        out += "\\r";
        return;
      case '\t':
        out += "\\t";
        return;
      case '\v':
        out += "\\v";
        return;
      default:
        break;
    }
    if (r < 0x20 || r == 0x7F) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", r);
    } else if (r < 0x10000) {
      std::snprintf(buf, sizeof(buf), "\\u%04x", r);
    } else {
      std::snprintf(buf, sizeof(buf), "\\U%08x", r);
    }
    out += buf;
  }
}

std::string Quote(std::string_view s, bool ascii_only) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    size_t width = 1;
    int32_t r = DecodeRune(s, i, width);
    if (r < 0) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[i]));
      out += buf;
    } else {
      AppendQuotedRune(r, '"', ascii_only, out);
    }
    i += width;
  }
  return out + "\"";
}

// One %-directive's flags, as Go's fmt keeps them.

std::string GoQuote(std::string_view s) { return Quote(s, false); }

}  // namespace sidecar::rules::tmpl
