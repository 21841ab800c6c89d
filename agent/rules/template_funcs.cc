// Go's text/template builtins (funcs.go, Go 1.19 as in Prometheus 2.42): and, or, not, len,
// index, slice, print, printf, println, html, js, urlquery, call, eq, ne, lt, le, gt, ge; and
// the lookup over them and Prometheus' functions.
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "agent/rules/template_internal.h"

namespace sidecar::rules::tmpl {
namespace {

[[noreturn]] void Fail(std::string message) { throw Error{std::move(message)}; }

// ---- Go's comparison builtins (funcs.go, Go 1.19).

enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString };

BasicKind BasicKindOf(const Value& v) {
  switch (v.kind) {
    case Kind::kBool:
      return BasicKind::kBool;
    case Kind::kInt:
      return BasicKind::kInt;
    case Kind::kFloat:
      return BasicKind::kFloat;
    case Kind::kString:
    case Kind::kHtml:
      return BasicKind::kString;
    default:
      return BasicKind::kInvalid;
  }
}

const char* kBadComparison = "incompatible types for comparison";
const char* kBadComparisonType = "invalid type for comparison";

bool BasicEqual(const Value& a, const Value& b) {
  switch (BasicKindOf(a)) {
    case BasicKind::kBool:
      return a.b == b.b;
    case BasicKind::kInt:
      return a.i == b.i;
    case BasicKind::kFloat:
      return a.f == b.f;
    case BasicKind::kString:
      return a.s == b.s;
    case BasicKind::kInvalid:
      break;
  }
  if (a.kind == Kind::kNil || b.kind == Kind::kNil) return a.kind == b.kind;
  Fail("non-comparable type " + Sprint({a}) + ": " + TypeName(a));
}

bool Less(const Value& a, const Value& b) {
  BasicKind k1 = BasicKindOf(a), k2 = BasicKindOf(b);
  if (k1 == BasicKind::kInvalid || k2 == BasicKind::kInvalid) Fail(kBadComparisonType);
  if (k1 != k2) Fail(kBadComparison);
  switch (k1) {
    case BasicKind::kInt:
      return a.i < b.i;
    case BasicKind::kFloat:
      return a.f < b.f;
    case BasicKind::kString:
      return a.s < b.s;
    default:
      Fail(kBadComparisonType);
  }
}

bool Eq(const std::vector<Value>& args) {
  if (args.size() < 2) Fail("missing argument for comparison");
  const Value& a = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& b = args[i];
    BasicKind k1 = BasicKindOf(a), k2 = BasicKindOf(b);
    if (k1 != k2) {
      if (a.kind != Kind::kNil && b.kind != Kind::kNil) Fail(kBadComparison);
      continue;
    }
    if (BasicEqual(a, b)) return true;
  }
  return false;
}

bool Le(const Value& a, const Value& b) { return Less(a, b) || Eq({a, b}); }

// ---- Indexing builtins.

int64_t IndexArg(const Value& index, size_t cap) {
  if (index.kind == Kind::kNil || index.kind == Kind::kInvalid) {
    Fail("cannot index slice/array with nil");
  }
  if (index.kind != Kind::kInt) Fail("cannot index slice/array with type " + TypeName(index));
  if (index.i < 0 || static_cast<uint64_t>(index.i) > cap) {
    Fail("index out of range: " + std::to_string(index.i));
  }
  return index.i;
}

Value Index(const CallContext&, std::vector<Value>& args) {
  Value item = args[0];
  if (item.kind == Kind::kNil || item.kind == Kind::kInvalid) Fail("index of untyped nil");
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& index = args[i];
    switch (item.kind) {
      case Kind::kString:
      case Kind::kHtml: {
        int64_t x = IndexArg(index, item.s.size());
        if (static_cast<size_t>(x) == item.s.size()) {
          Fail("index out of range: " + std::to_string(x));
        }
        item = Value::Int(static_cast<unsigned char>(item.s[x]));
        break;
      }
      case Kind::kStringMap:
      case Kind::kAnyMap: {
        if (index.kind != Kind::kString) {
          Fail("value has type " + TypeName(index) + "; should be string");
        }
        if (item.kind == Kind::kStringMap) {
          auto it = item.string_map->find(index.s);
          item = Value::String(it == item.string_map->end() ? "" : it->second);
        } else {
          auto it = item.any_map->find(index.s);
          item = it == item.any_map->end() ? Value::Nil() : it->second;
        }
        break;
      }
      case Kind::kQueryResult:
        IndexArg(index, 0);
        Fail("index out of range: " + std::to_string(index.i));
      default:
        Fail("can't index item of type " + TypeName(item));
    }
  }
  return item;
}

