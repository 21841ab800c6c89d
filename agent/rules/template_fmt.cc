// Go's fmt printing rules (Sprint, Sprintln, Sprintf with its verbs, flags, widths and the
// %!verb(type=value) error forms) for the values a Prometheus template computes with.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "agent/promql/value.h"
#include "agent/rules/template_internal.h"

namespace sidecar::rules::tmpl {
namespace {

struct Spec {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

class Printer {
 public:
  std::string buf;

  void Pad(std::string_view s, const Spec& f) {
    if (!f.wid_present || f.wid == 0) {
      buf += s;
      return;
    }
    size_t runes = 0;
    for (size_t i = 0; i < s.size();) {
      size_t w = 1;
      DecodeRune(s, i, w);
      i += w;
      ++runes;
    }
    size_t width = static_cast<size_t>(f.wid) > runes ? f.wid - runes : 0;
    std::string padding(width, f.zero ? '0' : ' ');
    if (f.minus) {
      buf += s;
      buf.append(width, ' ');
    } else {
      buf += padding;
      buf += s;
    }
  }

  void BadVerb(char verb, const Value* arg, const Spec& f) {
    buf += "%!";
    buf += verb;
    buf += '(';
    if (arg == nullptr || arg->kind == Kind::kNil || arg->kind == Kind::kInvalid) {
      buf += "<nil>";
    } else {
      buf += TypeName(*arg) + "=";
      PrintArg(*arg, 'v', f);
    }
    buf += ')';
  }

  void FmtInteger(int64_t value, int base, char verb, Spec f, bool upper) {
    bool negative = value < 0;
    uint64_t u = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    int prec = 0;
    if (f.prec_present) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        f.zero = false;
        buf.append(f.wid_present ? f.wid : 0, ' ');
        return;
      }
    } else if (f.zero && f.wid_present) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    const char* digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    std::string num;
    do {
      num.insert(num.begin(), digits[u % base]);
      u /= base;
    } while (u != 0);
    while (static_cast<int>(num.size()) < prec) num.insert(num.begin(), '0');
    if (f.sharp) {
      if (base == 2) num = "0b" + num;
      if (base == 8 && num[0] != '0') num = "0" + num;
      if (base == 16) num = std::string("0") + digits[16] + num;
    }
    if (verb == 'O') num = "0o" + num;
    if (negative) {
      num = "-" + num;
    } else if (f.plus) {
      num = "+" + num;
    } else if (f.space) {
      num = " " + num;
    }
    f.zero = false;
    Pad(num, f);
  }

  void FmtFloat(double v, char verb, int prec, Spec f) {
    if (f.prec_present) prec = f.prec;
    std::string num;
    if (std::isnan(v)) {
      num = "+NaN";
    } else if (std::isinf(v)) {
      num = v > 0 ? "+Inf" : "-Inf";
    } else if ((verb == 'g' || verb == 'G') && prec < 0) {
      num = promql::FormatValue(v);
      if (verb == 'G') {
        for (char& c : num) c = c == 'e' ? 'E' : c;
      }
    } else if (verb == 'x' || verb == 'X') {
      // glibc prints subnormals as 0x0.xxxp-1022; Go normalizes them to 0x1.xxxp-1074.
      int exp2 = 0;
      double mant = v;
      if (std::fpclassify(v) == FP_SUBNORMAL) {
        mant = std::frexp(v, &exp2) * 2;
        exp2 -= 1;
      }
      char buf2[64];
      if (prec < 0) {
        std::snprintf(buf2, sizeof(buf2), verb == 'x' ? "%a" : "%A", mant);
      } else {
        std::snprintf(buf2, sizeof(buf2), verb == 'x' ? "%.*a" : "%.*A", prec, mant);
      }
      num = buf2;
      if (exp2 != 0) {
        size_t p = num.find_first_of("pP");
        num = num.substr(0, p + 1) + std::to_string(exp2);
      }
      // Go writes at least two exponent digits: 0x1p+00.
      size_t p = num.find_first_of("pP");
      if (p != std::string::npos && num.size() - p == 3) num.insert(p + 2, "0");
    } else {
      char fmt[8] = {'%', '.', '*', verb, 0};
      char buf2[512];
      int n = std::snprintf(buf2, sizeof(buf2), fmt, prec < 0 ? 6 : prec, v);
      if (n >= static_cast<int>(sizeof(buf2))) {
        std::string big(n + 1, '\0');
        std::snprintf(big.data(), big.size(), fmt, prec < 0 ? 6 : prec, v);
        big.resize(n);
        num = big;
      } else {
        num.assign(buf2, n);
      }
    }
    if (num[0] != '-' && num[0] != '+') num = "+" + num;
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      if (num[1] == 'N' && !f.space && !f.plus) num = num.substr(1);
      f.zero = false;
      Pad(num, f);
      return;
    }
    if (f.plus || num[0] != '+') {
      if (f.zero && f.wid_present && f.wid > static_cast<int>(num.size())) {
        buf += num[0];
        buf.append(f.wid - num.size(), '0');
        buf += num.substr(1);
        return;
      }
      Pad(num, f);
      return;
    }
    Pad(num.substr(1), f);
  }

