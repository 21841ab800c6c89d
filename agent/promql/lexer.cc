#include "agent/promql/lexer.h"

#include <cstdint>
#include <cstdio>
#include <utility>

#include "agent/common/utf8.h"

namespace sidecar::promql {
namespace {

constexpr char32_t kEofRune = 0xFFFFFFFF;
constexpr char32_t kRuneError = 0xFFFD;

struct Keyword {
  std::string_view word;
  TokenType type;
};

// Matched case-insensitively, as Prometheus lowercases a word before looking it up.
constexpr Keyword kKeywords[] = {
    {"and", TokenType::kLand},
    {"or", TokenType::kLor},
    {"unless", TokenType::kLunless},
    {"atan2", TokenType::kAtan2},
    {"sum", TokenType::kSum},
    {"avg", TokenType::kAvg},
    {"count", TokenType::kCount},
    {"min", TokenType::kMin},
    {"max", TokenType::kMax},
    {"group", TokenType::kGroup},
    {"stddev", TokenType::kStddev},
    {"stdvar", TokenType::kStdvar},
    {"topk", TokenType::kTopK},
    {"bottomk", TokenType::kBottomK},
    {"count_values", TokenType::kCountValues},
    {"quantile", TokenType::kQuantile},
    {"offset", TokenType::kOffset},
    {"by", TokenType::kBy},
    {"without", TokenType::kWithout},
    {"on", TokenType::kOn},
    {"ignoring", TokenType::kIgnoring},
    {"group_left", TokenType::kGroupLeft},
    {"group_right", TokenType::kGroupRight},
    {"bool", TokenType::kBool},
    {"start", TokenType::kStart},
    {"end", TokenType::kEnd},
    {"inf", TokenType::kNumber},
    {"nan", TokenType::kNumber},
};

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(char32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(char32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(char32_t r) { return IsAlpha(r) || IsDigit(r); }

// Go's utf8.DecodeRuneInString: invalid input decodes as (U+FFFD, 1).
char32_t DecodeRune(std::string_view s, size_t pos, int* width) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  *width = 1;
  if (b0 < 0x80) return b0;
  int n = 0;
  char32_t r = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, r = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, r = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return kRuneError;
  }
  if (pos + n > s.size()) return kRuneError;
  for (int i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return kRuneError;
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) return kRuneError;
  *width = n;
  return r;
}

// An approximation of unicode.IsPrint good enough for messages: C0/C1 controls and DEL are not.
bool IsPrint(char32_t r) { return r >= 0x20 && r != 0x7F && !(r >= 0x80 && r < 0xA0); }

std::string Hex(const char* format, uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), format, value);
  return buf;
}

// One rune of a Go-quoted string or rune literal.
void AppendQuotedRune(std::string& out, char32_t r, char quote) {
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
    case '\\':
      out += "\\\\";
      return;
    default:
      break;
  }
  if (r == static_cast<char32_t>(quote)) {
    out += '\\';
    out += quote;
  } else if (IsPrint(r)) {
    AppendUtf8(out, r);
  } else if (r < 0x80) {
    out += Hex("\\x%02x", r);
  } else if (r < 0x10000) {
    out += Hex("\\u%04x", r);
  } else {
    out += Hex("\\U%08x", r);
  }
}

// Go's %#U: U+0071 'q'.
std::string UnicodeName(char32_t r) {
  std::string out = Hex("U+%04X", r);
  if (IsPrint(r)) {
    out += " '";
    AppendUtf8(out, r);
    out += "'";
  }
  return out;
}

int DigitValue(char32_t r) {
  if (r >= '0' && r <= '9') return static_cast<int>(r - '0');
  if (r >= 'a' && r <= 'f') return static_cast<int>(r - 'a' + 10);
  if (r >= 'A' && r <= 'F') return static_cast<int>(r - 'A' + 10);
  return 16;
}

