// Go's time.Time as templates meet it through toTime: its String() form, Format with Go's
// reference-time layouts, and the methods a template can call on it (.Unix, .Format "...",
// .Year...). Times here are UTC with millisecond precision, as Prometheus' toTime makes them.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "agent/rules/template_internal.h"

namespace sidecar::rules::tmpl {
namespace {

[[noreturn]] void Fail(std::string message) { throw Error{std::move(message)}; }

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

struct Civil {
  int64_t year, month, day, hour, minute, second, nanos, weekday, yday;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

Civil ToCivil(int64_t ms) {
  Civil c{};
  int64_t secs = FloorDiv(ms, 1000);
  c.nanos = (ms - secs * 1000) * 1000000;
  int64_t days = FloorDiv(secs, 86400);
  int64_t rem = secs - days * 86400;
  c.hour = rem / 3600;
  c.minute = rem / 60 % 60;
  c.second = rem % 60;
  c.weekday = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  static constexpr int kCumulative[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kCumulative[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

std::string Pad(int64_t v, int width, char fill = '0') {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), fill);
  return v < 0 ? "-" + s : s;
}

bool StartsWithLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }

// Appends the value of the layout element at the start of `rest` and consumes it; false when
// `rest` does not start with one (the caller copies one literal byte).
bool FormatElement(std::string_view& rest, const Civil& c, std::string& out) {
  auto take = [&](size_t n, const std::string& value) {
    rest.remove_prefix(n);
    out += value;
    return true;
  };
  std::string_view l = rest;
  switch (l[0]) {
    case 'J':
      if (l.starts_with("January")) return take(7, kMonths[c.month - 1]);
      if (l.starts_with("Jan") && !StartsWithLower(l.substr(3))) {
        return take(3, std::string(kMonths[c.month - 1], 3));
      }
      return false;
    case 'M':
      if (l.starts_with("Monday")) return take(6, kDays[c.weekday]);
      if (l.starts_with("Mon") && !StartsWithLower(l.substr(3))) {
        return take(3, std::string(kDays[c.weekday], 3));
      }
      if (l.starts_with("MST")) return take(3, "UTC");
      return false;
    case '0':
      if (l.size() >= 2 && l[1] >= '1' && l[1] <= '6') {
        int64_t values[] = {c.month,  c.day,    c.hour % 12 == 0 ? 12 : c.hour % 12,
                            c.minute, c.second, ((c.year % 100) + 100) % 100};
        return take(2, Pad(values[l[1] - '1'], 2));
      }
      if (l.starts_with("002")) return take(3, Pad(c.yday, 3));
      return false;
    case '1':
      if (l.starts_with("15")) return take(2, Pad(c.hour, 2));
      return take(1, std::to_string(c.month));
    case '2':
      if (l.starts_with("2006")) return take(4, Pad(c.year, 4));
      return take(1, std::to_string(c.day));
    case '_':
      if (l.starts_with("_2006")) return take(5, "_" + Pad(c.year, 4));
      if (l.starts_with("_2")) return take(2, Pad(c.day, 2, ' '));
      if (l.starts_with("__2")) return take(3, Pad(c.yday, 3, ' '));
      return false;
    case '3':
      return take(1, std::to_string(c.hour % 12 == 0 ? 12 : c.hour % 12));
    case '4':
      return take(1, std::to_string(c.minute));
    case '5':
      return take(1, std::to_string(c.second));
    case 'P':
      if (l.starts_with("PM")) return take(2, c.hour >= 12 ? "PM" : "AM");
      return false;
    case 'p':
      if (l.starts_with("pm")) return take(2, c.hour >= 12 ? "pm" : "am");
      return false;
    case '-':
    case 'Z': {
      // UTC: numeric zones print zeros, ISO 8601 ones print Z.
      static constexpr std::string_view kZones[] = {"070000", "07:00:00", "0700", "07:00", "07"};
      static constexpr std::string_view kNumeric[] = {"+000000", "+00:00:00", "+0000", "+00:00",
                                                      "+00"};
      for (size_t k = 0; k < std::size(kZones); ++k) {
        if (l.substr(1).starts_with(kZones[k])) {
          return take(1 + kZones[k].size(), l[0] == 'Z' ? "Z" : std::string(kNumeric[k]));
        }
      }
      return false;
    }
    case '.':
    case ',': {
      if (l.size() < 2 || (l[1] != '0' && l[1] != '9')) return false;
      size_t j = 1;
      while (j < l.size() && l[j] == l[1]) ++j;
      if (j < l.size() && l[j] >= '0' && l[j] <= '9') return false;
      size_t digits = std::min<size_t>(j - 1, 9);
      std::string frac = Pad(c.nanos, 9).substr(0, digits);
      if (l[1] == '9') {
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        if (frac.empty()) return take(j, "");
      }
      return take(j, std::string(1, l[0]) + frac);
    }
    default:
      return false;
  }
}

}  // namespace

std::string FormatTimeLayout(int64_t ms, std::string_view layout) {
  Civil c = ToCivil(ms);
  std::string out;
  while (!layout.empty()) {
    if (!FormatElement(layout, c, out)) {
      out += layout[0];
      layout.remove_prefix(1);
    }
  }
  return out;
}

std::string FormatTime(int64_t ms) {
  return FormatTimeLayout(ms, "2006-01-02 15:04:05.999999999 -0700 MST");
}

namespace {

Value CallTimeMethod(int64_t ms, std::string_view name, const std::vector<Value>& args) {
  Civil c = ToCivil(ms);
  if (name == "Format") return Value::String(FormatTimeLayout(ms, args[0].s));
  if (name == "String") return Value::String(FormatTime(ms));
  if (name == "Unix") return Value::Int(FloorDiv(ms, 1000));
  if (name == "UnixMilli") return Value::Int(ms);
  if (name == "UnixNano") return Value::Int(ms * 1000000);
  if (name == "Year") return Value::Int(c.year);
  if (name == "Month") return Value::String(kMonths[c.month - 1]);
  if (name == "Day") return Value::Int(c.day);
  if (name == "Hour") return Value::Int(c.hour);
  if (name == "Minute") return Value::Int(c.minute);
  if (name == "Second") return Value::Int(c.second);
  if (name == "Nanosecond") return Value::Int(c.nanos);
  if (name == "YearDay") return Value::Int(c.yday);
  if (name == "Weekday") return Value::String(kDays[c.weekday]);
  if (name == "IsZero") return Value::Bool(false);
  if (name == "UTC" || name == "Local") {
    Value t = Value::Make(Kind::kTime);
    t.i = ms;
    return t;
  }
  Fail("no method " + std::string(name));
}

}  // namespace

std::optional<Function> FindTimeMethod(std::string_view name) {
  static constexpr std::string_view kMethods[] = {
      "Format", "String", "Unix",       "UnixMilli", "UnixNano", "Year",   "Month", "Day",  "Hour",
      "Minute", "Second", "Nanosecond", "YearDay",   "Weekday",  "IsZero", "UTC",   "Local"};
  for (std::string_view m : kMethods) {
    if (m != name) continue;
    Function method{m, {}, false, [](const CallContext& ctx, std::vector<Value>& args) {
                      return CallTimeMethod(ctx.receiver->i, ctx.method, args);
                    }};
    if (m == "Format") method.params = {Param::kString};
    return method;
  }
  return std::nullopt;
}

}  // namespace sidecar::rules::tmpl