Value Slice(const CallContext&, std::vector<Value>& args) {
  const Value& item = args[0];
  if (item.kind == Kind::kNil || item.kind == Kind::kInvalid) Fail("slice of untyped nil");
  if (args.size() - 1 > 3) Fail("too many slice indexes: " + std::to_string(args.size() - 1));
  if (item.kind != Kind::kString && item.kind != Kind::kHtml) {
    Fail("can't slice item of type " + TypeName(item));
  }
  if (args.size() - 1 == 3) Fail("cannot 3-index slice a string");
  int64_t idx[2] = {0, static_cast<int64_t>(item.s.size())};
  for (size_t i = 1; i < args.size(); ++i) idx[i - 1] = IndexArg(args[i], item.s.size());
  if (idx[0] > idx[1]) {
    Fail("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  }
  return Value::String(item.s.substr(idx[0], idx[1] - idx[0]), item.kind);
}

Value Len(const CallContext&, std::vector<Value>& args) {
  const Value& v = args[0];
  switch (v.kind) {
    case Kind::kString:
    case Kind::kHtml:
      return Value::Int(static_cast<int64_t>(v.s.size()));
    case Kind::kStringMap:
      return Value::Int(static_cast<int64_t>(v.string_map->size()));
    case Kind::kAnyMap:
      return Value::Int(static_cast<int64_t>(v.any_map->size()));
    case Kind::kQueryResult:
      return Value::Int(0);
    case Kind::kNil:
    case Kind::kInvalid:
      Fail("len of nil pointer");
    default:
      Fail("len of type " + TypeName(v));
  }
}

// Go's evalArgs for html/js/urlquery: one string as is, else fmt.Sprint.
std::string EvalArgs(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].kind == Kind::kString) return args[0].s;
  return Sprint(args);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsEscape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default: {
        char buf[16];
        if (static_cast<unsigned char>(c) < ' ') {
          std::snprintf(buf, sizeof(buf), "\\u00%02X", static_cast<unsigned char>(c));
          out += buf;
        } else if (static_cast<unsigned char>(c) < 0x80) {
          out += c;
        } else {
          size_t width = 1;
          int32_t r = DecodeRune(s, i, width);
          if (r < 0) r = 0xFFFD;
          if (IsPrintRune(r)) {
            out.append(s.substr(i, width));
          } else {
            std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned>(r));
            out += buf;
          }
          i += width;
          continue;
        }
      }
    }
    ++i;
  }
  return out;
}

using P = Param;
Value Str(std::string s) { return Value::String(std::move(s)); }

const Function kGoBuiltins[] = {
    {"and", {P::kReflect, P::kReflect}, true, nullptr},
    {"or", {P::kReflect, P::kReflect}, true, nullptr},
    {"not",
     {P::kReflect},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(!Truth(a[0])); }},
    {"len", {P::kReflect}, false, Len},
    {"index", {P::kReflect, P::kReflect}, true, Index},
    {"slice", {P::kReflect, P::kReflect}, true, Slice},
    {"print",
     {P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) { return Str(Sprint(a)); }},
    {"println",
     {P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) { return Str(Sprintln(a)); }},
    {"printf",
     {P::kString, P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) {
       std::string format = a[0].s;
       a.erase(a.begin());
       return Str(Sprintf(format, a));
     }},
    {"html",
     {P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) { return Str(HtmlEscape(EvalArgs(a))); }},
    {"js",
     {P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) { return Str(JsEscape(EvalArgs(a))); }},
    {"urlquery",
     {P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) { return Str(QueryEscape(EvalArgs(a))); }},
    {"call",
     {P::kReflect, P::kReflect},
     true,
     [](const CallContext&, std::vector<Value>& a) -> Value {
       if (a[0].kind == Kind::kNil) Fail("call of nil");
       Fail("non-function of type " + TypeName(a[0]));
     }},
    {"eq",
     {P::kReflect, P::kReflect},
     true,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(Eq(a)); }},
    {"ne",
     {P::kReflect, P::kReflect},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(!Eq(a)); }},
    {"lt",
     {P::kReflect, P::kReflect},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(Less(a[0], a[1])); }},
    {"le",
     {P::kReflect, P::kReflect},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(Le(a[0], a[1])); }},
    {"gt",
     {P::kReflect, P::kReflect},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(!Le(a[0], a[1])); }},
    {"ge",
     {P::kReflect, P::kReflect},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Bool(!Less(a[0], a[1])); }},
};

}  // namespace

std::string QueryEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

const Function* FindFunction(std::string_view name) {
  for (const Function& f : kGoBuiltins) {
    if (f.name == name) return &f;
  }
  for (const Function& f : PrometheusFunctions()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace sidecar::rules::tmpl
