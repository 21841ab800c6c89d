// Internals of the Go text/template implementation behind template.h: the values a template
// computes with, the parse tree, the parser, the function table and Go's fmt printing rules.
// Private to agent/rules/template_*.cc.
//
// Errors inside the parser and the executor are thrown as tmpl::Error, the way Go's
// text/template panics and recovers at the top; the exception never leaves the template module
// (CheckTemplate and ExpandTemplate turn it into a Status).
//
// Pure functions over immutable trees; thread-safe.
#pragma once

#include <locale.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/status.h"
#include "agent/rules/template.h"

namespace sidecar::rules::tmpl {

struct Error {
  std::string message;
};

// What a Go value in a Prometheus template can be. kHtml is html/template.HTML (safeHtml),
// kData the struct Prometheus passes as dot, kTime a *time.Time (toTime), kQueryResult an empty
// template.queryResult (the agent never runs queries, so no other result exists).
enum class Kind {
  kInvalid,
  kNil,
  kBool,
  kInt,
  kFloat,
  kString,
  kHtml,
  kStringMap,
  kAnyMap,
  kData,
  kTime,
  kQueryResult
};

struct Value;
using StringMap = std::map<std::string, std::string>;
using AnyMap = std::map<std::string, Value>;

struct Value {
  Kind kind = Kind::kInvalid;
  bool b = false;
  int64_t i = 0;  // kInt; kTime: milliseconds since the epoch
  double f = 0;
  std::string s;  // kString, kHtml
  std::shared_ptr<const StringMap> string_map;
  std::shared_ptr<const AnyMap> any_map;
  const TemplateData* data = nullptr;  // kData

  static Value Nil() { return Make(Kind::kNil); }
  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value Float(double v);
  static Value String(std::string v, Kind kind = Kind::kString);
  static Value Make(Kind kind);
  // A map owned elsewhere (the TemplateData outlives the execution).
  static Value BorrowedMap(const StringMap& map);
};

// Go's type name, as error messages print it: float64, string, map[string]string...
std::string TypeName(const Value& value);
// Go's truth for if/with/and/or/not; false in *ok when the value has no truth (invalid).
bool Truth(const Value& value, bool* ok = nullptr);

// ---- Parse tree (text/template/parse). Positions are byte offsets into the parsed text.

enum class NodeType {
  kList,
  kText,
  kAction,
  kIf,
  kRange,
  kWith,
  kBreak,
  kContinue,
  kTemplate,  // {{template "name" pipeline}}; text is the name, pipe may be null
  kEnd,       // only while parsing
  kElse,      // only while parsing
  kPipe,
  kCommand,
  kField,
  kVariable,
  kChain,
  kIdentifier,
  kDot,
  kNil,
  kBool,
  kNumber,
  kString
};

struct Node {
  NodeType type = NodeType::kList;
  int pos = 0;
  std::string text;                 // kText: the text; kString: the value; kIdentifier: the name
  std::string literal;              // kNumber, kString: as written
  std::vector<std::string> idents;  // kField (A, B), kVariable ($x, A), kChain (A, B)
  std::vector<std::unique_ptr<Node>> nodes;  // kList: items; kPipe: commands; kCommand: args
  std::vector<std::string> decl;             // kPipe: declared or assigned variables
  bool is_assign = false;                    // kPipe: `=` rather than `:=`
  std::unique_ptr<Node> pipe;                // kAction, kIf, kRange, kWith; kChain: the operand
  std::unique_ptr<Node> list;                // kIf, kRange, kWith
  std::unique_ptr<Node> else_list;           // kIf, kRange, kWith
  bool bool_value = false;                   // kBool
  bool is_int = false;                       // kNumber
  bool is_float = false;
  int64_t int_value = 0;
  double float_value = 0;
};

// Go's Node.String(): how an execution error names the node ("<humanize $value>").
std::string NodeString(const Node& node);

// A parsed template and the ones it defines with {{define}} or {{block}}, by name; the main
// template is among them under its own name.
struct Tree {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> templates;
};

// Parses `text` as template `name`; errors read as Go's: template: NAME:LINE: message.
// `allow_query` false refuses the `query` function (the agent runs no queries).
Result<Tree> Parse(std::string_view name, std::string_view text, bool allow_query);

// ---- Functions (Go's builtins and Prometheus' template functions).

// The Go type of a parameter; it decides how a literal argument is taken and what values fit.
enum class Param { kAny, kReflect, kString, kQueryResult, kSample };
std::string ParamTypeName(Param param);

struct CallContext {
  const TemplateData* data = nullptr;
  const Value* receiver = nullptr;  // for a method call: the value it is called on
  std::string_view method;
};

struct Function {
  std::string_view name;
  std::vector<Param> params;  // when variadic, the last one repeats
  bool variadic = false;
  // Returns the result or throws Error{text}; the caller prefixes "error calling NAME: ".
  Value (*call)(const CallContext& ctx, std::vector<Value>& args) = nullptr;
};

const Function* FindFunction(std::string_view name);
std::span<const Function> PrometheusFunctions();
// The methods of *time.Time a template may call on toTime's result (.Format "2006", .Unix).
std::optional<Function> FindTimeMethod(std::string_view name);
// url.QueryEscape (urlquery, graphLink, tableLink).
std::string QueryEscape(std::string_view s);

// ---- Go's fmt.

std::string Sprint(const std::vector<Value>& args);    // fmt.Sprint
std::string Sprintln(const std::vector<Value>& args);  // fmt.Sprintln
std::string Sprintf(std::string_view format, const std::vector<Value>& args);
// %.<precision>g as Go prints it (NaN, +Inf, -Inf).
std::string FormatG(double value, int precision);
std::string GoQuote(std::string_view s);  // strconv.Quote
// strconv.Quote, or QuoteToASCII when `ascii_only`.
std::string Quote(std::string_view s, bool ascii_only);
// Decodes the UTF-8 rune at s[i]; -1 (and width 1) for an invalid byte.
int32_t DecodeRune(std::string_view s, size_t i, size_t& width);
void AppendRune(int32_t r, std::string& out);  // U+FFFD for an invalid rune
// Unicode case mapping and classes come from glibc's C.UTF-8 locale: fixed data, unlike the
// process locale. Null when that locale is missing (then only ASCII is mapped).
locale_t Utf8Locale();
// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
bool IsPrintRune(int32_t r);
// One rune as strconv.Quote writes it inside `quote` quotes.
void AppendQuotedRune(int32_t r, char quote, bool ascii_only, std::string& out);
// Go's Time.String() in UTC for a time in milliseconds: 2023-11-14 22:13:20.5 +0000 UTC.
std::string FormatTime(int64_t ms);

}  // namespace sidecar::rules::tmpl