  void FmtString(std::string_view s, char verb, const Spec& f, const Value& arg) {
    if (f.prec_present) {
      size_t i = 0;
      for (int n = 0; n < f.prec && i < s.size(); ++n) {
        size_t w = 1;
        DecodeRune(s, i, w);
        i += w;
      }
      s = s.substr(0, i);
    }
    switch (verb) {
      case 'v':
      case 's':
        if (verb == 'v' && f.sharp_v) {
          Pad(Quote(s, false), f);
        } else {
          Pad(s, f);
        }
        return;
      case 'q':
        if (f.sharp && s.find_first_of("`\n\r") == std::string_view::npos) {
          Pad("`" + std::string(s) + "`", f);
        } else {
          Pad(Quote(s, f.plus), f);
        }
        return;
      case 'x':
      case 'X': {
        std::string out;
        const char* digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
        for (size_t i = 0; i < s.size(); ++i) {
          if (i > 0 && f.space) out += ' ';
          if (f.sharp && (i == 0 || f.space)) out += verb == 'x' ? "0x" : "0X";
          out += digits[static_cast<unsigned char>(s[i]) >> 4];
          out += digits[static_cast<unsigned char>(s[i]) & 15];
        }
        Pad(out, f);
        return;
      }
      default:
        BadVerb(verb, &arg, f);
    }
  }

