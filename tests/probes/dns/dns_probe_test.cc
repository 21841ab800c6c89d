// The dns probe against the machine's own resolver (localhost, and a name that cannot exist).
#include "probes/dns/dns_probe.h"

#include <catch2/catch.hpp>
#include <optional>

#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "tests/support/probe_config.h"

namespace sidecar::probes::dns {
namespace {

using namespace std::chrono_literals;

using Parsed = sidecar::testing::ParsedProbe;

Parsed Parse(const std::string& entry) {
  return sidecar::testing::ParseProbeEntry(entry, &CreateDnsProbe);
}

ProbeResult Run(Probe& probe) {
  EventLoop loop;
  Resolver resolver(&loop);
  std::optional<ProbeResult> result;
  int completions = 0;
  probe.Start(ProbeContext{&loop, &resolver, Clock::now() + 10s}, [&](ProbeResult r) {
    ++completions;
    result = std::move(r);
  });
  const TimePoint end = Clock::now() + 20s;
  while (!result && Clock::now() < end) loop.RunOnce(10ms);
  REQUIRE(result);
  CHECK(completions == 1);
  return *result;
}

const Sample* Find(const ProbeResult& result, const MetricDef& metric) {
  for (const Sample& sample : result.samples) {
    if (sample.metric == &metric) return &sample;
  }
  return nullptr;
}

TEST_CASE("DnsProbe: answers are checked against the expected addresses and count", "[dns]") {
  struct Row {
    std::string keys;
    Verdict verdict;
    std::string failure;
  };
  const Row rows[] = {
      {"    host: localhost\n    ip_preference: ipv4\n    expect_addresses: [127.0.0.1]\n",
       Verdict::kHealthy, ""},
      {"    host: 127.0.0.1\n", Verdict::kHealthy, ""},
      {"    host: localhost\n    ip_preference: ipv4\n    expect_addresses: [10.9.9.9]\n",
       Verdict::kUnhealthy, "answer"},
      {"    host: localhost\n    min_answers: 50\n", Verdict::kUnhealthy, "answer"},
      {"    host: nosuchhost.example.invalid\n", Verdict::kUnhealthy, "resolve"},
  };
  for (const Row& row : rows) {
    INFO(row.keys);
    Parsed parsed = Parse(row.keys);
    INFO(parsed.errors);
    REQUIRE(parsed.probe);
    const ProbeResult result = Run(*parsed.probe);
    INFO(result.reason);
    CHECK(result.verdict == row.verdict);
    CHECK(result.failure == row.failure);
    REQUIRE(Find(result, kDnsLookupTimeSeconds));
    CHECK(Find(result, kDnsLookupTimeSeconds)->value >= 0);
    if (row.failure != "resolve") {
      REQUIRE(Find(result, kDnsAnswerRrs));
      CHECK(Find(result, kDnsAnswerRrs)->value >= 1);
    }
  }
}

TEST_CASE("DnsProbe: a cancelled lookup never completes", "[dns]") {
  Parsed parsed = Parse("    host: localhost\n");
  REQUIRE(parsed.probe);
  EventLoop loop;
  Resolver resolver(&loop);
  int completions = 0;
  parsed.probe->Start(ProbeContext{&loop, &resolver, Clock::now() + 10s},
                      [&](ProbeResult) { ++completions; });
  parsed.probe->Cancel();
  parsed.probe->Cancel();
  const TimePoint end = Clock::now() + 300ms;
  while (Clock::now() < end) loop.RunOnce(10ms);
  CHECK(completions == 0);
  CHECK(parsed.probe->Target() == "localhost");
}

TEST_CASE("DnsProbe: config mistakes are reported with their key", "[dns]") {
  Parsed parsed = Parse("    ip_preference: ipv5\n    expect_addresses: [not-an-ip]\n");
  CHECK(parsed.probe == nullptr);
  CHECK_THAT(parsed.errors, Catch::Contains("missing key 'host'"));
  CHECK_THAT(parsed.errors, Catch::Contains("ip_preference"));
  CHECK_THAT(parsed.errors, Catch::Contains("expect_addresses"));
}

}  // namespace
}  // namespace sidecar::probes::dns
