#include "probes/postgres/facts.h"

#include <catch2/catch.hpp>

namespace sidecar::probes::postgres {
namespace {

using Row = std::vector<std::optional<std::string>>;

std::optional<double> Value(const Facts& facts, const MetricDef& metric) {
  for (const Sample& sample : facts.samples) {
    if (sample.metric == &metric) return sample.value;
  }
  return std::nullopt;
}

TEST_CASE("ReadFacts: a primary reports connections, limits and version, no lag",
          "[postgres_unit]") {
  const Facts facts = ReadFacts(Row{"7", "100", "f", std::nullopt}, 150020, {});
  CHECK(Value(facts, kConnections) == 7);
  CHECK(Value(facts, kMaxConnections) == 100);
  CHECK(Value(facts, kInRecovery) == 0);
  CHECK(Value(facts, kServerVersionNum) == 150020);
  CHECK_FALSE(Value(facts, kReplicationLagSeconds).has_value());
  CHECK(facts.degraded.empty());
}

TEST_CASE("ReadFacts: a replica reports its lag", "[postgres_unit]") {
  const Facts facts = ReadFacts(Row{"3", "200", "t", "12.5"}, 160002, {});
  CHECK(Value(facts, kInRecovery) == 1);
  CHECK(Value(facts, kReplicationLagSeconds) == 12.5);
  const Facts caught_up = ReadFacts(Row{"3", "200", "t", "0"}, 160002, {});
  CHECK(Value(caught_up, kReplicationLagSeconds) == 0);
}

TEST_CASE("ReadFacts: thresholds turn into degraded reasons", "[postgres_unit]") {
  FactsThresholds thresholds{0.9, std::chrono::seconds(10)};
  CHECK(ReadFacts(Row{"90", "100", "t", "10"}, 0, thresholds).degraded.empty());
  const Facts busy = ReadFacts(Row{"91", "100", "t", "12.53"}, 0, thresholds);
  REQUIRE(busy.degraded.size() == 2);
  CHECK(busy.degraded[0] == "connections 91/100 in use");
  CHECK(busy.degraded[1] == "replication lag 12.5s exceeds 10s");
  // A primary has no lag to judge.
  CHECK(ReadFacts(Row{"1", "100", "f", std::nullopt}, 0, thresholds).degraded.empty());
}

TEST_CASE("ReadFacts: without a facts row only the version is reported", "[postgres_unit]") {
  const Facts facts = ReadFacts(Row{}, 150020, {0.5, std::nullopt});
  REQUIRE(facts.samples.size() == 1);
  CHECK(facts.samples[0].metric == &kServerVersionNum);
  CHECK(facts.degraded.empty());
  CHECK(ReadFacts(Row{}, 0, {}).samples.empty());
}

}  // namespace
}  // namespace sidecar::probes::postgres
