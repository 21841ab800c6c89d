// The PromQL lexer: expression text to tokens, with the states and quirks of Prometheus 2.42's
// promql/parser/lex.go (keywords are case-insensitive, `inf`/`nan` are numbers, label names
// inside braces are never keywords, durations only where a duration may start), plus the small
// string helpers the parser shares with it (Go's %q quoting, PromQL string unquoting).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar::promql {

enum class TokenType {
  kEof,
  kError,  // text holds the message; always the last token
  kComment,
  kIdentifier,
  kMetricIdentifier,  // an identifier with a colon
  kNumber,
  kDuration,
  kString,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kColon,
  kEql,  // `=` inside braces
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,  // ==
  kNeq,
  kLte,
  kLss,
  kGte,
  kGtr,
  kEqlRegex,
  kNeqRegex,
  kAt,
  kAtan2,
  kLand,
  kLor,
  kLunless,
  // Aggregators.
  kAvg,
  kBottomK,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopK,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,
  // @ modifier preprocessors.
  kStart,
  kEnd,
};

bool IsAggregatorToken(TokenType type);

struct Token {
  TokenType type = TokenType::kEof;
  int pos = 0;            // byte offset of the first character
  std::string_view text;  // the token as written (for kError: empty)
  std::string message;    // kError only
  int end() const { return pos + static_cast<int>(text.size()); }
};

// Every token of `input` but comments, ending with exactly one kEof or kError token.
std::vector<Token> Lex(std::string_view input);

// How Prometheus names a token in "unexpected ..." messages: `"("`, `<op:+>`, `<aggr:sum>`,
// `<by>`, `identifier "foo"`, `number "5"`, `end of input`.
std::string DescribeToken(const Token& token);

// Go's strconv.Quote (what %q prints): "a\"b\n".
std::string GoQuote(std::string_view text);
// Go's %q for one rune: 'a', '\n'.
std::string GoQuoteRune(char32_t rune);

// The value of a string token the lexer accepted ("..." and '...' with Go escapes, `raw`).
std::string UnquoteString(std::string_view token_text);

// The value of a number token as Prometheus reads it (strconv.ParseInt with base 0, else
// ParseFloat: 0x1f, 017 (octal), 1e3, .5, Inf, NaN). False with Go's message on failure.
bool ParseNumber(std::string_view text, double* value, std::string* error);

// A duration token in milliseconds, as Prometheus' model.ParseDuration reads it: units in the
// order y w d h m s ms, each at most once ("1h30m"). False with Prometheus' message on failure
// (a zero duration is valid here; the parser refuses it).
bool ParseDurationMs(std::string_view text, int64_t* ms, std::string* error);
// model.Duration's String(): 1h30m, 1d, 2w, 1y, 500ms, 0s.
std::string FormatDurationMs(int64_t ms);

}  // namespace sidecar::promql
