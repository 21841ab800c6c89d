// The lexer of Go's text/template (lex.go, Go 1.19 as in Prometheus 2.42) and Go's literal
// syntax (strconv's Unquote, ParseInt and ParseFloat as number literals use them).
#include "agent/rules/template_lex.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "agent/common/utf8.h"
#include "agent/rules/template_internal.h"

namespace sidecar::rules::tmpl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlphaNumeric(unsigned char c) {
  // Non-ASCII bytes are taken as letters: Go accepts Unicode letters in identifiers.
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c >= 0x80;
}

// Splits the whole input into tokens up front (Go runs its lexer as a goroutine; the tokens
// are the same). Stops at the first error token.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}

  std::vector<Token> Run() {
    while (LexText()) {
    }
    return std::move(tokens_);
  }

 private:
  bool At(std::string_view prefix, size_t at) const {
    return at <= in_.size() && in_.substr(at).starts_with(prefix);
  }
  bool HasLeftTrim(size_t at) const {
    return at + 1 < in_.size() && in_[at] == '-' && IsSpace(in_[at + 1]);
  }
  bool HasRightTrim(size_t at) const {
    return at + 1 < in_.size() && IsSpace(in_[at]) && in_[at + 1] == '-';
  }
  // 0: not at a right delimiter; 1: "}}"; 2: " -}}".
  int AtRightDelim() const {
    if (HasRightTrim(pos_) && At("}}", pos_ + 2)) return 2;
    if (At("}}", pos_)) return 1;
    return 0;
  }
  int LineAt(size_t at) {
    while (line_pos_ < at && line_pos_ < in_.size()) {
      if (in_[line_pos_] == '\n') ++line_;
      ++line_pos_;
    }
    return line_;
  }
  void Emit(Tok type, std::string val) {
    tokens_.push_back({type, static_cast<int>(start_), LineAt(start_), std::move(val)});
    start_ = pos_;
  }
  void Emit(Tok type) { Emit(type, std::string(in_.substr(start_, pos_ - start_))); }
  bool Fail(std::string message) {
    Emit(Tok::kError, std::move(message));
    return false;
  }
  bool Accept(std::string_view valid) {
    if (pos_ < in_.size() && valid.find(in_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }

  bool LexText() {
    size_t x = in_.find("{{", pos_);
    if (x == std::string_view::npos) {
      pos_ = in_.size();
      if (pos_ > start_) Emit(Tok::kText);
      Emit(Tok::kEof, "");
      return false;
    }
    bool trim = HasLeftTrim(x + 2);
    size_t text_end = x;
    if (trim) {
      while (text_end > start_ && IsSpace(in_[text_end - 1])) --text_end;
    }
    pos_ = text_end;
    if (pos_ > start_) Emit(Tok::kText);
    pos_ = start_ = x;
    size_t after = x + 2 + (trim ? 2 : 0);
    if (At("/*", after)) return LexComment(after + 2);
    pos_ = x + 2;
    Emit(Tok::kLeftDelim);
    pos_ = start_ = after;
    paren_depth_ = 0;
    return LexInsideAction();
  }

  bool LexComment(size_t body) {
    size_t x = in_.find("*/", body);
    if (x == std::string_view::npos) return Fail("unclosed comment");
    pos_ = x + 2;
    int delim = AtRightDelim();
    if (delim == 0) return Fail("comment ends before closing delimiter");
    Emit(Tok::kComment);
    pos_ += delim == 2 ? 4 : 2;
    if (delim == 2) SkipLeadingSpace();
    start_ = pos_;
    return true;
  }

  void SkipLeadingSpace() {
    while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
  }

  bool LexRightDelim(int delim) {
    if (delim == 2) pos_ += 2;
    start_ = pos_;
    pos_ += 2;
    Emit(Tok::kRightDelim);
    if (delim == 2) SkipLeadingSpace();
    start_ = pos_;
    return true;
  }

  bool LexInsideAction() {
    while (true) {
      if (int delim = AtRightDelim()) {
        if (paren_depth_ <= 0) return LexRightDelim(delim);
        return Fail("unclosed left paren");
      }
      if (pos_ >= in_.size()) return Fail("unclosed action");
      char c = in_[pos_++];
      if (IsSpace(c)) {
        --pos_;
        if (!LexSpace()) return LexRightDelim(2);
        continue;
      }
      bool ok = true;
      switch (c) {
        case '=':
          Emit(Tok::kAssign);
          break;
        case ':':
          if (pos_ >= in_.size() || in_[pos_++] != '=') return Fail("expected :=");
          Emit(Tok::kDeclare);
          break;
        case '|':
          Emit(Tok::kPipe);
          break;
        case '"':
          ok = LexQuote();
          break;
        case '`':
          ok = LexRawQuote();
          break;
        case '$':
          ok = LexFieldOrVariable(Tok::kVariable);
          break;
        case '\'':
          ok = LexChar();
          break;
        case '(':
          Emit(Tok::kLeftParen);
          ++paren_depth_;
          break;
        case ')':
          // An unbalanced one is left to the parser: unexpected ")" in command.
          --paren_depth_;
          Emit(Tok::kRightParen);
          break;
        default:
          if (c == '.' && (pos_ >= in_.size() || in_[pos_] < '0' || in_[pos_] > '9')) {
            ok = LexFieldOrVariable(Tok::kField);
          } else if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            --pos_;
            ok = LexNumber();
          } else if (IsAlphaNumeric(static_cast<unsigned char>(c))) {
            --pos_;
            ok = LexIdentifier();
          } else if (c > ' ' && c < 0x7f) {
            Emit(Tok::kChar);
          } else {
            char buf[48];
            std::snprintf(buf, sizeof(buf), "unrecognized character in action: U+%04X",
                          static_cast<unsigned char>(c));
            return Fail(buf);
          }
      }
      if (!ok) return false;
    }
  }

  // Returns false when the spaces turned out to open a trim-marked right delimiter " -}}"
  // on their own (a single space): the caller then lexes the delimiter.
  bool LexSpace() {
    size_t n = 0;
    while (pos_ < in_.size() && IsSpace(in_[pos_])) {
      ++pos_;
      ++n;
    }
    if (HasRightTrim(pos_ - 1) && At("}}", pos_ + 1)) {
      --pos_;
      if (n == 1) return false;
    }
    Emit(Tok::kSpace);
    return true;
  }

  bool AtTerminator() const {
    if (pos_ >= in_.size()) return true;
    char c = in_[pos_];
    return IsSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
           c == '}';
  }

  bool BadCharacter() {
    char buf[48];
    unsigned char c = static_cast<unsigned char>(in_[pos_]);
    if (c >= 0x20 && c < 0x7f) {
      std::snprintf(buf, sizeof(buf), "bad character U+%04X '%c'", c, c);
    } else {
      std::snprintf(buf, sizeof(buf), "bad character U+%04X", c);
    }
    return Fail(buf);
  }

  bool LexIdentifier() {
    while (pos_ < in_.size() && IsAlphaNumeric(static_cast<unsigned char>(in_[pos_]))) ++pos_;
    if (!AtTerminator()) return BadCharacter();
    std::string_view word = in_.substr(start_, pos_ - start_);
    static constexpr std::string_view kKeywords[] = {
        "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"};
    for (std::string_view k : kKeywords) {
      if (word == k) {
        Emit(Tok::kKeyword);
        return true;
      }
    }
    if (word == "true" || word == "false") {
      Emit(Tok::kBool);
    } else if (word == "nil") {
      Emit(Tok::kNil);
    } else {
      Emit(Tok::kIdentifier);
    }
    return true;
  }

  bool LexFieldOrVariable(Tok type) {
    if (AtTerminator()) {
      Emit(type == Tok::kVariable ? Tok::kVariable : Tok::kDot);
      return true;
    }
    while (pos_ < in_.size() && IsAlphaNumeric(static_cast<unsigned char>(in_[pos_]))) ++pos_;
    if (!AtTerminator()) return BadCharacter();
    Emit(type);
    return true;
  }

  bool LexChar() {
    while (true) {
      char c = pos_ < in_.size() ? in_[pos_++] : '\n';
      if (c == '\\' && pos_ < in_.size() && in_[pos_] != '\n') {
        ++pos_;
        continue;
      }
      if (c == '\\' || c == '\n') return Fail("unterminated character constant");
      if (c == '\'') break;
    }
    Emit(Tok::kCharConstant);
    return true;
  }

  bool LexQuote() {
    while (true) {
      char c = pos_ < in_.size() ? in_[pos_++] : '\n';
      if (c == '\\' && pos_ < in_.size() && in_[pos_] != '\n') {
        ++pos_;
        continue;
      }
      if (c == '\\' || c == '\n') return Fail("unterminated quoted string");
      if (c == '"') break;
    }
    Emit(Tok::kString);
    return true;
  }

  bool LexRawQuote() {
    size_t x = in_.find('`', pos_);
    if (x == std::string_view::npos) return Fail("unterminated raw quoted string");
    pos_ = x + 1;
    Emit(Tok::kRawString);
    return true;
  }

  bool LexNumber() {
    auto bad = [&]() {
      return Fail("bad number syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
    };
    if (!ScanNumber()) return bad();
    if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) {
      // A complex constant such as 1+2i: no spaces, must end in 'i'.
      if (!ScanNumber() || in_[pos_ - 1] != 'i') return bad();
    }
    Emit(Tok::kNumber);
    return true;
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (pos_ < in_.size() && IsAlphaNumeric(static_cast<unsigned char>(in_[pos_]))) {
      ++pos_;
      return false;
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t line_pos_ = 0;
  int line_ = 1;
  int paren_depth_ = 0;
  std::vector<Token> tokens_;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

// Decodes one (possibly escaped) character; returns its code point, or -1 on a bad escape.
// `byte_value` is set for \x and octal escapes, which denote bytes rather than characters.
int64_t UnquoteChar(std::string_view s, size_t& i, char quote, bool& byte_value) {
  byte_value = false;
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == quote && quote == '\'') return -1;
  if (c != '\\') {
    // A raw UTF-8 sequence: decode it to keep the rune value for character constants.
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t r = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < len && i + k < s.size(); ++k) r = (r << 6) | (s[i + k] & 0x3F);
    i += len;
    return r;
  }
  if (++i >= s.size()) return -1;
  char e = s[i++];
  switch (e) {
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    case '\\':
      return '\\';
    case '\'':
    case '"':
      return e == quote ? e : -1;
    case 'x':
    case 'u':
    case 'U': {
      int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      int64_t v = 0;
      for (int k = 0; k < n; ++k) {
        if (i >= s.size() || HexDigit(s[i]) < 0) return -1;
        v = v * 16 + HexDigit(s[i++]);
      }
      if (e == 'x') {
        byte_value = true;
      } else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return -1;
      }
      return v;
    }
    default:
      if (e >= '0' && e <= '7') {
        int64_t v = e - '0';
        for (int k = 0; k < 2; ++k) {
          if (i >= s.size() || s[i] < '0' || s[i] > '7') return -1;
          v = v * 8 + (s[i++] - '0');
        }
        if (v > 255) return -1;
        byte_value = true;
        return v;
      }
      return -1;
  }
}

