#include "exporters/emf/emf_format.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/exporters/emf/emf_checker.h"

namespace sidecar::exporters::emf {
namespace {

using Json = nlohmann::json;

ProbeRun MakeRun() {
  ProbeRun run;
  run.probe = "api";
  run.type = "http";
  run.labels = {{"env", "prod"}};
  run.unix_ms = 1574109732004;
  run.points = {{"probe_success", PointKind::kGauge, {}, 1},
                {"probe_duration_seconds", PointKind::kDuration, {}, 0.0125},
                {"probe_http_status_code", PointKind::kGauge, {}, 200},
                {"probe_http_duration_seconds", PointKind::kGauge, {{"phase", "connect"}}, 0.002},
                {"probe_http_duration_seconds", PointKind::kGauge, {{"phase", "tls"}}, 0.004}};
  return run;
}

std::vector<Json> Documents(const Format& format, const ProbeRun& run, CounterDeltas* deltas) {
  std::vector<Json> out;
  for (const std::string& line : FormatRun(format, run, deltas)) {
    INFO(line);
    const auto problems = testing::EmfProblems(line);
    CHECK(problems.empty());
    for (const std::string& p : problems) UNSCOPED_INFO(p);
    out.push_back(Json::parse(line));
  }
  return out;
}

TEST_CASE("EMF: a run is one document per label group, values and dimensions at the root",
          "[exporters][emf]") {
  Format format;
  format.name_space = "hc-agent";
  format.dimension_sets = {{"probe", "type"}, {"env"}, {"absent"}};
  CounterDeltas deltas;
  const auto docs = Documents(format, MakeRun(), &deltas);
  REQUIRE(docs.size() == 3);  // {}, {phase=connect}, {phase=tls}
  const Json& first = docs[0];
  CHECK(first["_aws"]["Timestamp"] == 1574109732004);
  const Json& directive = first["_aws"]["CloudWatchMetrics"][0];
  CHECK(directive["Namespace"] == "hc-agent");
  CHECK(directive["Dimensions"] == Json::parse(R"([["probe","type"],["env"]])"));
  CHECK(directive["Metrics"] == Json::parse(R"([
      {"Name":"probe_success","Unit":"None"},
      {"Name":"probe_duration_seconds","Unit":"Seconds"},
      {"Name":"probe_http_status_code","Unit":"None"}])"));
  CHECK(first["probe"] == "api");
  CHECK(first["type"] == "http");
  CHECK(first["env"] == "prod");
  CHECK(first["probe_success"] == 1);
  CHECK(first["probe_duration_seconds"] == 0.0125);
  CHECK(first["probe_http_status_code"] == 200);
  CHECK_FALSE(first.contains("phase"));

  const Json& connect = docs[1];
  CHECK(connect["phase"] == "connect");
  CHECK(connect["probe_http_duration_seconds"] == 0.002);
  CHECK(connect["_aws"]["CloudWatchMetrics"][0]["Dimensions"] ==
        Json::parse(R"([["probe","type","phase"],["env","phase"]])"));
  CHECK(docs[2]["phase"] == "tls");
}

TEST_CASE("EMF: more than 100 metrics are split, more than 30 dimensions are cut",
          "[exporters][emf]") {
  struct Case {
    int points;
    int labels;
    size_t documents;
  };
  const Case cases[] = {{1, 0, 1}, {100, 0, 1}, {101, 0, 2}, {250, 0, 3}, {5, 40, 1}};
  for (const Case& c : cases) {
    ProbeRun run = MakeRun();
    run.points.clear();
    Labels extra;
    for (int l = 0; l < c.labels; ++l) extra.emplace_back("l" + std::to_string(l), "v");
    for (int p = 0; p < c.points; ++p) {
      run.points.push_back({"m" + std::to_string(p), PointKind::kGauge, extra, double(p)});
    }
    Format format;
    CounterDeltas deltas;
    const auto docs = Documents(format, run, &deltas);
    CHECK(docs.size() == c.documents);
    size_t metrics = 0;
    for (const Json& doc : docs) {
      for (const Json& directive : doc["_aws"]["CloudWatchMetrics"]) {
        metrics += directive["Metrics"].size();
        for (const Json& set : directive["Dimensions"]) CHECK(set.size() <= kMaxDimensionsPerSet);
      }
    }
    CHECK(metrics == static_cast<size_t>(c.points));
  }
}

TEST_CASE("EMF: counters are sent as increases with unit Count, other units follow the name",
          "[exporters][emf]") {
  ProbeRun run = MakeRun();
  Format format;
  format.storage_resolution = 1;
  CounterDeltas deltas;
  run.points = {{"redis_rejected_connections_total", PointKind::kCounter, {}, 10},
                {"memory_used_bytes", PointKind::kGauge, {}, 1024},
                {"bad", PointKind::kGauge, {}, std::nan("")}};
  auto docs = Documents(format, run, &deltas);
  REQUIRE(docs.size() == 1);
  CHECK_FALSE(docs[0].contains("redis_rejected_connections_total"));  // baseline only
  CHECK_FALSE(docs[0].contains("bad"));
  CHECK(docs[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] ==
        Json::parse(R"([{"Name":"memory_used_bytes","Unit":"Bytes","StorageResolution":1}])"));
  run.points[0].value = 15;
  docs = Documents(format, run, &deltas);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["redis_rejected_connections_total"] == 5);
  CHECK(docs[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Count");
}

TEST_CASE("EMF: the checker itself refuses what the specification forbids", "[exporters][emf]") {
  const std::pair<const char*, bool> cases[] = {
      {R"({"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"n",)"
       R"("Dimensions":[["a"]],"Metrics":[{"Name":"m","Unit":"Count"}]}]},"a":"x","m":1})",
       true},
      {R"({"_aws":{"Timestamp":1574109732,"CloudWatchMetrics":[{"Namespace":"n",)"
       R"("Dimensions":[["a"]],"Metrics":[{"Name":"m"}]}]},"a":"x","m":1})",
       false},  // seconds, not milliseconds
      {R"({"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"n",)"
       R"("Dimensions":[["a"]],"Metrics":[{"Name":"m"}]}]},"a":1,"m":1})",
       false},  // dimension value not a string
      {R"({"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"n",)"
       R"("Dimensions":[[]],"Metrics":[{"Name":"m","Unit":"ms"}]}]},"x":{"m":1}})",
       false},  // nested value, bad unit
  };
  for (const auto& [line, valid] : cases) {
    INFO(line);
    CHECK(testing::EmfProblems(line).empty() == valid);
  }
}

}  // namespace
}  // namespace sidecar::exporters::emf
