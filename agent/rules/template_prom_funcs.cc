// Prometheus' own template functions (template/template.go in 2.42): humanize*, toTime,
// title, toUpper, toLower, match, reReplaceAll, safeHtml, stripPort, stripDomain, args,
// externalURL, pathPrefix, graphLink, tableLink, parseDuration. The query-result functions
// (first, label, value, strvalue, sortByLabel) exist so that templates parse as in Prometheus,
// but no query result can reach them: `query` is refused when the template is checked.
#include <arpa/inet.h>
#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "agent/rules/template_internal.h"

namespace sidecar::rules::tmpl {
namespace {

[[noreturn]] void Fail(std::string message) { throw Error{std::move(message)}; }

const char* kNilDeref = "runtime error: invalid memory address or nil pointer dereference";

// ---- Helpers shared by Prometheus' functions.

// strconv.ParseFloat(s, 64).
double ParseFloat(const std::string& s) {
  auto syntax = [&]() { Fail("strconv.ParseFloat: parsing " + GoQuote(s) + ": invalid syntax"); };
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) syntax();
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view body = lower;
  if (body[0] == '+' || body[0] == '-') body.remove_prefix(1);
  if (body.find('(') != std::string_view::npos) syntax();
  bool hex = body.starts_with("0x");
  if (hex && body.find('p') == std::string_view::npos) syntax();
  if (!hex && body != "inf" && body != "infinity" && body != "nan" &&
      body.find_first_not_of("0123456789.e+-_") != std::string_view::npos) {
    syntax();
  }
  std::string clean;
  for (char c : s) {
    if (c != '_') clean += c;
  }
  if (clean.size() != s.size() && !hex) syntax();
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) syntax();
  if (errno == ERANGE && std::isinf(v)) {
    Fail("strconv.ParseFloat: parsing " + GoQuote(s) + ": value out of range");
  }
  return v;
}

// Prometheus' convertToFloat.
double ToFloat(const Value& v) {
  switch (v.kind) {
    case Kind::kFloat:
      return v.f;
    case Kind::kInt:
      return static_cast<double>(v.i);
    case Kind::kString:
      return ParseFloat(v.s);
    default:
      Fail("can't convert " + TypeName(v) + " to float");
  }
}

std::string Humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return FormatG(v, 4);
  if (std::fabs(v) >= 1) {
    const char* prefix = "";
    for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return FormatG(v, 4) + prefix;
  }
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return FormatG(v, 4) + prefix;
}

std::string Humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return FormatG(v, 4);
  const char* prefix = "";
  for (const char* p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return FormatG(v, 4) + prefix;
}

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return FormatG(v, 4);
  if (v == 0) return FormatG(v, 4) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    int64_t duration = v >= 9.223372036854775807e18 ? std::numeric_limits<int64_t>::min()
                                                    : static_cast<int64_t>(v);
    int64_t seconds = duration % 60;
    int64_t minutes = (duration / 60) % 60;
    int64_t hours = (duration / 60 / 60) % 24;
    int64_t days = duration / 60 / 60 / 24;
    auto s = [](int64_t n) { return std::to_string(n); };
    if (days != 0) {
      return sign + s(days) + "d " + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    }
    if (hours != 0) return sign + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    if (minutes != 0) return sign + s(minutes) + "m " + s(seconds) + "s";
    return sign + FormatG(v, 4) + "s";
  }
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return FormatG(v, 4) + prefix + "s";
}

// Prometheus' floatToTime: seconds to a time truncated to milliseconds.
Value FloatToTime(double v) {
  if (std::isnan(v) || std::isinf(v)) Fail("value is NaN or Inf");
  double ns = v * 1e9;
  if (ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18) {
    Fail(Sprint({Value::Float(v)}) +
         " cannot be represented as a nanoseconds timestamp since it overflows int64");
  }
  int64_t nanos = ns >= 9.223372036854775807e18 ? std::numeric_limits<int64_t>::min()
                                                : static_cast<int64_t>(ns);
  Value t = Value::Make(Kind::kTime);
  t.i = nanos / 1000000;
  return t;
}

