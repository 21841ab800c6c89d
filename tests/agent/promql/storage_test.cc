#include "agent/promql/storage.h"

#include <catch2/catch.hpp>

#include <algorithm>

namespace sidecar::promql {
namespace {

using Type = LabelMatcher::Type;

LabelMatcher M(Type type, std::string name, std::string value) {
  auto m = LabelMatcher::Make(type, std::move(name), std::move(value));
  REQUIRE(m.ok());
  return *m;
}

TEST_CASE("LabelMatcher: matches as Prometheus does, regexes anchored at both ends",
          "[promql][storage]") {
  struct Case {
    Type type;
    const char* value;
    const char* label;
    bool want;
  };
  const Case cases[] = {
      {Type::kEqual, "api", "api", true},
      {Type::kEqual, "api", "api2", false},
      {Type::kEqual, "", "", true},
      {Type::kNotEqual, "api", "web", true},
      {Type::kNotEqual, "api", "api", false},
      {Type::kRegexMatch, "a.*", "abc", true},
      {Type::kRegexMatch, "a.*", "bab", false},
      {Type::kRegexMatch, "b", "abc", false},
      {Type::kRegexMatch, "a|bc", "bc", true},
      {Type::kRegexMatch, "a|bc", "abc", false},
      {Type::kRegexMatch, ".*", "", true},
      {Type::kRegexMatch, ".+", "", false},
      {Type::kRegexMatch, "a.c", "a\nc", false},
      {Type::kRegexNoMatch, "a.*", "abc", false},
      {Type::kRegexNoMatch, "a.*", "xabc", true},
      {Type::kRegexNoMatch, ".+", "", true},
  };
  for (const auto& c : cases) {
    INFO(c.value << " vs " << c.label);
    CHECK(M(c.type, "job", c.value).Matches(c.label) == c.want);
  }
}

TEST_CASE("LabelMatcher: an invalid regex is refused with RE2's complaint", "[promql][storage]") {
  auto m = LabelMatcher::Make(Type::kRegexMatch, "job", "a(b");
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kInvalidArgument);
  CHECK(m.status().message().find("a(b") != std::string::npos);
}

TEST_CASE("LabelMatcher: prints as written", "[promql][storage]") {
  CHECK(M(Type::kEqual, "job", "a").ToString() == "job=\"a\"");
  CHECK(M(Type::kNotEqual, "job", "a").ToString() == "job!=\"a\"");
  CHECK(M(Type::kRegexMatch, "job", "a.*").ToString() == "job=~\"a.*\"");
  CHECK(M(Type::kRegexNoMatch, "job", "a\"b").ToString() == "job!~\"a\\\"b\"");
}

TEST_CASE("MatchesAll: an absent label matches as the empty string", "[promql][storage]") {
  Labels labels = MakeLabels({{"__name__", "up"}, {"job", "api"}});
  CHECK(MatchesAll({M(Type::kEqual, "__name__", "up")}, labels));
  CHECK(MatchesAll({M(Type::kEqual, "instance", "")}, labels));
  CHECK_FALSE(MatchesAll({M(Type::kNotEqual, "job", "api")}, labels));
  CHECK(MatchesAll({}, labels));
}

TEST_CASE("MemoryStorage: Select returns matching series in the inclusive window",
          "[promql][storage]") {
  MemoryStorage storage;
  Labels a = MakeLabels({{"__name__", "x"}, {"job", "a"}});
  Labels b = MakeLabels({{"__name__", "x"}, {"job", "b"}});
  for (Timestamp t = 0; t <= 100; t += 10) {
    REQUIRE(storage.Append(a, t, static_cast<double>(t)).ok());
  }
  REQUIRE(storage.Append(b, 50, 1).ok());
  REQUIRE(storage.Append(b, 60, StaleNaN()).ok());
  CHECK(storage.series_count() == 2);

  Matrix m = storage.Select({M(Type::kEqual, "__name__", "x")}, 20, 50);
  REQUIRE(m.size() == 2);
  CHECK(m[0].metric == a);
  CHECK(m[0].points == std::vector<Point>{{20, 20}, {30, 30}, {40, 40}, {50, 50}});
  CHECK(m[1].points.size() == 1);

  m = storage.Select({M(Type::kEqual, "job", "b")}, 55, 100);
  REQUIRE(m.size() == 1);
  CHECK(IsStaleNaN(m[0].points[0].v));

  CHECK(storage.Select({M(Type::kEqual, "job", "b")}, 61, 100).empty());
}

TEST_CASE("MemoryStorage: out of order points are refused, same time replaces",
          "[promql][storage]") {
  MemoryStorage storage;
  Labels a = MakeLabels({{"__name__", "x"}});
  REQUIRE(storage.Append(a, 10, 1).ok());
  CHECK_FALSE(storage.Append(a, 5, 1).ok());
  REQUIRE(storage.Append(a, 10, 2).ok());
  Matrix m = storage.Select({}, 0, 100);
  REQUIRE(m.size() == 1);
  CHECK(m[0].points == std::vector<Point>{{10, 2}});
}

TEST_CASE("MemoryStorage: Truncate drops old points and empty series", "[promql][storage]") {
  MemoryStorage storage;
  Labels a = MakeLabels({{"__name__", "x"}});
  Labels b = MakeLabels({{"__name__", "y"}});
  REQUIRE(storage.Append(a, 10, 1).ok());
  REQUIRE(storage.Append(a, 20, 2).ok());
  REQUIRE(storage.Append(b, 10, 1).ok());
  storage.Truncate(20);
  CHECK(storage.series_count() == 1);
  Matrix m = storage.Select({}, 0, 100);
  REQUIRE(m.size() == 1);
  CHECK(m[0].points == std::vector<Point>{{20, 2}});
}

}  // namespace
}  // namespace sidecar::promql

