// Tests of agent/rules/template.h. The expected texts were produced by promtool 2.42
// (`promtool test rules` prints the actual expansion of an annotation on a mismatch, and
// `promtool check rules` the parse error), so the tables pin Prometheus' exact output. The
// exceptions are what promtool cannot show: external labels and URL (unset in its unit tests),
// the refusal of `query`, and the agent's bounds on nesting and execution.
#include "agent/rules/template.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

namespace sidecar::rules {
namespace {

TemplateData Data(double value = 1) {
  TemplateData data;
  data.labels = {{"__name__", "m"}, {"instance", "host-1.example.com:9090"}, {"job", "api"}};
  data.value = value;
  data.external_labels = {{"region", "eu"}};
  data.external_url = "http://prom.example.com:9090/prefix";
  return data;
}

double ParseValue(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// Expands `text` and returns the text, or "ERROR: <message>".
std::string Expand(const std::string& text, const TemplateData& data = Data()) {
  auto result = ExpandTemplate("__alert_A", text, data);
  return result.ok() ? *result : "ERROR: " + result.status().message();
}

struct Case {
  std::string text;
  std::string want;  // the expansion, or "ERROR: " followed by a substring of the error
};

void CheckCases(const std::vector<Case>& cases, const TemplateData& data = Data()) {
  for (const Case& c : cases) {
    INFO("template: " << c.text);
    std::string got = Expand(c.text, data);
    if (c.want.starts_with("ERROR: ")) {
      REQUIRE(got.starts_with("ERROR: "));
      CHECK_THAT(got, Catch::Contains(c.want.substr(7)));
    } else {
      CHECK(got == c.want);
    }
  }
}

TEST_CASE("Template: labels, value and external data expand as in Prometheus",
          "[rules][template]") {
  CheckCases({
      {"{{ $labels.job }} on {{ $labels.instance }}", "api on host-1.example.com:9090"},
      {"{{ .Labels.job }}/{{ $value }}/{{ .Value }}", "api/1/1"},
      {"[{{ $labels.nope }}][{{ .Labels.nope }}]", "[][]"},  // missingkey=zero
      {"{{ $externalLabels.region }} {{ $externalURL }}", "eu http://prom.example.com:9090/prefix"},
      {"{{ $labels }}", "map[__name__:m instance:host-1.example.com:9090 job:api]"},
      {"{{ index $labels \"job\" }}|{{ index $labels \"nope\" }}|", "api||"},
      {"plain text, no actions", "plain text, no actions"},
      {"", ""},
      {"{{ 1e6 }} {{ 1000000.0 }} {{ 1e3 }} {{ 1.0 }} {{ 0x10 }} {{ 1_000 }} {{ 'a' }} {{ -1.5 }}",
       "1e+06 1e+06 1000 1 16 1000 97 -1.5"},
      {"{{ 07 }} {{ 0b11 }} {{ `raw\\n` }} {{ \"esc\\tx\\u00e9\" }} {{ true }}",
       "7 3 raw\\n esc\tx\xc3\xa9 true"},
      {"{{ args 1 \"a\" 2.5 }}", "map[arg0:1 arg1:a arg2:2.5]"},
      {"{{ (args 1 \"a\").arg1 }}", "a"},
  });
}

TEST_CASE("Template: $value prints as Go's %v of a float64", "[rules][template]") {
  struct Row {
    std::string value, want;
  };
  const std::vector<Row> rows = {
      {"0", "0"},
      {"1", "1"},
      {"-1", "-1"},
      {"0.5", "0.5"},
      {"999", "999"},
      {"1000", "1000"},
      {"1234.5678", "1234.5678"},
      {"12345", "12345"},
      {"-12345", "-12345"},
      {"1e6", "1e+06"},
      {"1.5e9", "1.5e+09"},
      {"123456789012", "1.23456789012e+11"},
      {"1e21", "1e+21"},
      {"1e24", "1e+24"},
      {"1e27", "1e+27"},
      {"1e30", "1e+30"},
      {"0.001", "0.001"},
      {"0.0015", "0.0015"},
      {"1e-6", "1e-06"},
      {"1.234e-10", "1.234e-10"},
      {"1e-25", "1e-25"},
      {"1e-30", "1e-30"},
      {"NaN", "NaN"},
      {"Inf", "+Inf"},
      {"-Inf", "-Inf"},
      {"1023", "1023"},
      {"1024", "1024"},
      {"1048576", "1.048576e+06"},
      {"1.5e15", "1.5e+15"},
      {"59.99", "59.99"},
      {"60", "60"},
      {"61", "61"},
      {"3599", "3599"},
      {"3600", "3600"},
      {"3661", "3661"},
      {"86400", "86400"},
      {"90061", "90061"},
      {"-3661", "-3661"},
      {"0.1", "0.1"},
      {"1e-10", "1e-10"},
      {"0.12345", "0.12345"},
      {"0.999999", "0.999999"},
      {"2.5", "2.5"},
      {"100000", "100000"},
      {"123456", "123456"},
      {"0.0001", "0.0001"},
      {"0.00001", "1e-05"},
      {"1700000000", "1.7e+09"},
      {"1700000000.123", "1.700000000123e+09"},
      {"-0.0015", "-0.0015"},
      {"4.9e-324", "5e-324"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
  };
  for (const Row& r : rows) {
    INFO("value " << r.value);
    CHECK(Expand("{{ $value }}", Data(ParseValue(r.value))) == r.want);
  }
}

TEST_CASE("Template: humanize functions format numbers exactly as Prometheus 2.42",
          "[rules][template]") {
  struct Row {
    std::string value, humanize, humanize1024, duration, percentage, timestamp;
  };
  const std::vector<Row> rows = {
      {"0", "0", "0", "0s", "0%", "1970-01-01 00:00:00 +0000 UTC"},
      {"1", "1", "1", "1s", "100%", "1970-01-01 00:00:01 +0000 UTC"},
      {"-1", "-1", "-1", "-1s", "-100%", "1969-12-31 23:59:59 +0000 UTC"},
      {"0.5", "500m", "0.5", "500ms", "50%", "1970-01-01 00:00:00.5 +0000 UTC"},
      {"999", "999", "999", "16m 39s", "9.99e+04%", "1970-01-01 00:16:39 +0000 UTC"},
      {"1000", "1k", "1000", "16m 40s", "1e+05%", "1970-01-01 00:16:40 +0000 UTC"},
      {"1234.5678", "1.235k", "1.206ki", "20m 34s", "1.235e+05%",
       "1970-01-01 00:20:34.567 +0000 UTC"},
      {"12345", "12.35k", "12.06ki", "3h 25m 45s", "1.234e+06%", "1970-01-01 03:25:45 +0000 UTC"},
      {"-12345", "-12.35k", "-12.06ki", "-3h 25m 45s", "-1.234e+06%",
       "1969-12-31 20:34:15 +0000 UTC"},
      {"1e6", "1M", "976.6ki", "11d 13h 46m 40s", "1e+08%", "1970-01-12 13:46:40 +0000 UTC"},
      {"1.5e9", "1.5G", "1.397Gi", "17361d 2h 40m 0s", "1.5e+11%", "2017-07-14 02:40:00 +0000 UTC"},
      {"123456789012", "123.5G", "115Gi", "1428898d 0h 30m 12s", "1.235e+13%",
       "ERROR: 1.23456789012e+11 cannot be represented as a nanoseconds timestamp since it "
       "overflows int64"},
      {"1e21", "1Z", "867.4Ei", "-106751991167300d -15h -30m -8s", "1e+23%",
       "ERROR: 1e+21 cannot be represented as a nanoseconds timestamp since it overflows int64"},
      {"1e24", "1Y", "847Zi", "-106751991167300d -15h -30m -8s", "1e+26%",
       "ERROR: 1e+24 cannot be represented as a nanoseconds timestamp since it overflows int64"},
      {"1e27", "1000Y", "827.2Yi", "-106751991167300d -15h -30m -8s", "1e+29%",
       "ERROR: 1e+27 cannot be represented as a nanoseconds timestamp since it overflows int64"},
      {"1e30", "1e+06Y", "8.272e+05Yi", "-106751991167300d -15h -30m -8s", "1e+32%",
       "ERROR: 1e+30 cannot be represented as a nanoseconds timestamp since it overflows int64"},
      {"0.001", "1m", "0.001", "1ms", "0.1%", "1970-01-01 00:00:00.001 +0000 UTC"},
      {"0.0015", "1.5m", "0.0015", "1.5ms", "0.15%", "1970-01-01 00:00:00.001 +0000 UTC"},
      {"1e-6", "1u", "1e-06", "1us", "0.0001%", "1970-01-01 00:00:00 +0000 UTC"},
      {"1.234e-10", "123.4p", "1.234e-10", "123.4ps", "1.234e-08%",
       "1970-01-01 00:00:00 +0000 UTC"},
      {"1e-25", "0.1y", "1e-25", "0.1ys", "1e-23%", "1970-01-01 00:00:00 +0000 UTC"},
      {"1e-30", "1e-06y", "1e-30", "1e-06ys", "1e-28%", "1970-01-01 00:00:00 +0000 UTC"},
      {"NaN", "NaN", "NaN", "NaN", "NaN%", "NaN"},
      {"Inf", "+Inf", "+Inf", "+Inf", "+Inf%", "+Inf"},
      {"-Inf", "-Inf", "-Inf", "-Inf", "-Inf%", "-Inf"},
      {"1023", "1.023k", "1023", "17m 3s", "1.023e+05%", "1970-01-01 00:17:03 +0000 UTC"},
      {"1024", "1.024k", "1ki", "17m 4s", "1.024e+05%", "1970-01-01 00:17:04 +0000 UTC"},
      {"1048576", "1.049M", "1Mi", "12d 3h 16m 16s", "1.049e+08%", "1970-01-13 03:16:16 +0000 UTC"},
      {"1.5e15", "1.5P", "1.332Pi", "17361111111d 2h 40m 0s", "1.5e+17%",
       "ERROR: 1.5e+15 cannot be represented as a nanoseconds timestamp since it overflows int64"},
      {"59.99", "59.99", "59.99", "59.99s", "5999%", "1970-01-01 00:00:59.99 +0000 UTC"},
      {"60", "60", "60", "1m 0s", "6000%", "1970-01-01 00:01:00 +0000 UTC"},
      {"61", "61", "61", "1m 1s", "6100%", "1970-01-01 00:01:01 +0000 UTC"},
      {"3599", "3.599k", "3.515ki", "59m 59s", "3.599e+05%", "1970-01-01 00:59:59 +0000 UTC"},
      {"3600", "3.6k", "3.516ki", "1h 0m 0s", "3.6e+05%", "1970-01-01 01:00:00 +0000 UTC"},
      {"3661", "3.661k", "3.575ki", "1h 1m 1s", "3.661e+05%", "1970-01-01 01:01:01 +0000 UTC"},
      {"86400", "86.4k", "84.38ki", "1d 0h 0m 0s", "8.64e+06%", "1970-01-02 00:00:00 +0000 UTC"},
      {"90061", "90.06k", "87.95ki", "1d 1h 1m 1s", "9.006e+06%", "1970-01-02 01:01:01 +0000 UTC"},
      {"-3661", "-3.661k", "-3.575ki", "-1h 1m 1s", "-3.661e+05%", "1969-12-31 22:58:59 +0000 UTC"},
      {"0.1", "100m", "0.1", "100ms", "10%", "1970-01-01 00:00:00.1 +0000 UTC"},
      {"1e-10", "100p", "1e-10", "100ps", "1e-08%", "1970-01-01 00:00:00 +0000 UTC"},
      {"0.12345", "123.5m", "0.1235", "123.5ms", "12.35%", "1970-01-01 00:00:00.123 +0000 UTC"},
      {"0.999999", "1000m", "1", "1000ms", "100%", "1970-01-01 00:00:00.999 +0000 UTC"},
      {"2.5", "2.5", "2.5", "2.5s", "250%", "1970-01-01 00:00:02.5 +0000 UTC"},
      {"100000", "100k", "97.66ki", "1d 3h 46m 40s", "1e+07%", "1970-01-02 03:46:40 +0000 UTC"},
      {"123456", "123.5k", "120.6ki", "1d 10h 17m 36s", "1.235e+07%",
       "1970-01-02 10:17:36 +0000 UTC"},
      {"0.0001", "100u", "0.0001", "100us", "0.01%", "1970-01-01 00:00:00 +0000 UTC"},
      {"0.00001", "10u", "1e-05", "10us", "0.001%", "1970-01-01 00:00:00 +0000 UTC"},
      {"1700000000", "1.7G", "1.583Gi", "19675d 22h 13m 20s", "1.7e+11%",
       "2023-11-14 22:13:20 +0000 UTC"},
      {"1700000000.123", "1.7G", "1.583Gi", "19675d 22h 13m 20s", "1.7e+11%",
       "2023-11-14 22:13:20.122 +0000 UTC"},
      {"-0.0015", "-1.5m", "-0.0015", "-1.5ms", "-0.15%", "1969-12-31 23:59:59.999 +0000 UTC"},
      {"4.9e-324", "4.941e-300y", "4.941e-324", "4.941e-300ys", "4.941e-322%",
       "1970-01-01 00:00:00 +0000 UTC"},
      {"1.7976931348623157e308", "1.798e+284Y", "1.487e+284Yi", "-106751991167300d -15h -30m -8s",
       "+Inf%",
       "ERROR: 1.7976931348623157e+308 cannot be represented as a nanoseconds timestamp since it "
       "overflows int64"},
  };
  for (const Row& r : rows) {
    INFO("value " << r.value);
    TemplateData data = Data(ParseValue(r.value));
    CHECK(Expand("{{ humanize $value }}", data) == r.humanize);
    CHECK(Expand("{{ $value | humanize1024 }}", data) == r.humanize1024);
    CHECK(Expand("{{ humanizeDuration $value }}", data) == r.duration);
    CHECK(Expand("{{ humanizePercentage $value }}", data) == r.percentage);
    std::string ts = Expand("{{ humanizeTimestamp $value }}", data);
    if (r.timestamp.starts_with("ERROR: ")) {
      CHECK_THAT(ts, Catch::Contains(r.timestamp.substr(7)));
    } else {
      CHECK(ts == r.timestamp);
    }
  }
}

TEST_CASE("Template: humanize functions take numeric strings and refuse others",
          "[rules][template]") {
  CheckCases({
      {"{{ humanize \"1234567\" }} {{ humanize1024 \"2048\" }} {{ humanizeDuration \"90\" }}",
       "1.235M 2ki 1m 30s"},
      {"{{ humanizePercentage \"0.1234\" }} {{ humanize 1500 }}", "12.34% 1.5k"},
      {"{{ humanize \"abc\" }}",
       "ERROR: error calling humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax"},
      {"{{ humanizeDuration \"x\" }}",
       "ERROR: error calling humanizeDuration: strconv.ParseFloat: parsing \"x\": invalid syntax"},
      {"{{ humanize true }}", "ERROR: error calling humanize: can't convert bool to float"},
      {"{{ humanizeTimestamp 1.5 }} {{ toTime 1.5 }}",
       "1970-01-01 00:00:01.5 +0000 UTC 1970-01-01 00:00:01.5 +0000 UTC"},
      {"{{ parseDuration \"1h30m\" }} {{ parseDuration \"1d\" }} {{ parseDuration \"0\" }}",
       "5400 86400 0"},
      {"{{ parseDuration \"1x\" }}", "ERROR: not a valid duration string: \"1x\""},
  });
}

TEST_CASE("Template: toTime results support Go's time methods and layouts", "[rules][template]") {
  CheckCases(
      {
          {"{{ (toTime $value).Format \"2006-01-02T15:04:05.000Z07:00 Mon Jan 2 3:4:5 PM pm MST "
           "-0700 -07:00 _2 002 06 .999 ,00 January Monday 01/02 03:04:05\" }}",
           "2023-11-14T22:13:20.122Z Tue Nov 14 10:13:20 PM pm UTC +0000 +00:00 14 318 23 .122 ,12 "
           "November Tuesday 11/14 10:13:20"},
      },
      Data(1700000000.123));
  CheckCases(
      {
          {"{{ (toTime $value).Unix }} {{ (toTime $value).Year }} {{ (toTime $value).Month }} "
           "{{ (toTime $value).Day }} {{ (toTime $value).Weekday }} {{ (toTime $value).YearDay }} "
           "{{ (toTime $value).Hour }}",
           "1700000000 2023 November 14 Tuesday 318 22"},
      },
      Data(1700000000));
  CheckCases(
      {
          {"{{ (toTime $value).Format \"2006-01-02 15:04:05.000\" }} {{ toTime $value }} "
           "{{ (toTime $value).Unix }}",
           "1969-12-31 23:59:58.500 1969-12-31 23:59:58.5 +0000 UTC -2"},
      },
      Data(-1.5));
  CheckCases({
      {"{{ with toTime $value }}{{ .Format \"15h04\" }} {{ .UnixMilli }}{{ end }}", "00h00 1000"},
      {"{{ (toTime $value).Foo }}", "ERROR: can't evaluate field Foo in type *time.Time"},
      {"{{ (toTime $value).Unix 1 }}", "ERROR: wrong number of args for Unix: want 0 got 1"},
      {"{{ (toTime $value).Format }}", "ERROR: wrong number of args for Format: want 1 got 0"},
      {"{{ humanizeTimestamp -62135596800 }}",
       "ERROR: error calling humanizeTimestamp: -6.21355968e+10 cannot be represented as a "
       "nanoseconds timestamp since it overflows int64"},
  });
}

TEST_CASE("Template: printf follows Go's fmt verbs on $value", "[rules][template]") {
  struct Row {
    std::string value, want;
  };
  const std::vector<Row> rows = {
      {"0",
       "0.00|0|0.000000e+00|  0.0|%!d(float64=0)|0000.000|+0.000e+00|0|0.00    |%!s(float64=0)"},
      {"1",
       "1.00|1|1.000000e+00|  1.0|%!d(float64=1)|0001.000|+1.000e+00|1|1.00    |%!s(float64=1)"},
      {"-1",
       "-1.00|-1|-1.000000e+00| -1.0|%!d(float64=-1)|-001.000|-1.000e+00|-1|-1.00   "
       "|%!s(float64=-1)"},
      {"0.5",
       "0.50|0.5|5.000000e-01|  0.5|%!d(float64=0.5)|0000.500|+5.000e-01|0.5|0.50    "
       "|%!s(float64=0.5)"},
      {"999",
       "999.00|999|9.990000e+02|999.0|%!d(float64=999)|0999.000|+9.990e+02|999|999.00  "
       "|%!s(float64=999)"},
      {"1000",
       "1000.00|1000|1.000000e+03|1000.0|%!d(float64=1000)|1000.000|+1.000e+03|1000|1000.00 "
       "|%!s(float64=1000)"},
      {"1234.5678",
       "1234.57|1234.5678|1.234568e+03|1234.6|%!d(float64=1234.5678)|1234.568|+1.235e+03|1234.5678|"
       "1234.57 |%!s(float64=1234.5678)"},
      {"12345",
       "12345.00|12345|1.234500e+04|12345.0|%!d(float64=12345)|12345.000|+1.234e+04|12345|12345.00|"
       "%!s(float64=12345)"},
      {"-12345",
       "-12345.00|-12345|-1.234500e+04|-12345.0|%!d(float64=-12345)|-12345.000|-1.234e+04|-12345|-"
       "12345.00|%!s(float64=-12345)"},
      {"1e6",
       "1000000.00|1e+06|1.000000e+06|1000000.0|%!d(float64=1e+06)|1000000.000|+1.000e+06|1E+06|"
       "1000000.00|%!s(float64=1e+06)"},
      {"1.5e9",
       "1500000000.00|1.5e+09|1.500000e+09|1500000000.0|%!d(float64=1.5e+09)|1500000000.000|+1."
       "500e+09|1.5E+09|1500000000.00|%!s(float64=1.5e+09)"},
      {"123456789012",
       "123456789012.00|1.23456789012e+11|1.234568e+11|123456789012.0|%!d(float64=1.23456789012e+"
       "11)|123456789012.000|+1.235e+11|1.23456789012E+11|123456789012.00|%!s(float64=1."
       "23456789012e+11)"},
      {"1e21",
       "1000000000000000000000.00|1e+21|1.000000e+21|1000000000000000000000.0|%!d(float64=1e+21)|"
       "1000000000000000000000.000|+1.000e+21|1E+21|1000000000000000000000.00|%!s(float64=1e+21)"},
      {"1e24",
       "999999999999999983222784.00|1e+24|1.000000e+24|999999999999999983222784.0|%!d(float64=1e+"
       "24)|999999999999999983222784.000|+1.000e+24|1E+24|999999999999999983222784.00|%!s(float64="
       "1e+24)"},
      {"1e27",
       "1000000000000000013287555072.00|1e+27|1.000000e+27|1000000000000000013287555072.0|%!d("
       "float64=1e+27)|1000000000000000013287555072.000|+1.000e+27|1E+27|"
       "1000000000000000013287555072.00|%!s(float64=1e+27)"},
      {"1e30",
       "1000000000000000019884624838656.00|1e+30|1.000000e+30|1000000000000000019884624838656.0|%!"
       "d(float64=1e+30)|1000000000000000019884624838656.000|+1.000e+30|1E+30|"
       "1000000000000000019884624838656.00|%!s(float64=1e+30)"},
      {"0.001",
       "0.00|0.001|1.000000e-03|  0.0|%!d(float64=0.001)|0000.001|+1.000e-03|0.001|0.00    "
       "|%!s(float64=0.001)"},
      {"0.0015",
       "0.00|0.0015|1.500000e-03|  0.0|%!d(float64=0.0015)|0000.002|+1.500e-03|0.0015|0.00    "
       "|%!s(float64=0.0015)"},
      {"1e-6",
       "0.00|1e-06|1.000000e-06|  0.0|%!d(float64=1e-06)|0000.000|+1.000e-06|1E-06|0.00    "
       "|%!s(float64=1e-06)"},
      {"1.234e-10",
       "0.00|1.234e-10|1.234000e-10|  "
       "0.0|%!d(float64=1.234e-10)|0000.000|+1.234e-10|1.234E-10|0.00    |%!s(float64=1.234e-10)"},
      {"1e-25",
       "0.00|1e-25|1.000000e-25|  0.0|%!d(float64=1e-25)|0000.000|+1.000e-25|1E-25|0.00    "
       "|%!s(float64=1e-25)"},
      {"1e-30",
       "0.00|1e-30|1.000000e-30|  0.0|%!d(float64=1e-30)|0000.000|+1.000e-30|1E-30|0.00    "
       "|%!s(float64=1e-30)"},
      {"NaN", "NaN|NaN|NaN|  NaN|%!d(float64=NaN)|     NaN|+NaN|NaN|NaN     |%!s(float64=NaN)"},
      {"Inf",
       "+Inf|+Inf|+Inf| +Inf|%!d(float64=+Inf)|    +Inf|+Inf|+Inf|+Inf    |%!s(float64=+Inf)"},
      {"-Inf",
       "-Inf|-Inf|-Inf| -Inf|%!d(float64=-Inf)|    -Inf|-Inf|-Inf|-Inf    |%!s(float64=-Inf)"},
      {"1023",
       "1023.00|1023|1.023000e+03|1023.0|%!d(float64=1023)|1023.000|+1.023e+03|1023|1023.00 "
       "|%!s(float64=1023)"},
      {"1024",
       "1024.00|1024|1.024000e+03|1024.0|%!d(float64=1024)|1024.000|+1.024e+03|1024|1024.00 "
       "|%!s(float64=1024)"},
      {"1048576",
       "1048576.00|1.048576e+06|1.048576e+06|1048576.0|%!d(float64=1.048576e+06)|1048576.000|+1."
       "049e+06|1.048576E+06|1048576.00|%!s(float64=1.048576e+06)"},
      {"1.5e15",
       "1500000000000000.00|1.5e+15|1.500000e+15|1500000000000000.0|%!d(float64=1.5e+15)|"
       "1500000000000000.000|+1.500e+15|1.5E+15|1500000000000000.00|%!s(float64=1.5e+15)"},
      {"59.99",
       "59.99|59.99|5.999000e+01| 60.0|%!d(float64=59.99)|0059.990|+5.999e+01|59.99|59.99   "
       "|%!s(float64=59.99)"},
      {"60",
       "60.00|60|6.000000e+01| 60.0|%!d(float64=60)|0060.000|+6.000e+01|60|60.00   "
       "|%!s(float64=60)"},
      {"61",
       "61.00|61|6.100000e+01| 61.0|%!d(float64=61)|0061.000|+6.100e+01|61|61.00   "
       "|%!s(float64=61)"},
      {"3599",
       "3599.00|3599|3.599000e+03|3599.0|%!d(float64=3599)|3599.000|+3.599e+03|3599|3599.00 "
       "|%!s(float64=3599)"},
      {"3600",
       "3600.00|3600|3.600000e+03|3600.0|%!d(float64=3600)|3600.000|+3.600e+03|3600|3600.00 "
       "|%!s(float64=3600)"},
      {"3661",
       "3661.00|3661|3.661000e+03|3661.0|%!d(float64=3661)|3661.000|+3.661e+03|3661|3661.00 "
       "|%!s(float64=3661)"},
      {"86400",
       "86400.00|86400|8.640000e+04|86400.0|%!d(float64=86400)|86400.000|+8.640e+04|86400|86400.00|"
       "%!s(float64=86400)"},
      {"90061",
       "90061.00|90061|9.006100e+04|90061.0|%!d(float64=90061)|90061.000|+9.006e+04|90061|90061.00|"
       "%!s(float64=90061)"},
      {"-3661",
       "-3661.00|-3661|-3.661000e+03|-3661.0|%!d(float64=-3661)|-3661.000|-3.661e+03|-3661|-3661."
       "00|%!s(float64=-3661)"},
      {"0.1",
       "0.10|0.1|1.000000e-01|  0.1|%!d(float64=0.1)|0000.100|+1.000e-01|0.1|0.10    "
       "|%!s(float64=0.1)"},
      {"1e-10",
       "0.00|1e-10|1.000000e-10|  0.0|%!d(float64=1e-10)|0000.000|+1.000e-10|1E-10|0.00    "
       "|%!s(float64=1e-10)"},
      {"0.12345",
       "0.12|0.12345|1.234500e-01|  0.1|%!d(float64=0.12345)|0000.123|+1.235e-01|0.12345|0.12    "
       "|%!s(float64=0.12345)"},
      {"0.999999",
       "1.00|0.999999|9.999990e-01|  1.0|%!d(float64=0.999999)|0001.000|+1.000e+00|0.999999|1.00   "
       " |%!s(float64=0.999999)"},
      {"2.5",
       "2.50|2.5|2.500000e+00|  2.5|%!d(float64=2.5)|0002.500|+2.500e+00|2.5|2.50    "
       "|%!s(float64=2.5)"},
      {"100000",
       "100000.00|100000|1.000000e+05|100000.0|%!d(float64=100000)|100000.000|+1.000e+05|100000|"
       "100000.00|%!s(float64=100000)"},
      {"123456",
       "123456.00|123456|1.234560e+05|123456.0|%!d(float64=123456)|123456.000|+1.235e+05|123456|"
       "123456.00|%!s(float64=123456)"},
      {"0.0001",
       "0.00|0.0001|1.000000e-04|  0.0|%!d(float64=0.0001)|0000.000|+1.000e-04|0.0001|0.00    "
       "|%!s(float64=0.0001)"},
      {"0.00001",
       "0.00|1e-05|1.000000e-05|  0.0|%!d(float64=1e-05)|0000.000|+1.000e-05|1E-05|0.00    "
       "|%!s(float64=1e-05)"},
      {"1700000000",
       "1700000000.00|1.7e+09|1.700000e+09|1700000000.0|%!d(float64=1.7e+09)|1700000000.000|+1."
       "700e+09|1.7E+09|1700000000.00|%!s(float64=1.7e+09)"},
      {"1700000000.123",
       "1700000000.12|1.700000000123e+09|1.700000e+09|1700000000.1|%!d(float64=1.700000000123e+09)|"
       "1700000000.123|+1.700e+09|1.700000000123E+09|1700000000.12|%!s(float64=1.700000000123e+"
       "09)"},
      {"-0.0015",
       "-0.00|-0.0015|-1.500000e-03| -0.0|%!d(float64=-0.0015)|-000.002|-1.500e-03|-0.0015|-0.00   "
       "|%!s(float64=-0.0015)"},
      {"4.9e-324",
       "0.00|5e-324|4.940656e-324|  0.0|%!d(float64=5e-324)|0000.000|+4.941e-324|5E-324|0.00    "
       "|%!s(float64=5e-324)"},
      {"1.7976931348623157e308",
       "1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895586"
       "3276687817154045895351438246423432132688946418276846754670353751698604991057655128207624549"
       "0090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738"
       "177180919299881250404026184124858368.00|1.7976931348623157e+308|1.797693e+308|"
       "1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895586"
       "3276687817154045895351438246423432132688946418276846754670353751698604991057655128207624549"
       "0090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738"
       "177180919299881250404026184124858368.0|%!d(float64=1.7976931348623157e+308)|"
       "1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895586"
       "3276687817154045895351438246423432132688946418276846754670353751698604991057655128207624549"
       "0090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738"
       "177180919299881250404026184124858368.000|+1.798e+308|1.7976931348623157E+308|"
       "1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895586"
       "3276687817154045895351438246423432132688946418276846754670353751698604991057655128207624549"
       "0090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738"
       "177180919299881250404026184124858368.00|%!s(float64=1.7976931348623157e+308)"},
  };
  const std::string text =
      "{{ printf \"%.2f|%g|%e|%5.1f|%d|%08.3f|%+.3e|%G|%-8.2f|%s\" $value $value $value $value "
      "$value $value $value $value $value $value }}";
  for (const Row& r : rows) {
    INFO("value " << r.value);
    CHECK(Expand(text, Data(ParseValue(r.value))) == r.want);
  }
}

TEST_CASE("Template: printf handles strings, integers, flags and argument errors like Go",
          "[rules][template]") {
  CheckCases({
      {"{{ printf \"%d|%s|%v|%5.2f|%-6s|%q|%x|%%|%d\" $value $value $value $value \"ab\" "
       "\"a\\\"b\" \"hi\" 3 }}",
       "%!d(float64=1)|%!s(float64=1)|1| 1.00|ab    |\"a\\\"b\"|6869|%|3"},
      {"{{ printf \"%d\" }}{{ printf \"%s\" \"a\" \"b\" }}", "%!d(MISSING)a%!(EXTRA string=b)"},
      {"{{ 1 | printf \"%d-%s\" \"a\" }} {{ \"x\" | printf \"%s%s\" \"y\" }}",
       "%!d(string=a)-%!s(int=1) yx"},
      {"{{ printf \"%s is %.1f%%\" $labels.job 99.5 }}", "api is 99.5%"},
      {"{{ printf \"%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U\" 42 42 42 255 255 8 5 65 65 65 }}",
       "   42|42   |00042|ff|FF|10|101|A|'A'|U+0041"},
      {"{{ printf \"%t %v %s\" true false \"s\" }}", "true false s"},
      {"{{ printf \"%.3s|%8.3s|%v\" \"abcdef\" \"abcdef\" $labels }}",
       "abc|     abc|map[__name__:m instance:host-1.example.com:9090 job:api]"},
      {"{{ printf \"%[2]s %[1]s\" \"a\" \"b\" }}", "b a"},
      {"{{ printf \"%*d|%-*d\" 4 7 3 7 }}", "   7|7  "},
      {"{{ printf \"abc%\" }}|{{ printf \"%!\" }}", "abc%!(NOVERB)|%!!(MISSING)"},
      {"{{ printf \"%z\" 1 }}", "%!z(int=1)"},
      {"{{ print 1 2 \"a\" \"b\" 3 }}|{{ println \"x\" 1 }}|", "1 2ab3|x 1\n|"},
  });
}

TEST_CASE("Template: if, else if, range, with and variables behave as in Go", "[rules][template]") {
  CheckCases({
      {"{{ if gt $value 0.5 }}high{{ else }}low{{ end }}", "high"},
      {"{{ if lt $value 0.5 }}low{{ else if lt $value 2.0 }}mid{{ else }}high{{ end }}", "mid"},
      {"{{ if eq $labels.job \"api\" \"web\" }}yes{{ end }}", "yes"},
      {"{{ if and $labels.job (not $labels.nope) }}ok{{ end }}", "ok"},
      {"{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
       "__name__=m;instance=host-1.example.com:9090;job=api;"},
      {"{{ range $labels }}<{{ . }}>{{ end }}", "<m><host-1.example.com:9090><api>"},
      {"{{ range $k, $v := $externalLabels }}{{ if eq $k \"zz\" }}{{ break }}{{ end }}{{ $v }}"
       "{{ end }}",
       "eu"},
      {"{{ range $k, $v := $labels }}{{ if eq $k \"instance\" }}{{ continue }}{{ end }}{{ $v }},"
       "{{ end }}",
       "m,api,"},
      {"{{ range .ExternalLabels }}x{{ else }}empty{{ end }}", "x"},
      {"{{ with $labels.job }}job={{ . }}{{ else }}none{{ end }}"
       "{{ with $labels.nope }}x{{ else }}none{{ end }}",
       "job=apinone"},
      {"{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}", "2"},
      {"{{ $n := len $labels }}{{ $n }} labels", "3 labels"},
      {"a  {{- $labels.job -}}  b {{/* a comment */}}c {{- /* trimmed */ -}} d", "aapib cd"},
      {"{{ $labels.job | toUpper | printf \"%s!\" }}", "API!"},
      {"{{ (printf \"%s-%s\" $labels.job \"x\") | len }}", "5"},
      {"{{ .Labels.job\n}} {{\n$value }}", "api 1"},
  });
}

TEST_CASE("Template: Go builtins compare, index and escape as in Go", "[rules][template]") {
  CheckCases({
      {"{{ and 1 0 }} {{ or 0 \"\" \"x\" }} {{ not 0 }} {{ and 1 \"y\" }}", "0 x true y"},
      {"{{ len \"abc\" }} {{ len $labels }} {{ slice \"abcdef\" 1 3 }} {{ index \"abc\" 1 }}",
       "3 3 bc 98"},
      {"{{ eq 1 1 }} {{ ne \"a\" \"b\" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 2.5 }} "
       "{{ ge \"b\" \"a\" }}",
       "true true true true false true"},
      {"{{ html \"<a href='x'>&\\\"\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;"},
      {"{{ js \"a'b\\\"<>&=\\\\\\n\" }}", "a\\'b\\\"\\u003C\\u003E\\u0026\\u003D\\\\\\u000A"},
      {"{{ urlquery \"a b&c/d~\" }}", "a+b%26c%2Fd~"},
      {"{{ printf \"%q|%+q\" \"\u00a0é😀\" \"é😀\" }}|{{ js \"\u00a0\u2028é😀\" }}|{{ printf \"%q\" "
       "8232 }}",
       "\"\\u00a0é😀\"|\"\\u00e9\\U0001f600\"|\\u00A0\\u2028é😀|'\\u2028'"},
      {"{{ if eq $value 1 }}y{{ end }}",
       "ERROR: at <eq $value 1>: error calling eq: incompatible types for comparison"},
      {"{{ lt $labels 1 }}", "ERROR: error calling lt: invalid type for comparison"},
      {"{{ len $value }}", "ERROR: error calling len: len of type float64"},
      {"{{ and }}", "ERROR: wrong number of args for and: want at least 1 got 0"},
      {"{{ index $labels 1 }}", "ERROR: value has type int; should be string"},
  });
}

TEST_CASE("Template: Prometheus string functions match Prometheus' output", "[rules][template]") {
  CheckCases({
      {"{{ title \"hello wORLD foo-bar x_y\" }}", "Hello WORLD Foo-Bar X_y"},
      {"{{ toUpper \"abc\" }} {{ toLower \"ABC\" }}", "ABC abc"},
      {"{{ toUpper \"straße ÿ àéîõü ǆ ωσς жё ﬁ\" }}|{{ toLower \"ÀÉÎÕÜ ΩΣ ЖЁ İ K\" }}|"
       "{{ title \"élan vital ñu jörg-ölaf 3d ωmega\" }}|{{ toUpper \"a\\xffb\" }}",
       "STRAßE Ÿ ÀÉÎÕÜ Ǆ ΩΣΣ ЖЁ ﬁ|àéîõü ωσ жё i k|Élan Vital Ñu Jörg-Ölaf 3d Ωmega|A\uFFFDB"},
      {"{{ safeHtml \"<b>\" }}", "<b>"},
      {"{{ stripDomain \"host-1.example.com:9090\" }} {{ stripDomain \"10.0.0.1:80\" }} "
       "{{ stripDomain \"a.b\" }} {{ stripPort \"[::1]:80\" }} {{ stripPort \"x\" }}",
       "host-1:9090 10.0.0.1:80 a ::1 x"},
      {"{{ $labels.instance | stripPort }}", "host-1.example.com"},
      {"{{ reReplaceAll \"(a+)\" \"<$1>\" \"caab\" }} {{ reReplaceAll \"x*\" \"-\" \"abc\" }}",
       "c<aa>b -a-b-c-"},
      {"{{ reReplaceAll \"(?P<host>[^:]+):(\\\\d+)\" \"${host} port $2$$\" $labels.instance }}",
       "host-1.example.com port 9090$"},
      {"{{ if match \"^api$\" $labels.job }}api{{ end }} {{ match \"b\" \"abc\" }}", "api true"},
      {"{{ reReplaceAll \"(\" \"x\" \"y\" }}",
       "ERROR: error calling reReplaceAll: regexp: Compile(`(`): error parsing regexp: missing "
       "closing ): `(`"},
      {"{{ graphLink \"up{a=\\\"b c\\\"}\" }} {{ tableLink \"x\" }}",
       "/graph?g0.expr=up%7Ba%3D%22b+c%22%7D&g0.tab=0 /graph?g0.expr=x&g0.tab=1"},
      {"{{ externalURL }} {{ pathPrefix }}", "http://prom.example.com:9090/prefix /prefix"},
      {"{{ first nil }}", "ERROR: error calling first: first() called on vector with no elements"},
      {"{{ sortByLabel \"a\" nil }}", "[]"},
  });
}

TEST_CASE("Template: execution errors name the template and position as Go does",
          "[rules][template]") {
  // Positions count the 112-byte prefix Prometheus puts before every alert template.
  CheckCases({
      {"{{ .Labels.nope }}|{{ $labels.nope }}|{{ .Foo }}",
       "ERROR: error executing template __alert_A: template: __alert_A:1:153: executing "
       "\"__alert_A\" at <.Foo>: can't evaluate field Foo in type struct { Labels "
       "map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }"},
      {"{{ toUpper $value }}",
       "ERROR: template: __alert_A:1:123: executing \"__alert_A\" at <$value>: wrong type for "
       "value; expected string; got float64"},
      {"{{ toUpper 1 }}",
       "ERROR: __alert_A:1:123: executing \"__alert_A\" at <1>: expected "
       "string; found 1"},
      {"{{ .Labels.nope.x }}",
       "ERROR: __alert_A:1:122: executing \"__alert_A\" at <.Labels.nope.x>: can't evaluate "
       "field x in type string"},
      {"{{ $value.x }}", "ERROR: __alert_A:1:121: executing \"__alert_A\" at <$value.x>"},
      {"{{ nil }}", "ERROR: at <nil>: nil is not a command"},
      {"{{ first 1 }}", "ERROR: at <1>: can't handle 1 for arg of type template.queryResult"},
      {"{{ value nil }}",
       "ERROR: error calling value: runtime error: invalid memory address or nil pointer "
       "dereference"},
      {"x\n  {{ humanize \"y\" }}",
       "ERROR: template: __alert_A:2:5: executing \"__alert_A\" at <humanize \"y\">"},
      {"{{ 1 2 }}", "ERROR: can't give argument to non-function 1"},
  });
}

TEST_CASE("Template: parse errors name the template and line as Go does", "[rules][template]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{{ foo }}", "template: __alert_A:1: function \"foo\" not defined"},
      {"{{ if }}", "template: __alert_A:1: missing value for if"},
      {"{{ end }}", "template: __alert_A:1: unexpected {{end}}"},
      {"{{ else }}", "template: __alert_A:1: unexpected {{else}}"},
      {"{{ if true }}x", "template: __alert_A:1: unexpected EOF"},
      {"{{ range $labels }}{{ else }}{{ else }}{{ end }}",
       "template: __alert_A:1: expected end; found {{else}}"},
      {"{{ }}", "template: __alert_A:1: missing value for command"},
      {"{{ $x }}", "template: __alert_A:1: undefined variable \"$x\""},
      {"{{ \"abc }}", "template: __alert_A:1: unterminated quoted string"},
      {"{{ `abc }}", "template: __alert_A:1: unterminated raw quoted string"},
      {"{{ 'ab' }}", "template: __alert_A:1: malformed character constant: 'ab'"},
      {"{{ 1x }}", "template: __alert_A:1: bad number syntax: \"1x\""},
      {"{{ (1 }}", "template: __alert_A:1: unclosed left paren"},
      {"{{ ) }}", "template: __alert_A:1: unexpected \")\" in command"},
      {"{{ 1 | 2 }}", "template: __alert_A:1: non executable command in pipeline stage 2"},
      {"{{ | printf }}", "template: __alert_A:1: unexpected \"|\" in command"},
      {"{{/* comment }}", "template: __alert_A:1: unclosed comment"},
      {"{{/* comment */ x }}", "template: __alert_A:1: comment ends before closing delimiter"},
      {"{{ .Labels.job", "template: __alert_A:1: unclosed action"},
      {"{{ break }}", "template: __alert_A:1: {{break}} outside {{range}}"},
      {"{{ $a, $b := 1 }}", "template: __alert_A:1: too many declarations in command"},
      {"{{ range $a, $b, $c := $labels }}{{ end }}",
       "template: __alert_A:1: too many declarations in range"},
      {"{{ 1.2.3 }}", "template: __alert_A:1: unexpected \".3\" in operand"},
      {"{{ \"a\".x }}", "template: __alert_A:1: unexpected . after term \"\\\"a\\\"\""},
      {"{{ if true }}{{ $z := 1 }}{{ end }}{{ $z }}",
       "template: __alert_A:1: undefined variable \"$z\""},
      {"{{ 99999999999999999999 }}",
       "template: __alert_A:1: integer overflow: \"99999999999999999999\""},
      {"{{ 0x }}", "template: __alert_A:1: illegal number syntax: \"0x\""},
      {"{{ 08 }}", "template: __alert_A:1: integer overflow: \"08\""},
      {"{{ nil.x }}", "template: __alert_A:1: unexpected . after term \"nil\""},
      {"{{ # }}", "template: __alert_A:1: unexpected \"#\" in command"},
      {"{{ .Labels.x-y }}", "template: __alert_A:1: bad character U+002D '-'"},
      {"{{ \"\\q\" }}", "template: __alert_A:1: invalid syntax"},
      {"text {{ .Labels.job }", "template: __alert_A:1: unexpected \"}\" in operand"},
      {"line 1\nline 2 {{ if true }}", "template: __alert_A:2: unexpected EOF"},
  };
  for (const auto& [text, want] : cases) {
    INFO("template: " << text);
    Status status = CheckTemplate("__alert_A", text);
    REQUIRE_FALSE(status.ok());
    CHECK(status.message() == want);
    auto expanded = ExpandTemplate("__alert_A", text, Data());
    REQUIRE_FALSE(expanded.ok());
    CHECK(expanded.status().message() == "error parsing template __alert_A: " + want);
  }
  CHECK(CheckTemplate("{{ $labels.job }} {{ humanize $value }}").ok());
  CHECK(CheckTemplate("{{ $x = 1 }}").ok());
  CHECK(CheckTemplate("{{/* only a comment */}}").ok());
}

TEST_CASE("Template: define, template and block work as in Go", "[rules][template]") {
  CheckCases({
      {"{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" $labels.job }}{{ template \"x\" }}",
       "[api][<no value>]"},
      {"{{ block \"b\" $value }}<{{ humanize . }}>{{ end }}|{{ template \"b\" 2000 }}", "<1>|<2k>"},
      {"{{ define \"x\" }}a{{ end }}{{ define \"x\" }} {{ end }}{{ template \"x\" }}", "a"},
      {"{{ $v := 1 }}{{ template \"y\" $v }}{{ define \"y\" }}{{ . }}{{ end }}", "1"},
      {"{{ template \"nope\" }}",
       "ERROR: __alert_A:1:124: executing \"__alert_A\" at <{{template \"nope\"}}>: template "
       "\"nope\" not defined"},
      {"{{ define \"x\" }}{{ .Foo }}{{ end }}{{ template \"x\" . }}",
       "ERROR: __alert_A:1:131: executing \"x\" at <.Foo>: can't evaluate field Foo"},
      {"{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}",
       "ERROR: executing \"r\" at <{{template \"r\"}}>: exceeded maximum template depth"},
  });
  const std::vector<std::pair<std::string, std::string>> parse_errors = {
      {"{{ define \"x\" }}a{{ end }}{{ define \"x\" }}b{{ end }}",
       "template: __alert_A:1: template: multiple definition of template \"x\""},
      {"{{ template nope }}", "template: __alert_A:1: unexpected \"nope\" in template clause"},
      {"{{ define \"x\" }}{{ $labels }}{{ end }}",
       "template: __alert_A:1: undefined variable \"$labels\""},
      {"{{ if true }}{{ define \"x\" }}{{ end }}{{ end }}",
       "template: __alert_A:1: unexpected <define> in command"},
      {"{{ define \"x\" }}{{ break }}{{ end }}",
       "template: __alert_A:1: {{break}} outside {{range}}"},
  };
  for (const auto& [text, want] : parse_errors) {
    INFO("template: " << text);
    CHECK(CheckTemplate("__alert_A", text).message() == want);
  }
}

TEST_CASE("Template: query is refused at check time because the agent runs no queries",
          "[rules][template]") {
  for (const char* text : {"{{ query \"up\" }}", "{{ if query \"up\" }}x{{ end }}",
                           "{{ with query \"up\" }}{{ . | first | value }}{{ end }}"}) {
    Status status = CheckTemplate("__alert_A", text);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.message(), Catch::Contains("does not run queries from templates"));
  }
}

TEST_CASE("Template: hostile nesting and loops are refused instead of running away",
          "[rules][template]") {
  std::string deep_parens = std::string(5000, '(') + "1" + std::string(5000, ')');
  CHECK_THAT(CheckTemplate("{{ " + deep_parens + " }}").message(),
             Catch::Contains("max expression depth exceeded"));
  std::string deep_ifs;
  for (int i = 0; i < 5000; ++i) deep_ifs += "{{ if true }}";
  for (int i = 0; i < 5000; ++i) deep_ifs += "{{ end }}";
  CHECK_THAT(CheckTemplate(deep_ifs).message(), Catch::Contains("max expression depth exceeded"));
  // Nesting below the bound parses and runs.
  std::string ok_ifs;
  for (int i = 0; i < 900; ++i) ok_ifs += "{{ if true }}";
  ok_ifs += "x";
  for (int i = 0; i < 900; ++i) ok_ifs += "{{ end }}";
  CHECK(Expand(ok_ifs) == "x");

  // Ten nested ranges over three labels would print 3^10 = 59049 times 10 kB.
  std::string nested;
  for (int i = 0; i < 10; ++i) nested += "{{ range $labels }}";
  nested += std::string(10000, 'x');
  for (int i = 0; i < 10; ++i) nested += "{{ end }}";
  std::string got = Expand(nested);
  CHECK_THAT(got, Catch::Contains("exceeded its"));
}

}  // namespace
}  // namespace sidecar::rules
