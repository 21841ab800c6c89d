#include "agent/rules/series_notation.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "agent/promql/value.h"

namespace sidecar::rules {
namespace {

// The tokens of Prometheus' lexer in series-description mode (lexValueSequence).
enum class Tok { kSpace, kAdd, kSub, kTimes, kBlank, kNumber, kIdentifier, kKeyword, kEnd };

struct Token {
  Tok type = Tok::kEnd;
  int pos = 0;
  std::string_view text;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlphaNumeric(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// PromQL keywords the lexer recognises even here; the parser then rejects them.
bool IsKeyword(const std::string& word) {
  static constexpr std::string_view kKeywords[] = {
      "and",          "or",          "unless", "atan2",  "sum",     "avg",  "count",
      "min",          "max",         "group",  "stddev", "stdvar",  "topk", "bottomk",
      "count_values", "quantile",    "offset", "by",     "without", "on",   "ignoring",
      "group_left",   "group_right", "bool",   "start",  "end"};
  for (std::string_view k : kKeywords) {
    if (word == k) return true;
  }
  return false;
}

bool IsAggregator(const std::string& word) {
  static constexpr std::string_view kAggregators[] = {
      "sum",    "avg",    "count", "min",     "max",          "group",
      "stddev", "stdvar", "topk",  "bottomk", "count_values", "quantile"};
  for (std::string_view k : kAggregators) {
    if (word == k) return true;
  }
  return false;
}

std::string QuoteRune(std::string_view text, size_t pos) {
  const unsigned char c = static_cast<unsigned char>(text[pos]);
  if (c == '\'' || c == '\\') return std::string("'\\") + static_cast<char>(c) + "'";
  if (c < 0x20 || c == 0x7f) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "'\\x%02x'", c);
    return buf;
  }
  size_t len = 1;
  if (c >= 0xf0) {
    len = 4;
  } else if (c >= 0xe0) {
    len = 3;
  } else if (c >= 0xc0) {
    len = 2;
  }
  return "'" + std::string(text.substr(pos, len)) + "'";
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token, or nullopt with `*error` set on a lexical error.
  std::optional<Token> Next(SeriesNotationError* error) {
    const size_t start = pos_;
    if (pos_ >= text_.size()) return Token{Tok::kEnd, static_cast<int>(start), {}};
    const char c = text_[pos_];
    auto emit = [&](Tok t) {
      return Token{t, static_cast<int>(start), text_.substr(start, pos_ - start)};
    };
    if (IsSpace(c)) {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
      return emit(Tok::kSpace);
    }
    ++pos_;
    switch (c) {
      case '+':
        return emit(Tok::kAdd);
      case '-':
        return emit(Tok::kSub);
      case 'x':
        return emit(Tok::kTimes);
      case '_':
        return emit(Tok::kBlank);
      default:
        break;
    }
    if (IsDigit(c) || (c == '.' && pos_ < text_.size() && IsDigit(text_[pos_]))) {
      pos_ = start;
      if (!ScanNumber()) {
        error->offset = static_cast<int>(start);
        error->message =
            "bad number syntax: \"" + std::string(text_.substr(start, pos_ - start)) + "\"";
        return std::nullopt;
      }
      return emit(Tok::kNumber);
    }
    if (IsAlpha(c)) {
      while (pos_ < text_.size() && (IsAlphaNumeric(text_[pos_]) || text_[pos_] == ':')) ++pos_;
      const std::string word = Lower(text_.substr(start, pos_ - start));
      if (word == "inf" || word == "nan") return emit(Tok::kNumber);
      return emit(IsKeyword(word) ? Tok::kKeyword : Tok::kIdentifier);
    }
    error->offset = static_cast<int>(start);
    error->message = "unexpected character in series sequence: " + QuoteRune(text_, start);
    return std::nullopt;
  }