  void PrintArg(const Value& arg, char verb, const Spec& f) {
    switch (arg.kind) {
      case Kind::kInvalid:
      case Kind::kNil:
        if (verb == 'v' || verb == 'T') {
          Pad("<nil>", f);
        } else {
          BadVerb(verb, nullptr, f);
        }
        return;
      default:
        break;
    }
    if (verb == 'T') {
      Pad(TypeName(arg), f);
      return;
    }
    switch (arg.kind) {
      case Kind::kBool:
        if (verb == 't' || verb == 'v') {
          Pad(arg.b ? "true" : "false", f);
        } else {
          BadVerb(verb, &arg, f);
        }
        return;
      case Kind::kInt:
        FmtIntegerVerb(arg, verb, f);
        return;
      case Kind::kFloat:
        switch (verb) {
          case 'v':
            FmtFloat(arg.f, 'g', -1, f);
            return;
          case 'g':
          case 'G':
          case 'x':
          case 'X':
          case 'b':
            FmtFloat(arg.f, verb == 'b' ? 'e' : verb, -1, f);
            return;
          case 'f':
          case 'F':
          case 'e':
          case 'E':
            FmtFloat(arg.f, verb, 6, f);
            return;
          default:
            BadVerb(verb, &arg, f);
            return;
        }
      case Kind::kString:
      case Kind::kHtml:
        FmtString(arg.s, verb, f, arg);
        return;
      case Kind::kTime:
        FmtString(FormatTime(arg.i), verb == 'v' || verb == 's' || verb == 'q' ? verb : 's', f,
                  arg);
        return;
      case Kind::kStringMap: {
        buf += "map[";
        bool first = true;
        for (const auto& [k, v] : *arg.string_map) {
          if (!first) buf += ' ';
          first = false;
          FmtString(k, verb, f, Value::String(k));
          buf += ':';
          FmtString(v, verb, f, Value::String(v));
        }
        buf += ']';
        return;
      }
      case Kind::kAnyMap: {
        buf += "map[";
        bool first = true;
        for (const auto& [k, v] : *arg.any_map) {
          if (!first) buf += ' ';
          first = false;
          FmtString(k, verb, f, Value::String(k));
          buf += ':';
          PrintArg(v, verb, f);
        }
        buf += ']';
        return;
      }
      case Kind::kData: {
        const TemplateData& d = *arg.data;
        auto name = [&](const char* field) {
          if (f.plus_v) buf += std::string(field) + ":";
        };
        buf += '{';
        name("Labels");
        PrintArg(Value::BorrowedMap(d.labels), verb, f);
        buf += ' ';
        name("ExternalLabels");
        PrintArg(Value::BorrowedMap(d.external_labels), verb, f);
        buf += ' ';
        name("ExternalURL");
        PrintArg(Value::String(d.external_url), verb, f);
        buf += ' ';
        name("Value");
        PrintArg(Value::Float(d.value), verb, f);
        buf += '}';
        return;
      }
      case Kind::kQueryResult:
        buf += "[]";
        return;
      default:
        return;
    }
  }

  void FmtIntegerVerb(const Value& arg, char verb, const Spec& f) {
    char buf2[32];
    switch (verb) {
      case 'v':
      case 'd':
        FmtInteger(arg.i, 10, verb, f, false);
        return;
      case 'b':
        FmtInteger(arg.i, 2, verb, f, false);
        return;
      case 'o':
      case 'O':
        FmtInteger(arg.i, 8, verb, f, false);
        return;
      case 'x':
        FmtInteger(arg.i, 16, verb, f, false);
        return;
      case 'X':
        FmtInteger(arg.i, 16, verb, f, true);
        return;
      case 'c': {
        std::string s;
        AppendRune(arg.i < 0 || arg.i > 0x10FFFF ? 0xFFFD : static_cast<int32_t>(arg.i), s);
        Pad(s, f);
        return;
      }
      case 'q': {
        int32_t r = arg.i < 0 || arg.i > 0x10FFFF ? 0xFFFD : static_cast<int32_t>(arg.i);
        std::string s = "'";
        AppendQuotedRune(r, '\'', f.plus, s);
        Pad(s + "'", f);
        return;
      }
      case 'U':
        std::snprintf(buf2, sizeof(buf2), "U+%04llX", static_cast<unsigned long long>(arg.i));
        Pad(buf2, f);
        return;
      default:
        BadVerb(verb, &arg, f);
    }
  }
};

constexpr int kTooLarge = 1000000;

// Go's parsenum: a width or precision; false (and i at the end) when absent or too large.
bool ParseNum(std::string_view s, size_t& i, int& num) {
  num = 0;
  bool isnum = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (num > kTooLarge) {
      i = s.size();
      num = 0;
      return false;
    }
    num = num * 10 + (s[i] - '0');
    isnum = true;
    ++i;
  }
  return isnum;
}

}  // namespace

std::string Sprint(const std::vector<Value>& args) {
  Printer p;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind == Kind::kString || args[i].kind == Kind::kHtml;
    if (i > 0 && !is_string && !prev_string) p.buf += ' ';
    p.PrintArg(args[i], 'v', Spec());
    prev_string = is_string;
  }
  return p.buf;
}

std::string Sprintln(const std::vector<Value>& args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.buf += ' ';
    p.PrintArg(args[i], 'v', Spec());
  }
  return p.buf + "\n";
}

