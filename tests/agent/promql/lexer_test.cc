// Table-driven tests of the PromQL lexer and its literal helpers (numbers, durations, strings),
// against the behaviour of Prometheus 2.42's lex.go, strconv and model.ParseDuration.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "agent/promql/lexer.h"

namespace sidecar::promql {
namespace {

// Each token as "<description>", the way parse errors name them.
std::vector<std::string> Describe(std::string_view text) {
  std::vector<std::string> out;
  for (const Token& token : Lex(text)) {
    out.push_back(token.type == TokenType::kError ? "error: " + token.message
                                                  : DescribeToken(token));
  }
  return out;
}

using Tokens = std::vector<std::string>;

TEST_CASE("PromQL lexer: tokens of expressions", "[promql][parser]") {
  CHECK(Describe("sum by (job) (rate(x{a=\"b\"}[5m]))") == Tokens{"<aggr:sum>",
                                                                  "<by>",
                                                                  "\"(\"",
                                                                  "identifier \"job\"",
                                                                  "\")\"",
                                                                  "\"(\"",
                                                                  "identifier \"rate\"",
                                                                  "\"(\"",
                                                                  "identifier \"x\"",
                                                                  "\"{\"",
                                                                  "identifier \"a\"",
                                                                  "\"=\"",
                                                                  "string \"\\\"b\\\"\"",
                                                                  "\"}\"",
                                                                  "\"[\"",
                                                                  "duration \"5m\"",
                                                                  "\"]\"",
                                                                  "\")\"",
                                                                  "\")\"",
                                                                  "end of input"});
  CHECK(Describe("a:b + Inf - NaN * 0x1F / .5e3 ^ 1") ==
        Tokens{"metric identifier \"a:b\"", "<op:+>", "number \"Inf\"", "<op:->", "number \"NaN\"",
               "<op:*>", "number \"0x1F\"", "<op:/>", "number \".5e3\"", "<op:^>", "number \"1\"",
               "end of input"});
  CHECK(Describe("x AND y Or z unless w") ==
        Tokens{"identifier \"x\"", "<op:AND>", "identifier \"y\"", "<op:Or>", "identifier \"z\"",
               "<op:unless>", "identifier \"w\"", "end of input"});
  CHECK(Describe("a == bool on(b) group_left() c") ==
        Tokens{"identifier \"a\"", "<op:==>", "<bool>", "<on>", "\"(\"", "identifier \"b\"",
               "\")\"", "<group_left>", "\"(\"", "\")\"", "identifier \"c\"", "end of input"});
  CHECK(Describe("x offset -1h30m # comment\n") ==
        Tokens{"identifier \"x\"", "<offset>", "<op:->", "duration \"1h30m\"", "end of input"});
  // Inside braces keywords are plain identifiers.
  CHECK(Describe("{by!~'a', sum!=`b`}") ==
        Tokens{"\"{\"", "identifier \"by\"", "<op:!~>", "string \"'a'\"", "\",\"",
               "identifier \"sum\"", "<op:!=>", "string \"`b`\"", "\"}\"", "end of input"});
  CHECK(Describe("x[5m:1m] @ start()") ==
        Tokens{"identifier \"x\"", "\"[\"", "duration \"5m\"", "\":\"", "duration \"1m\"", "\"]\"",
               "\"<Item 57385>\" <op:@>", "\"start\"", "\"(\"", "\")\"", "end of input"});
  CHECK(Describe("\"a very long string\"") ==
        Tokens{"string \"\\\"a very lo\"...", "end of input"});
}

TEST_CASE("PromQL lexer: errors as lex.go words them", "[promql][parser]") {
  const std::pair<const char*, const char*> cases[] = {
      {"sum(x", "unclosed left parenthesis"},
      {"x[5m", "unclosed left bracket"},
      {"1)", "unexpected right parenthesis ')'"},
      {"x]", "unexpected right bracket ']'"},
      {"x[[5m]]", "missing unit character in duration"},
      {"x[5m [1m]]", "unexpected left bracket '['"},
      {"x[5m:1m:]", "unexpected colon ':'"},
      {"x{a=\"b\"", "unexpected end of input inside braces"},
      {"x{{", "unexpected left brace '{'"},
      {"x{a!b}", "unexpected character after '!' inside braces: 'b'"},
      {"x{1}", "unexpected character inside braces: '1'"},
      {"a =~ b", "unexpected character after '=': '~'"},
      {"a ! b", "unexpected character after '!': ' '"},
      {"$", "unexpected character: '$'"},
      {"\xc3\xa9", "unexpected character: '\xc3\xa9'"},
      {"\"\\q\"", "unknown escape sequence U+0071 'q'"},
      {"\"\\x4\"", "illegal character U+0022 '\"' in escape sequence"},
      {"\"\\ud800\"", "escape sequence is an invalid Unicode code point"},
      {"\"\\400\"", "escape sequence is an invalid Unicode code point"},
      {"\"\\", "escape sequence not terminated"},
      {"\"abc", "unterminated quoted string"},
      {"\"a\nb\"", "unterminated quoted string"},
      {"`abc", "unterminated raw string"},
      {"\"\xff\"", "invalid UTF-8 rune"},
      {"x[5]", "missing unit character in duration"},
      {"x[5mx]", "bad duration syntax: \"5mx\""},
      {"5mx", "bad number or duration syntax: \"5mx\""},
      {"1_000", "bad number or duration syntax: \"1\""},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    const std::vector<Token> tokens = Lex(text);
    REQUIRE(tokens.back().type == TokenType::kError);
    CHECK(tokens.back().message == message);
  }
  // The error sits where lex.go puts it: after a stray parenthesis, at the start of a string.
  CHECK(Lex("1)").back().pos == 2);
  CHECK(Lex("x{a=\"\\q\"}").back().pos == 4);
}

TEST_CASE("PromQL lexer: numbers are read as Go's ParseInt, then ParseFloat", "[promql][parser]") {
  const std::pair<const char*, double> cases[] = {
      {"1", 1},
      {"0x1f", 31},
      {"0X1F", 31},
      {"017", 15},
      {"08", 8},
      {"1e3", 1000},
      {"1E-3", 0.001},
      {".5", 0.5},
      {"5.", 5},
      {"1.5e+2", 150},
      {"1e-400", 0},
      {"00", 0},
      {"99999999999999999999", 1e20},
  };
  for (const auto& [text, expected] : cases) {
    double value = -1;
    std::string error;
    INFO(text);
    CHECK(ParseNumber(text, &value, &error));
    CHECK(value == expected);
  }
  double value = 0;
  std::string error;
  CHECK(ParseNumber("Inf", &value, &error));
  CHECK(std::isinf(value));
  CHECK(ParseNumber("nAn", &value, &error));
  CHECK(std::isnan(value));
  const std::pair<const char*, const char*> bad[] = {
      {"1e", "strconv.ParseFloat: parsing \"1e\": invalid syntax"},
      {"0x", "strconv.ParseFloat: parsing \"0x\": invalid syntax"},
      {"0x1.5", "strconv.ParseFloat: parsing \"0x1.5\": invalid syntax"},
      {"0xffffffffffffffffff",
       "strconv.ParseFloat: parsing \"0xffffffffffffffffff\": invalid syntax"},
      {"1e400", "strconv.ParseFloat: parsing \"1e400\": value out of range"},
  };
  for (const auto& [text, message] : bad) {
    INFO(text);
    CHECK_FALSE(ParseNumber(text, &value, &error));
    CHECK(error == message);
  }
}

TEST_CASE("PromQL lexer: durations as Prometheus' model.ParseDuration reads and prints them",
          "[promql][parser]") {
  const std::pair<const char*, int64_t> cases[] = {
      {"5m", 300000},
      {"1h30m", 5400000},
      {"1d", 86400000},
      {"1w", 604800000},
      {"1y", 31536000000},
      {"500ms", 500},
      {"1y2w3d4h5m6s7ms",
       31536000000 + 2 * 604800000 + 3 * 86400000 + 4 * 3600000 + 5 * 60000 + 6 * 1000 + 7},
      {"0s", 0},
      {"292y", 292 * 31536000000},
  };
  for (const auto& [text, ms] : cases) {
    int64_t value = -1;
    std::string error;
    INFO(text);
    CHECK(ParseDurationMs(text, &value, &error));
    CHECK(value == ms);
  }
  const std::pair<const char*, const char*> bad[] = {
      {"1h1h", "not a valid duration string: \"1h1h\""},
      {"1m1h", "not a valid duration string: \"1m1h\""},
      {"5hs", "not a valid duration string: \"5hs\""},
      {"1.5m", "not a valid duration string: \"1.5m\""},
      {"300y", "duration out of range"},
      {"99999999999999999999999s", "duration out of range"},
  };
  for (const auto& [text, message] : bad) {
    int64_t value = 0;
    std::string error;
    INFO(text);
    CHECK_FALSE(ParseDurationMs(text, &value, &error));
    CHECK(error == message);
  }
  const std::pair<int64_t, const char*> printed[] = {
      {0, "0s"},           {500, "500ms"},
      {300000, "5m"},      {5400000, "1h30m"},
      {90000, "1m30s"},    {86400000, "1d"},
      {604800000, "1w"},   {8 * 86400000, "8d"},
      {31536000000, "1y"}, {31536000000 + 86400000, "366d"},
      {1001, "1s1ms"},
  };
  for (const auto& [ms, text] : printed) CHECK(FormatDurationMs(ms) == text);
}

TEST_CASE("PromQL lexer: strings unquote with Go escapes and quote back as %q",
          "[promql][parser]") {
  CHECK(UnquoteString("\"a\\nb\\t\\\"\\\\\"") == "a\nb\t\"\\");
  CHECK(UnquoteString("'it\\'s'") == "it's");
  CHECK(UnquoteString("`raw\\n`") == "raw\\n");
  CHECK(UnquoteString("\"\\x41\\101\\u00e9\\U0001F600\"") == "AA\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(UnquoteString("\"\\a\\b\\f\\r\\v\"") == "\a\b\f\r\v");

  CHECK(GoQuote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  CHECK(GoQuote("\xc3\xa9\x01\x7f") == "\"\xc3\xa9\\x01\\x7f\"");
  CHECK(GoQuote("\xff") == "\"\\xff\"");
  CHECK(GoQuoteRune('\'') == "'\\''");
  CHECK(GoQuoteRune('\n') == "'\\n'");
  CHECK(GoQuoteRune(0xFFFFFFFF) == "'\xef\xbf\xbd'");
}

}  // namespace
}  // namespace sidecar::promql