// net.SplitHostPort; false on any error.
bool SplitHostPort(const std::string& hp, std::string& host, std::string& port) {
  size_t i = hp.rfind(':');
  if (i == std::string::npos) return false;
  size_t j = 0, k = 0;
  if (!hp.empty() && hp[0] == '[') {
    size_t end = hp.find(']');
    if (end == std::string::npos || end + 1 != i) return false;
    host = hp.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    host = hp.substr(0, i);
    if (host.find(':') != std::string::npos) return false;
  }
  if (hp.find('[', j) != std::string::npos) return false;
  if (hp.find(']', k) != std::string::npos) return false;
  port = hp.substr(i + 1);
  return true;
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// regexp.Compile's error text for RE2's codes: error parsing regexp: <what>: `<where>`.
std::string RegexpError(const RE2& re) {
  const char* what = "invalid or unsupported Perl syntax";
  switch (re.error_code()) {
    case RE2::ErrorBadEscape:
      what = "invalid escape sequence";
      break;
    case RE2::ErrorBadCharClass:
      what = "invalid character class";
      break;
    case RE2::ErrorBadCharRange:
      what = "invalid character class range";
      break;
    case RE2::ErrorMissingBracket:
      what = "missing closing ]";
      break;
    case RE2::ErrorMissingParen:
      what = "missing closing )";
      break;
    case RE2::ErrorTrailingBackslash:
      what = "trailing backslash at end of expression";
      break;
    case RE2::ErrorRepeatArgument:
      what = "missing argument to repetition operator";
      break;
    case RE2::ErrorRepeatSize:
      what = "invalid repeat count";
      break;
    case RE2::ErrorRepeatOp:
      what = "invalid nested repetition operator";
      break;
    case RE2::ErrorBadUTF8:
      what = "invalid UTF-8";
      break;
    case RE2::ErrorBadNamedCapture:
      what = "invalid named capture";
      break;
    default:
      break;
  }
  return "error parsing regexp: " + std::string(what) + ": `" + re.error_arg() + "`";
}

// regexp's quote(): backquoted when strconv.CanBackquote allows it.
std::string BackQuote(const std::string& s) {
  for (char c : s) {
    if (c == '`' || (static_cast<unsigned char>(c) < ' ' && c != '\t') || c == 0x7f) {
      return GoQuote(s);
    }
  }
  return "`" + s + "`";
}

std::unique_ptr<RE2> Compile(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  return re;
}

// Regexp.ReplaceAllString: Go's iteration over matches and its $1 / ${name} expansion.
std::string ReplaceAll(const RE2& re, std::string_view src, std::string_view repl) {
  int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> m(ngroups);
  const auto& names = re.NamedCapturingGroups();
  auto expand = [&](std::string& out) {
    std::string_view t = repl;
    while (!t.empty()) {
      size_t d = t.find('$');
      if (d == std::string_view::npos) break;
      out += t.substr(0, d);
      t.remove_prefix(d + 1);
      if (!t.empty() && t[0] == '$') {
        out += '$';
        t.remove_prefix(1);
        continue;
      }
      bool brace = !t.empty() && t[0] == '{';
      std::string_view s = brace ? t.substr(1) : t;
      size_t n = 0;
      while (n < s.size() && (std::isalnum(static_cast<unsigned char>(s[n])) || s[n] == '_' ||
                              static_cast<unsigned char>(s[n]) >= 0x80)) {
        ++n;
      }
      if (n == 0 || (brace && (n >= s.size() || s[n] != '}'))) {
        out += '$';
        continue;
      }
      std::string name(s.substr(0, n));
      t = s.substr(n + (brace ? 1 : 0));
      int num = 0;
      for (char c : name) {
        if (c < '0' || c > '9' || num >= 100000000) {
          num = -1;
          break;
        }
        num = num * 10 + (c - '0');
      }
      if (name[0] == '0' && name.size() > 1) num = -1;
      if (num < 0) {
        auto it = names.find(name);
        num = it == names.end() ? -1 : it->second;
      }
      if (num >= 0 && num < ngroups && m[num].data() != nullptr) {
        out.append(m[num].data(), m[num].size());
      }
    }
    out += t;
  };
  std::string out;
  size_t last_end = 0;
  size_t search = 0;
  while (search <= src.size()) {
    if (!re.Match(src, search, src.size(), RE2::UNANCHORED, m.data(), ngroups)) break;
    size_t a0 = m[0].data() - src.data();
    size_t a1 = a0 + m[0].size();
    out += src.substr(last_end, a0 - last_end);
    if (a1 > last_end || a0 == 0) expand(out);
    last_end = a1;
    size_t width = 0;
    if (search < src.size()) {
      unsigned char c = static_cast<unsigned char>(src[search]);
      width = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      width = std::min(width, src.size() - search);
    }
    if (search + width > a1) {
      search += width;
    } else if (search + 1 > a1) {
      ++search;
    } else {
      search = a1;
    }
  }
  out += src.substr(last_end);
  return out;
}
int32_t MapRune(int32_t r, bool upper) {
  if (r < 0x80) return upper ? std::toupper(r) : std::tolower(r);
  locale_t locale = Utf8Locale();
  if (locale == static_cast<locale_t>(0)) return r;
  return static_cast<int32_t>(upper ? towupper_l(r, locale) : towlower_l(r, locale));
}

// strings.Title's notion of a word separator.
bool IsSeparator(int32_t r) {
  if (r < 0x80) return !(std::isalnum(r) || r == '_');
  locale_t locale = Utf8Locale();
  if (locale == static_cast<locale_t>(0)) return false;
  if (iswalpha_l(r, locale) || iswdigit_l(r, locale)) return false;
  return iswspace_l(r, locale);
}

// strings.Map over runes, as ToUpper, ToLower and Title use it: an invalid byte becomes
// U+FFFD. `title` upper-cases only the first rune of each word.
std::string MapRunes(std::string_view s, bool upper, bool title) {
  std::string out;
  int32_t prev = ' ';
  for (size_t i = 0; i < s.size();) {
    size_t width = 1;
    int32_t r = DecodeRune(s, i, width);
    i += width;
    if (r < 0) {
      AppendRune(0xFFFD, out);
      prev = 0xFFFD;
      continue;
    }
    AppendRune(title && !IsSeparator(prev) ? r : MapRune(r, upper), out);
    prev = r;
  }
  return out;
}

// model.ParseDuration (Prometheus' duration syntax: 1y2w3d4h5m6s7ms, each unit at most once
// and in this order), in seconds.
double ParseDuration(const std::string& s) {
  auto invalid = [&]() { Fail("not a valid duration string: " + GoQuote(s)); };
  if (s == "0") return 0;
  if (s.empty()) invalid();
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {{"y", 365LL * 24 * 3600 * 1000},
                                                                    {"w", 7LL * 24 * 3600 * 1000},
                                                                    {"d", 24LL * 3600 * 1000},
                                                                    {"h", 3600LL * 1000},
                                                                    {"m", 60LL * 1000},
                                                                    {"s", 1000},
                                                                    {"ms", 1}};
  size_t next_unit = 0;
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 18) invalid();
    int64_t n = std::stoll(s.substr(start, i - start));
    size_t u = i;
    while (u < s.size() && (s[u] < '0' || s[u] > '9')) ++u;
    std::string_view unit(s.data() + i, u - i);
    size_t k = next_unit;
    while (k < std::size(kUnits) && kUnits[k].first != unit) ++k;
    if (k == std::size(kUnits)) invalid();
    if (n > std::numeric_limits<int64_t>::max() / kUnits[k].second) {
      Fail("invalid duration: " + s);
    }
    total_ms += n * kUnits[k].second;
    if (total_ms < 0) Fail("invalid duration: " + s);
    next_unit = k + 1;
    i = u;
  }
  return static_cast<double>(total_ms) / 1000.0;
}