// A transcription of lex.go's state machine; each method says which state function it is.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  Token Next() {
    for (;;) {
      if (expect_duration_) {
        expect_duration_ = false;
        return LexDuration();
      }
      if (!brace_open_ && in_.substr(pos_).starts_with('#')) return LexComment();
      Token token = brace_open_ ? InsideBraces() : Statements();
      if (!skipped_) return token;
      skipped_ = false;
    }
  }

 private:
  char32_t NextRune() {
    if (pos_ >= in_.size()) {
      width_ = 0;
      return kEofRune;
    }
    const char32_t r = DecodeRune(in_, pos_, &width_);
    pos_ += width_;
    return r;
  }
  void Backup() { pos_ -= width_; }
  char32_t Peek() {
    const char32_t r = NextRune();
    Backup();
    return r;
  }
  bool Accept(std::string_view valid) {
    const char32_t r = NextRune();
    if (r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }
  Token Emit(TokenType type) {
    Token token{type, static_cast<int>(start_), in_.substr(start_, pos_ - start_), {}};
    start_ = pos_;
    return token;
  }
  Token Error(std::string message) {
    Token token{TokenType::kError, static_cast<int>(start_), {}, std::move(message)};
    return token;
  }
  Token Skip() {
    start_ = pos_;
    skipped_ = true;
    return Token{};
  }
  void SkipSpaces() {
    while (IsSpace(Peek())) NextRune();
    start_ = pos_;
  }

  Token LexComment() {
    pos_ += 1;
    for (char32_t r = NextRune(); r != '\r' && r != '\n' && r != kEofRune;) r = NextRune();
    Backup();
    return Emit(TokenType::kComment);
  }

  Token Statements() {
    const char32_t r = NextRune();
    switch (r) {
      case kEofRune:
        if (paren_depth_ != 0) return Error("unclosed left parenthesis");
        if (bracket_open_) return Error("unclosed left bracket");
        return Emit(TokenType::kEof);
      case ',':
        return Emit(TokenType::kComma);
      case '*':
        return Emit(TokenType::kMul);
      case '/':
        return Emit(TokenType::kDiv);
      case '%':
        return Emit(TokenType::kMod);
      case '+':
        return Emit(TokenType::kAdd);
      case '-':
        return Emit(TokenType::kSub);
      case '^':
        return Emit(TokenType::kPow);
      case '=': {
        const char32_t t = Peek();
        if (t == '=') {
          NextRune();
          return Emit(TokenType::kEqlc);
        }
        if (t == '~') return Error("unexpected character after '=': " + GoQuoteRune(t));
        return Emit(TokenType::kEql);
      }
      case '!': {
        const char32_t t = NextRune();
        if (t == '=') return Emit(TokenType::kNeq);
        return Error("unexpected character after '!': " + GoQuoteRune(t));
      }
      case '<':
        if (Peek() == '=') {
          NextRune();
          return Emit(TokenType::kLte);
        }
        return Emit(TokenType::kLss);
      case '>':
        if (Peek() == '=') {
          NextRune();
          return Emit(TokenType::kGte);
        }
        return Emit(TokenType::kGtr);
      case '"':
      case '\'':
        string_open_ = r;
        return LexString();
      case '`':
        string_open_ = r;
        return LexRawString();
      case '(':
        ++paren_depth_;
        return Emit(TokenType::kLeftParen);
      case ')': {
        Token token = Emit(TokenType::kRightParen);
        // lex.go overwrites the token it just emitted, so the error sits after the paren.
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis " + GoQuoteRune(r));
        return token;
      }
      case '{':
        brace_open_ = true;
        return Emit(TokenType::kLeftBrace);
      case '[': {
        if (bracket_open_) return Error("unexpected left bracket " + GoQuoteRune(r));
        got_colon_ = false;
        Token token = Emit(TokenType::kLeftBracket);
        SkipSpaces();
        bracket_open_ = true;
        expect_duration_ = true;
        return token;
      }
      case ']':
        if (!bracket_open_) return Error("unexpected right bracket " + GoQuoteRune(r));
        bracket_open_ = false;
        return Emit(TokenType::kRightBracket);
      case '@':
        return Emit(TokenType::kAt);
      default:
        break;
    }
    if (IsSpace(r)) {
      SkipSpaces();
      return Skip();
    }
    if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      if (!bracket_open_) {
        Backup();
        return LexKeywordOrIdentifier();
      }
      // Inside brackets any letter is taken for the subquery colon, as lex.go does.
      if (got_colon_) return Error("unexpected colon " + GoQuoteRune(r));
      got_colon_ = true;
      return Emit(TokenType::kColon);
    }
    return Error("unexpected character: " + GoQuoteRune(r));
  }

  Token InsideBraces() {
    if (in_.substr(pos_).starts_with('#')) return LexComment();
    const char32_t r = NextRune();
    switch (r) {
      case kEofRune:
        return Error("unexpected end of input inside braces");
      case ',':
        return Emit(TokenType::kComma);
      case '"':
      case '\'':
        string_open_ = r;
        return LexString();
      case '`':
        string_open_ = r;
        return LexRawString();
      case '=':
        if (NextRune() == '~') return Emit(TokenType::kEqlRegex);
        Backup();
        return Emit(TokenType::kEql);
      case '!': {
        const char32_t t = NextRune();
        if (t == '~') return Emit(TokenType::kNeqRegex);
        if (t == '=') return Emit(TokenType::kNeq);
        return Error("unexpected character after '!' inside braces: " + GoQuoteRune(t));
      }
      case '{':
        return Error("unexpected left brace " + GoQuoteRune(r));
      case '}':
        brace_open_ = false;
        return Emit(TokenType::kRightBrace);
      default:
        break;
    }
    if (IsSpace(r)) {
      SkipSpaces();
      return Skip();
    }
    if (IsAlpha(r)) {
      while (IsAlphaNumeric(NextRune())) {
      }
      Backup();
      return Emit(TokenType::kIdentifier);
    }
    return Error("unexpected character inside braces: " + GoQuoteRune(r));
  }

  Token LexString() {
    for (;;) {
      const char32_t r = NextRune();
      if (r == '\\') {
        std::string error = LexEscape();
        if (!error.empty()) return Error(std::move(error));
        continue;
      }
      if (r == kRuneError) return Error("invalid UTF-8 rune");
      if (r == kEofRune || r == '\n') return Error("unterminated quoted string");
      if (r == string_open_) break;
    }
    return Emit(TokenType::kString);
  }

  // Returns the error message, or "" when the escape is valid.
  std::string LexEscape() {
    char32_t ch = NextRune();
    int n = 0;
    uint32_t base = 0;
    uint32_t max = 0;
    switch (ch) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
        return "";
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        n = 3, base = 8, max = 255;
        break;
      case 'x':
        ch = NextRune();
        n = 2, base = 16, max = 255;
        break;
      case 'u':
        ch = NextRune();
        n = 4, base = 16, max = 0x10FFFF;
        break;
      case 'U':
        ch = NextRune();
        n = 8, base = 16, max = 0x10FFFF;
        break;
      case kEofRune:
        return "escape sequence not terminated";
      default:
        if (ch == string_open_) return "";
        return "unknown escape sequence " + UnicodeName(ch);
    }
    uint32_t x = 0;
    while (n > 0) {
      const auto d = static_cast<uint32_t>(DigitValue(ch));
      if (d >= base) {
        if (ch == kEofRune) return "escape sequence not terminated";
        return "illegal character " + UnicodeName(ch) + " in escape sequence";
      }
      x = x * base + d;
      if (--n > 0) ch = NextRune();
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
      return "escape sequence is an invalid Unicode code point";
    }
    return "";
  }

  Token LexRawString() {
    for (;;) {
      const char32_t r = NextRune();
      if (r == kRuneError) return Error("invalid UTF-8 rune");
      if (r == kEofRune) return Error("unterminated raw string");
      if (r == string_open_) break;
    }
    return Emit(TokenType::kString);
  }

  Token LexDuration() {
    if (ScanNumber()) return Error("missing unit character in duration");
    if (!AcceptRemainingDuration()) {
      return Error("bad duration syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
    }
    Backup();
    return Emit(TokenType::kDuration);
  }

  Token LexNumberOrDuration() {
    if (ScanNumber()) return Emit(TokenType::kNumber);
    if (AcceptRemainingDuration()) {
      Backup();
      return Emit(TokenType::kDuration);
    }
    return Error("bad number or duration syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
  }

  bool AcceptRemainingDuration() {
    if (!Accept("smhdwy")) return false;
    Accept("s");  // ms; bad units such as "hs" are refused when the duration is parsed
    while (Accept("0123456789")) {
      AcceptRun("0123456789");
      if (!Accept("smhdw")) return false;
      Accept("s");
    }
    return !IsAlphaNumeric(NextRune());
  }

  // Scans what may be a number; the parser refuses the malformed ones ("1e", "0x").
  bool ScanNumber() {
    std::string_view digits = "0123456789";
    if (Accept("0") && Accept("xX")) digits = "0123456789abcdefABCDEF";
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789");
    }
    return !IsAlphaNumeric(Peek());
  }

  Token LexKeywordOrIdentifier() {
    for (;;) {
      const char32_t r = NextRune();
      if (!IsAlphaNumeric(r) && r != ':') break;
    }
    Backup();
    const std::string_view word = in_.substr(start_, pos_ - start_);
    std::string lower(word);
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    for (const Keyword& keyword : kKeywords) {
      if (keyword.word == lower) return Emit(keyword.type);
    }
    if (word.find(':') == std::string_view::npos) return Emit(TokenType::kIdentifier);
    return Emit(TokenType::kMetricIdentifier);
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;
  int width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool expect_duration_ = false;
  bool skipped_ = false;
  char32_t string_open_ = 0;
};

// The fixed spelling of the token types Prometheus lists in ItemTypeStr, or "".
bool HasFixedSpelling(TokenType type) {
  switch (type) {
    case TokenType::kEof:
    case TokenType::kError:
    case TokenType::kComment:
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kNumber:
    case TokenType::kDuration:
    case TokenType::kString:
      return false;
    default:
      return true;
  }
}

bool IsOperatorToken(TokenType type) {
  return type >= TokenType::kAdd && type <= TokenType::kLunless;
}

bool IsKeywordToken(TokenType type) {
  return type >= TokenType::kBool && type <= TokenType::kWithout;
}

// Item.String() in lex.go.
std::string TokenString(const Token& token) {
  switch (token.type) {
    case TokenType::kEof:
      return "EOF";
    case TokenType::kError:
      return token.message;
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
      return GoQuote(token.text);
    default:
      break;
  }
  if (IsKeywordToken(token.type)) return "<" + std::string(token.text) + ">";
  if (IsOperatorToken(token.type)) return "<op:" + std::string(token.text) + ">";
  if (IsAggregatorToken(token.type)) return "<aggr:" + std::string(token.text) + ">";
  // %.10q...: the first ten runes, quoted.
  size_t pos = 0;
  int runes = 0;
  while (pos < token.text.size() && runes < 10) {
    int width = 1;
    DecodeRune(token.text, pos, &width);
    pos += width;
    ++runes;
  }
  if (pos < token.text.size()) return GoQuote(token.text.substr(0, pos)) + "...";
  return GoQuote(token.text);
}

std::string_view TypeDescription(TokenType type) {
  switch (type) {
    case TokenType::kError:
      return "error";
    case TokenType::kComment:
      return "comment";
    case TokenType::kIdentifier:
      return "identifier";
    case TokenType::kMetricIdentifier:
      return "metric identifier";
    case TokenType::kString:
      return "string";
    case TokenType::kNumber:
      return "number";
    case TokenType::kDuration:
      return "duration";
    default:
      return "";
  }
}

}  // namespace

