#include "exporters/statsd/statsd_format.h"

#include <catch2/catch.hpp>
#include <regex>

namespace sidecar::exporters::statsd {
namespace {

Format MakeFormat(TagStyle tags, DurationAs durations = DurationAs::kTiming) {
  Format format;
  format.prefix = "devbrainai.";
  format.tags = tags;
  format.durations = durations;
  format.constant_tags = {{"env", "production"}};
  return format;
}

ProbeRun MakeRun() {
  ProbeRun run;
  run.probe = "db";
  run.type = "postgres";
  run.labels = {{"team", "core"}};
  run.unix_ms = 1700000000000;
  run.points = {{"probe_success", PointKind::kGauge, {}, 1},
                {"probe_duration_seconds", PointKind::kDuration, {}, 0.0125}};
  return run;
}

TEST_CASE("StatsD: one line per tag dialect", "[exporters][statsd]") {
  struct Case {
    TagStyle style;
    double value;
    const char* type;
    const char* want;
  };
  const Labels tags = {{"env", "prod"}, {"probe", "db"}};
  const Case cases[] = {
      {TagStyle::kDogStatsd, 1, "g", "devbrainai.probe_success:1|g|#env:prod,probe:db"},
      {TagStyle::kNone, 1, "g", "devbrainai.probe_success:1|g"},
      {TagStyle::kInflux, 1, "g", "devbrainai.probe_success,env=prod,probe=db:1|g"},
      {TagStyle::kGraphite, 1, "g", "devbrainai.probe_success;env=prod;probe=db:1|g"},
      {TagStyle::kDogStatsd, 12.5, "ms", "devbrainai.probe_success:12.5|ms|#env:prod,probe:db"},
      {TagStyle::kDogStatsd, 3, "c", "devbrainai.probe_success:3|c|#env:prod,probe:db"},
      // DogStatsD takes a negative gauge as a value...
      {TagStyle::kDogStatsd, -5, "g", "devbrainai.probe_success:-5|g|#env:prod,probe:db"},
      // ...plain StatsD as a decrement: send 0 first, in the same unit.
      {TagStyle::kNone, -5, "g", "devbrainai.probe_success:0|g\ndevbrainai.probe_success:-5|g"},
      {TagStyle::kInflux, -2.5, "g",
       "devbrainai.probe_success,env=prod,probe=db:0|g\n"
       "devbrainai.probe_success,env=prod,probe=db:-2.5|g"},
  };
  for (const Case& c : cases) {
    CHECK(FormatLine(MakeFormat(c.style), "probe_success", c.value, c.type, tags) == c.want);
  }
}

TEST_CASE("StatsD: characters a dialect cannot carry become underscores", "[exporters][statsd]") {
  struct Case {
    TagStyle style;
    const char* want;
  };
  const Labels tags = {{"url", "http://a,b|c#d"}, {"we ird", "x=y;z"}};
  const Case cases[] = {
      {TagStyle::kDogStatsd, "p.my_metric:1|g|#url:http://a_b_c_d,we ird:x=y;z"},
      {TagStyle::kInflux, "p.my_metric,url=http_//a_b_c#d,we_ird=x_y;z:1|g"},
      {TagStyle::kGraphite, "p.my_metric;url=http_//a,b_c#d;we_ird=x=y_z:1|g"},
  };
  Format format;
  format.prefix = "p.";
  for (const Case& c : cases) {
    format.tags = c.style;
    CHECK(FormatLine(format, "my-metric", 1, "g", tags) == c.want);
  }
}

TEST_CASE("StatsD: a run becomes gauges, durations and counter increases", "[exporters][statsd]") {
  struct Case {
    DurationAs durations;
    const char* duration_line;
  };
  const Case cases[] = {
      {DurationAs::kTiming,
       "devbrainai.probe_duration_ms:12.5|ms|#env:production,team:core,probe:db,type:postgres"},
      {DurationAs::kHistogram,
       "devbrainai.probe_duration_seconds:0.0125|h|#env:production,team:core,probe:db,"
       "type:postgres"},
      {DurationAs::kDistribution,
       "devbrainai.probe_duration_seconds:0.0125|d|#env:production,team:core,probe:db,"
       "type:postgres"},
  };
  for (const Case& c : cases) {
    CounterDeltas deltas;
    const auto lines = FormatRun(MakeFormat(TagStyle::kDogStatsd, c.durations), MakeRun(), &deltas);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          "devbrainai.probe_success:1|g|#env:production,team:core,probe:db,type:postgres");
    CHECK(lines[1] == c.duration_line);
  }
}

TEST_CASE("StatsD: counters send the increase, nothing the first time, all after a reset",
          "[exporters][statsd]") {
  Format format;
  format.tags = TagStyle::kNone;
  CounterDeltas deltas;
  ProbeRun run;
  run.probe = "redis";
  const std::pair<double, const char*> steps[] = {{100, nullptr},
                                                  {130, "rejected_total:30|c"},
                                                  {130, "rejected_total:0|c"},
                                                  {7, "rejected_total:7|c"}};
  for (const auto& [total, want] : steps) {
    run.points = {{"rejected_total", PointKind::kCounter, {{"k", "v"}}, total}};
    const auto lines = FormatRun(format, run, &deltas);
    if (want == nullptr) {
      CHECK(lines.empty());
    } else {
      REQUIRE(lines.size() == 1);
      CHECK(lines[0] == want);
    }
  }
}

TEST_CASE("StatsD: values that are not finite and empty tags are left out", "[exporters][statsd]") {
  Format format;
  CounterDeltas deltas;
  ProbeRun run;
  run.probe = "p";
  run.labels = {{"empty", ""}};
  run.points = {{"a", PointKind::kGauge, {}, std::nan("")},
                {"b", PointKind::kGauge, {}, INFINITY},
                {"c", PointKind::kGauge, {}, 2}};
  const auto lines = FormatRun(format, run, &deltas);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "c:2|g|#probe:p");
}