std::string PathPrefix(const std::string& url) {
  size_t scheme = url.find("://");
  size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = url.find('/', host_start);
  if (path == std::string::npos) return "";
  size_t end = url.find_first_of("?#", path);
  return url.substr(path, end == std::string::npos ? std::string::npos : end - path);
}

using P = Param;
Value Str(std::string s) { return Value::String(std::move(s)); }

const Function kPrometheusFunctions[] = {
    // Prometheus' functions that need a query engine.
    {"query",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>&) -> Value {
       Fail("the agent does not run queries from templates");
     }},
    {"first",
     {P::kQueryResult},
     false,
     [](const CallContext&, std::vector<Value>&) -> Value {
       Fail("first() called on vector with no elements");
     }},
    {"label",
     {P::kString, P::kSample},
     false,
     [](const CallContext&, std::vector<Value>&) -> Value { Fail(kNilDeref); }},
    {"value",
     {P::kSample},
     false,
     [](const CallContext&, std::vector<Value>&) -> Value { Fail(kNilDeref); }},
    {"strvalue",
     {P::kSample},
     false,
     [](const CallContext&, std::vector<Value>&) -> Value { Fail(kNilDeref); }},
    {"sortByLabel",
     {P::kString, P::kQueryResult},
     false,
     [](const CallContext&, std::vector<Value>&) { return Value::Make(Kind::kQueryResult); }},
    // Prometheus' formatting functions.
    {"humanize",
     {P::kAny},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Str(Humanize(ToFloat(a[0]))); }},
    {"humanize1024",
     {P::kAny},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Str(Humanize1024(ToFloat(a[0]))); }},
    {"humanizeDuration",
     {P::kAny},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       return Str(HumanizeDuration(ToFloat(a[0])));
     }},
    {"humanizePercentage",
     {P::kAny},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       return Str(FormatG(ToFloat(a[0]) * 100, 4) + "%");
     }},
    {"humanizeTimestamp",
     {P::kAny},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       double v = ToFloat(a[0]);
       if (std::isnan(v) || std::isinf(v)) return Str(FormatG(v, 4));
       return Str(FormatTime(FloatToTime(v).i));
     }},
    {"toTime",
     {P::kAny},
     false,
     [](const CallContext&, std::vector<Value>& a) { return FloatToTime(ToFloat(a[0])); }},
    {"title",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Str(MapRunes(a[0].s, true, true)); }},
    {"toUpper",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Str(MapRunes(a[0].s, true, false)); }},
    {"toLower",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Str(MapRunes(a[0].s, false, false)); }},
    {"match",
     {P::kString, P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       auto re = Compile(a[0].s);
       if (!re->ok()) Fail(RegexpError(*re));
       return Value::Bool(RE2::PartialMatch(a[1].s, *re));
     }},
    {"reReplaceAll",
     {P::kString, P::kString, P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       auto re = Compile(a[0].s);
       if (!re->ok()) Fail("regexp: Compile(" + BackQuote(a[0].s) + "): " + RegexpError(*re));
       return Str(ReplaceAll(*re, a[2].s, a[1].s));
     }},
    {"safeHtml",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::String(a[0].s, Kind::kHtml); }},
    {"stripPort",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       std::string host, port;
       return SplitHostPort(a[0].s, host, port) ? Str(host) : a[0];
     }},
    {"stripDomain",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       std::string host, port;
       if (!SplitHostPort(a[0].s, host, port)) {
         host = a[0].s;
         port.clear();
       }
       if (IsIp(host)) return a[0];
       host = host.substr(0, host.find('.'));
       if (port.empty()) return Str(host);
       return Str(host.find(':') != std::string::npos ? "[" + host + "]:" + port
                                                      : host + ":" + port);
     }},
    {"args",
     {P::kAny},
     true,
     [](const CallContext&, std::vector<Value>& a) {
       auto map = std::make_shared<AnyMap>();
       for (size_t i = 0; i < a.size(); ++i) (*map)["arg" + std::to_string(i)] = a[i];
       Value v = Value::Make(Kind::kAnyMap);
       v.any_map = std::move(map);
       return v;
     }},
    {"externalURL",
     {},
     false,
     [](const CallContext& ctx, std::vector<Value>&) { return Str(ctx.data->external_url); }},
    {"pathPrefix",
     {},
     false,
     [](const CallContext& ctx, std::vector<Value>&) {
       return Str(PathPrefix(ctx.data->external_url));
     }},
    {"graphLink",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       return Str("/graph?g0.expr=" + QueryEscape(a[0].s) + "&g0.tab=0");
     }},
    {"tableLink",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) {
       return Str("/graph?g0.expr=" + QueryEscape(a[0].s) + "&g0.tab=1");
     }},
    {"parseDuration",
     {P::kString},
     false,
     [](const CallContext&, std::vector<Value>& a) { return Value::Float(ParseDuration(a[0].s)); }},
};

}  // namespace

std::span<const Function> PrometheusFunctions() { return kPrometheusFunctions; }

}  // namespace sidecar::rules::tmpl