bool IsAggregatorToken(TokenType type) {
  return type >= TokenType::kAvg && type <= TokenType::kTopK;
}

std::vector<Token> Lex(std::string_view input) {
  std::vector<Token> tokens;
  Lexer lexer(input);
  for (;;) {
    Token token = lexer.Next();
    if (token.type == TokenType::kComment) continue;
    const bool last = token.type == TokenType::kEof || token.type == TokenType::kError;
    tokens.push_back(std::move(token));
    if (last) return tokens;
  }
}

std::string DescribeToken(const Token& token) {
  if (token.type == TokenType::kEof) return "end of input";
  // Prometheus has no fixed spelling for `@`, so it prints the token type's number.
  if (token.type == TokenType::kAt) return "\"<Item 57385>\" <op:@>";
  // "inf" and "nan" are numbers even though their spelling is fixed.
  if (HasFixedSpelling(token.type)) return TokenString(token);
  return std::string(TypeDescription(token.type)) + " " + TokenString(token);
}

std::string GoQuote(std::string_view text) {
  std::string out = "\"";
  size_t pos = 0;
  while (pos < text.size()) {
    int width = 1;
    const char32_t r = DecodeRune(text, pos, &width);
    if (r == kRuneError && width == 1) {
      out += Hex("\\x%02x", static_cast<unsigned char>(text[pos]));
    } else {
      AppendQuotedRune(out, r, '"');
    }
    pos += width;
  }
  out += '"';
  return out;
}

std::string GoQuoteRune(char32_t rune) {
  if (rune > 0x10FFFF || (rune >= 0xD800 && rune < 0xE000)) rune = kRuneError;
  std::string out = "'";
  AppendQuotedRune(out, rune, '\'');
  out += '\'';
  return out;
}

std::string UnquoteString(std::string_view token_text) {
  if (token_text.size() < 2) return {};
  const char quote = token_text.front();
  const std::string_view body = token_text.substr(1, token_text.size() - 2);
  if (quote == '`') return std::string(body);
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    const char e = body[++i];
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t value = 0;
        for (size_t k = 0; k < n && i + 1 < body.size(); ++k) {
          value = value * 16 + static_cast<uint32_t>(DigitValue(body[++i]) & 0xF);
        }
        if (e == 'x') {
          out += static_cast<char>(value);
        } else {
          AppendUtf8(out, value <= 0x10FFFF ? value : kRuneError);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          uint32_t value = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size(); ++k) {
            value = value * 8 + static_cast<uint32_t>(body[++i] - '0');
          }
          out += static_cast<char>(value & 0xFF);
        } else {
          out += e;  // \\, \" and \'
        }
        break;
    }
  }
  return out;
}

}  // namespace sidecar::promql