TEST_CASE("StatsD: packing fills datagrams up to the limit and never splits a line",
          "[exporters][statsd]") {
  const std::vector<std::string> lines = {std::string(10, 'a'), std::string(10, 'b'),
                                          std::string(10, 'c'), std::string(25, 'd'),
                                          std::string(3, 'e')};
  struct Case {
    size_t max;
    std::vector<uint64_t> points;
    uint64_t too_long;
  };
  const Case cases[] = {
      {21, {2, 2}, 1},  // a\nb is exactly 21; d (25) cannot be sent; c\ne
      {32, {3, 2}, 0},  // a\nb\nc is exactly 32; d\ne
      {1000, {5}, 0},
  };
  for (const Case& c : cases) {
    uint64_t too_long = 0;
    const auto datagrams = Pack(lines, c.max, &too_long);
    CHECK(too_long == c.too_long);
    std::vector<uint64_t> points;
    uint64_t total = 0;
    for (const Datagram& d : datagrams) {
      CHECK(d.payload.size() <= c.max);
      CHECK(d.payload.front() != '\n');
      CHECK(d.payload.back() != '\n');
      points.push_back(d.points);
      total += d.points;
    }
    CHECK(total + too_long == lines.size());
    CHECK(points == c.points);
  }
}

TEST_CASE("StatsD: tag_style and durations names are parsed", "[exporters][statsd]") {
  TagStyle style;
  CHECK(ParseTagStyle("influx", &style));
  CHECK(style == TagStyle::kInflux);
  CHECK_FALSE(ParseTagStyle("librato", &style));
  DurationAs durations;
  CHECK(ParseDurationAs("distribution", &durations));
  CHECK(durations == DurationAs::kDistribution);
  CHECK_FALSE(ParseDurationAs("timer", &durations));
}

}  // namespace
}  // namespace sidecar::exporters::statsd