std::string Sprintf(std::string_view format, const std::vector<Value>& a) {
  Printer p;
  size_t arg_num = 0;
  bool reordered = false;
  size_t end = format.size();
  // Go's argNumber: an explicit [n] argument index.
  auto arg_number = [&](size_t& i, bool& good) -> bool {
    if (i >= end || format[i] != '[') return false;
    reordered = true;
    for (size_t j = i + 1; j < end; ++j) {
      if (format[j] == ']') {
        size_t k = i + 1;
        int n = 0;
        bool ok = ParseNum(format.substr(0, j), k, n) && k == j;
        i = j + 1;
        if (ok && n >= 1 && static_cast<size_t>(n) <= a.size()) {
          arg_num = n - 1;
          return true;
        }
        good = false;
        return ok;
      }
    }
    ++i;
    good = false;
    return false;
  };
  auto int_from_arg = [&](int& out) {
    bool ok = false;
    if (arg_num < a.size()) {
      if (a[arg_num].kind == Kind::kInt && a[arg_num].i <= kTooLarge &&
          a[arg_num].i >= -kTooLarge) {
        out = static_cast<int>(a[arg_num].i);
        ok = true;
      }
      ++arg_num;
    }
    if (!ok) out = 0;
    return ok;
  };
  for (size_t i = 0; i < end;) {
    size_t last = i;
    while (i < end && format[i] != '%') ++i;
    p.buf.append(format.substr(last, i - last));
    if (i >= end) break;
    ++i;
    Spec f;
    bool good = true;
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') {
        f.sharp = true;
      } else if (c == '0') {
        f.zero = !f.minus;
      } else if (c == '+') {
        f.plus = true;
      } else if (c == '-') {
        f.minus = true;
        f.zero = false;
      } else if (c == ' ') {
        f.space = true;
      } else {
        break;
      }
    }
    bool after_index = arg_number(i, good);
    if (i < end && format[i] == '*') {
      ++i;
      f.wid_present = int_from_arg(f.wid);
      if (!f.wid_present) p.buf += "%!(BADWIDTH)";
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      after_index = false;
    } else {
      f.wid_present = ParseNum(format, i, f.wid);
      if (after_index && f.wid_present) good = false;
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good = false;
      after_index = arg_number(i, good);
      if (i < end && format[i] == '*') {
        ++i;
        f.prec_present = int_from_arg(f.prec);
        if (f.prec < 0) {
          f.prec = 0;
          f.prec_present = false;
        }
        if (!f.prec_present) p.buf += "%!(BADPREC)";
        after_index = false;
      } else {
        f.prec_present = ParseNum(format, i, f.prec);
        if (!f.prec_present) {
          f.prec = 0;
          f.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = arg_number(i, good);
    if (i >= end) {
      p.buf += "%!(NOVERB)";
      break;
    }
    char verb = format[i++];
    if (verb == '%') {
      p.buf += '%';
    } else if (!good) {
      p.buf += std::string("%!") + verb + "(BADINDEX)";
    } else if (arg_num >= a.size()) {
      p.buf += std::string("%!") + verb + "(MISSING)";
    } else {
      if (verb == 'v') {
        f.sharp_v = f.sharp;
        f.sharp = false;
        f.plus_v = f.plus;
        f.plus = false;
      }
      p.PrintArg(a[arg_num++], verb, f);
    }
  }
  if (!reordered && arg_num < a.size()) {
    p.buf += "%!(EXTRA ";
    for (size_t i = arg_num; i < a.size(); ++i) {
      if (i > arg_num) p.buf += ", ";
      if (a[i].kind == Kind::kNil || a[i].kind == Kind::kInvalid) {
        p.buf += "<nil>";
      } else {
        p.buf += TypeName(a[i]) + "=";
        p.PrintArg(a[i], 'v', Spec());
      }
    }
    p.buf += ')';
  }
  return p.buf;
}

std::string FormatG(double value, int precision) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
  return buf;
}

}  // namespace sidecar::rules::tmpl
