// The lexer of Go's text/template and the literal syntax it shares with Go (string and
// character literals, integer and float constants). Private to agent/rules/template_*.cc.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar::rules::tmpl {

enum class Tok {
  kText,
  kComment,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kIdentifier,
  kField,
  kVariable,
  kString,
  kRawString,
  kChar,  // a punctuation character such as ','
  kCharConstant,
  kNumber,
  kBool,
  kNil,
  kDot,
  kPipe,
  kLeftParen,
  kRightParen,
  kAssign,
  kDeclare,
  kKeyword,  // block, break, continue, define, else, end, if, range, template, with
  kError,
  kEof
};

struct Token {
  Tok type = Tok::kEof;
  int pos = 0;
  int line = 1;
  std::string val;
};

// Splits `input` into tokens up front (Go runs its lexer as a goroutine; the tokens are the
// same). The last token is kEof, or kError with Go's message.
std::vector<Token> Lex(std::string_view input);

// strconv.UnquoteChar for one character of a string or character literal at s[i] (advancing
// i): its code point, or -1 on a bad escape. `byte_value` is set for \x and octal escapes,
// which denote bytes rather than characters.
int64_t UnquoteChar(std::string_view s, size_t& i, char quote, bool& byte_value);
// strconv.Unquote for "..." and `...` literals; false on a bad escape.
bool Unquote(std::string_view literal, std::string& out);
// strconv.ParseInt(text, 0, 64): sign, 0x/0o/0b/0 prefixes, underscores.
bool ParseGoInt(std::string_view text, int64_t& out);
// strconv.ParseFloat(text, 64) for number literals; false on bad syntax or overflow.
bool ParseGoFloat(std::string_view text, double& out);

}  // namespace sidecar::rules::tmpl