namespace sidecar::promql {
namespace {

TEST_CASE("MemoryStorage: Select by name also finds series whose labels sort before __name__",
          "[promql][storage]") {
  MemoryStorage storage;
  const Labels named[] = {
      MakeLabels({{"__name__", "up"}, {"job", "a"}}),
      MakeLabels({{"__name__", "up"}, {"Zone", "eu"}}),  // "Zone" sorts before "__name__"
      MakeLabels({{"__name__", "up"}, {"_a", "1"}}),     // so does "_a"
      MakeLabels({{"__name__", "up"}}),
  };
  const Labels others[] = {
      MakeLabels({{"__name__", "upx"}, {"job", "a"}}),
      MakeLabels({{"__name__", "u"}, {"job", "a"}}),
      MakeLabels({{"job", "a"}}),
      MakeLabels({{"Zone", "eu"}}),
  };
  for (const auto& l : named) REQUIRE(storage.Append(l, 10, 1).ok());
  for (const auto& l : others) REQUIRE(storage.Append(l, 10, 1).ok());

  Matrix m = storage.Select({M(Type::kEqual, "__name__", "up")}, 0, 100);
  REQUIRE(m.size() == 4);
  for (const auto& l : named) {
    CHECK(std::any_of(m.begin(), m.end(), [&l](const Series& s) { return s.metric == l; }));
  }
  CHECK(storage.Select({M(Type::kEqual, "__name__", "up"), M(Type::kEqual, "Zone", "eu")}, 0, 100)
            .size() == 1);
  CHECK(storage.Select({M(Type::kEqual, "__name__", "nope")}, 0, 100).empty());
  CHECK(storage.Select({M(Type::kRegexMatch, "__name__", "up.*")}, 0, 100).size() == 5);
  CHECK(storage.Select({M(Type::kEqual, "job", "a")}, 0, 100).size() == 4);
}

}  // namespace
}  // namespace sidecar::promql