bool Unquote(std::string_view lit, std::string& out) {
  if (lit.size() >= 2 && lit.front() == '`') {
    out.clear();
    for (char c : lit.substr(1, lit.size() - 2)) {
      if (c != '\r') out += c;
    }
    return true;
  }
  std::string_view body = lit.substr(1, lit.size() - 2);
  out.clear();
  for (size_t i = 0; i < body.size();) {
    if (body[i] != '\\') {
      out += body[i++];
      continue;
    }
    bool byte_value = false;
    int64_t r = UnquoteChar(body, i, '"', byte_value);
    if (r < 0) return false;
    if (byte_value) {
      out += static_cast<char>(r);
    } else {
      AppendUtf8(out, static_cast<char32_t>(r));
    }
  }
  return true;
}

// strconv.ParseInt(text, 0, 64): sign, 0x/0o/0b/0 prefixes, underscores after a prefix.
bool ParseGoInt(std::string_view text, int64_t& out) {
  bool neg = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  int base = 10;
  bool prefixed = false;
  if (text.size() >= 2 && text[0] == '0') {
    char p = static_cast<char>(text[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      text.remove_prefix(2);
      prefixed = true;
    } else {
      base = 8;
      text.remove_prefix(1);
      prefixed = true;
    }
  }
  if (text.empty() && !prefixed) return false;
  if (text.empty() && base != 8) return false;
  constexpr uint64_t kLimit = uint64_t{1} << 63;  // |INT64_MIN|
  uint64_t v = 0;
  bool last_underscore = prefixed;  // an underscore may follow a prefix
  bool any_digit = false;
  for (char c : text) {
    if (c == '_') {
      if (last_underscore && any_digit) return false;
      last_underscore = true;
      continue;
    }
    int d = HexDigit(c);
    if (d < 0 || d >= base) return false;
    if (v > (kLimit - d) / base) return false;
    v = v * base + d;
    last_underscore = false;
    any_digit = true;
  }
  if (last_underscore && any_digit) return false;
  if (!neg && v == kLimit) return false;
  out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParseGoFloat(std::string_view text, double& out) {
  std::string clean;
  for (char c : text) {
    if (c != '_') clean += c;
  }
  if (clean.empty()) return false;
  size_t digits_at = clean[0] == '+' || clean[0] == '-' ? 1 : 0;
  if (clean.find_first_of("0123456789", digits_at) == std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return false;
  if (errno == ERANGE && std::isinf(v)) return false;
  out = v;
  return true;
}

}  // namespace sidecar::rules::tmpl