 private:
  void AcceptRun() {
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  }
  bool Accept(std::string_view set) {
    if (pos_ < text_.size() && set.find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  // As Prometheus' scanNumber: no hexadecimal here, and a number may only be followed by a
  // non-alphanumeric or by the `x` of a repetition.
  bool ScanNumber() {
    AcceptRun();
    if (Accept(".")) AcceptRun();
    if (Accept("eE")) {
      Accept("+-");
      AcceptRun();
    }
    if (pos_ >= text_.size()) return true;
    const char next = text_[pos_];
    return next == 'x' || !IsAlphaNumeric(next);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Go's strconv.ParseInt(s, 0, 64) for the digit strings the lexer produces: a leading 0 means
// octal. Nullopt when that fails (the caller then reads it as a float, as Prometheus does).
std::optional<double> ParseGoInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  size_t i = 0;
  if (s.size() > 1 && s[0] == '0') {
    base = 8;
    i = 1;
  }
  int64_t n = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i]) || s[i] - '0' >= base) return std::nullopt;
    const int64_t d = s[i] - '0';
    if (n > (INT64_MAX - d) / base) return std::nullopt;
    n = n * base + d;
  }
  return static_cast<double>(n);
}

// Prometheus' parser.number(): ParseInt base 0, else ParseFloat.
bool ParseNumber(const Token& tok, double* out, SeriesNotationError* error) {
  const std::string s(tok.text);
  if (auto n = ParseGoInt(s)) {
    *out = *n;
    return true;
  }
  const std::string lower = Lower(s);
  if (lower == "inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (lower == "nan") {
    *out = std::nan("");
    return true;
  }
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  const bool syntax_ok = end == s.c_str() + s.size() && s.back() != 'e' && s.back() != 'E' &&
                         s.back() != '+' && s.back() != '-';
  if (!syntax_ok || (errno == ERANGE && std::isinf(v))) {
    error->offset = tok.pos;
    error->message = "error parsing number: strconv.ParseFloat: parsing \"" + s +
                     "\": " + (syntax_ok ? "value out of range" : "invalid syntax");
    return false;
  }
  *out = v;
  return true;
}

std::string Describe(const Token& tok) {
  switch (tok.type) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kSpace: {
      std::string quoted = "\"";
      for (char c : tok.text) {
        quoted += c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : std::string(1, c);
      }
      return quoted + "\"";
    }
    case Tok::kAdd:
      return "<op:+>";
    case Tok::kSub:
      return "<op:->";
    case Tok::kTimes:
      return "\"x\"";
    case Tok::kBlank:
      return "\"_\"";
    case Tok::kNumber:
      return "number \"" + std::string(tok.text) + "\"";
    case Tok::kIdentifier:
      return "identifier \"" + std::string(tok.text) + "\"";
    case Tok::kKeyword: {
      const std::string word = Lower(tok.text);
      if (word == "and" || word == "or" || word == "unless" || word == "atan2") {
        return "<op:" + std::string(tok.text) + ">";
      }
      if (IsAggregator(word)) return "<aggr:" + std::string(tok.text) + ">";
      return "<" + std::string(tok.text) + ">";
    }
  }
  return "token";
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<SeriesValue>* values, SeriesNotationError* error)
      : lexer_(text), values_(values), error_(error) {}

  bool Parse() {
    if (!Advance()) return false;
    while (true) {
      while (tok_.type == Tok::kSpace) {
        if (!Advance()) return false;
      }
      if (tok_.type == Tok::kEnd) return true;
      if (!Item()) return false;
      if (tok_.type != Tok::kSpace && tok_.type != Tok::kEnd) return Unexpected("");
    }
  }

 private:
  bool Advance() {
    auto next = lexer_.Next(error_);
    if (!next) return false;
    tok_ = *next;
    return true;
  }

  bool Unexpected(std::string_view expected) {
    error_->offset = tok_.pos;
    // Prometheus names the context only where its grammar recovers (a space or the end of the
    // input where an item was due) or for a bad identifier.
    error_->message = "unexpected " + Describe(tok_);
    if (tok_.type == Tok::kEnd || tok_.type == Tok::kSpace || !expected.empty()) {
      error_->message += " in series values";
    }
    if (!expected.empty()) error_->message += ", expected " + std::string(expected);
    return false;
  }

  bool Push(SeriesValue v) {
    if (values_->size() >= kMaxSeriesValues) {
      error_->offset = tok_.pos;
      error_->message =
          "too many samples in series values (at most " + std::to_string(kMaxSeriesValues) + ")";
      return false;
    }
    values_->push_back(v);
    return true;
  }

  // The repetition count after `x`.
  bool Uint(uint64_t* n) {
    if (tok_.type != Tok::kNumber) return Unexpected("");
    const std::string s(tok_.text);
    uint64_t v = 0;
    bool ok = !s.empty();
    for (char c : s) {
      if (!IsDigit(c) || v > (UINT64_MAX - static_cast<uint64_t>(c - '0')) / 10) {
        ok = false;
        break;
      }
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!ok) {
      error_->offset = tok_.pos;
      error_->message =
          "invalid repetition in series values: strconv.ParseUint: parsing \"" + s + "\": " +
          (s.find_first_not_of("0123456789") == std::string::npos ? "value out of range"
                                                                  : "invalid syntax");
      return false;
    }
    *n = v;
    return Advance();
  }

  // number | + number | - number, leaving the token after it current.
  bool SignedNumber(double* v) {
    double sign = 1;
    if (tok_.type == Tok::kAdd || tok_.type == Tok::kSub) {
      sign = tok_.type == Tok::kSub ? -1 : 1;
      if (!Advance()) return false;
      if (tok_.type != Tok::kNumber) return Unexpected("");
    }
    if (!ParseNumber(tok_, v, error_)) return false;
    *v *= sign;
    return Advance();
  }

  bool Item() {
    if (tok_.type == Tok::kBlank) {
      if (!Advance()) return false;
      uint64_t n = 1;
      if (tok_.type == Tok::kTimes) {
        if (!Advance() || !Uint(&n)) return false;
      }
      for (uint64_t i = 0; i < n; ++i) {
        if (!Push({.omitted = true})) return false;
      }
      return true;
    }
    double start = 0;
    if (tok_.type == Tok::kIdentifier) {
      if (tok_.text != "stale") {
        return Unexpected("number or \"stale\"");
      }
      start = promql::StaleNaN();
      if (!Advance()) return false;
    } else if (tok_.type == Tok::kNumber || tok_.type == Tok::kAdd || tok_.type == Tok::kSub) {
      if (!SignedNumber(&start)) return false;
    } else {
      return Unexpected("");
    }
    double step = 0;
    if (tok_.type == Tok::kAdd || tok_.type == Tok::kSub) {
      if (!SignedNumber(&step)) return false;
      if (tok_.type != Tok::kTimes) return Unexpected("");
    }
    if (tok_.type != Tok::kTimes) return Push({.value = start});
    uint64_t n = 0;
    if (!Advance() || !Uint(&n)) return false;
    // Accumulated, not multiplied: the float results match Prometheus' bit for bit.
    double v = start;
    for (uint64_t i = 0; i <= n; ++i) {
      if (!Push({.value = v})) return false;
      v += step;
    }
    return true;
  }

  Lexer lexer_;
  Token tok_;
  std::vector<SeriesValue>* values_;
  SeriesNotationError* error_;
};

}  // namespace

bool ExpandSeriesValues(std::string_view text, std::vector<SeriesValue>* values,
                        SeriesNotationError* error) {
  values->clear();
  Parser parser(text, values, error);
  if (parser.Parse()) return true;
  values->clear();
  return false;
}

}  // namespace sidecar::rules
