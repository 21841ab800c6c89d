#include "agent/scheduler/scheduler.h"

#include <catch2/catch.hpp>

#include "tests/support/fake_timers.h"
#include "tests/support/scripted_probe.h"

namespace sidecar::scheduler {
namespace {

using probes::Verdict;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeTimers;
using testing::ScriptedProbe;

struct Fixture {
  FakeTimers timers;
  std::vector<std::string> log;  // "name:state:reason" per run
  std::vector<Duration> durations;
  double random = 0.5;
  Scheduler scheduler{
      &timers, nullptr, nullptr,
      [this](const RunRecord& r) {
        log.push_back(r.probe.name + ":" + health::ProbeStateName(r.state) + ":" + r.result.reason);
        durations.push_back(r.duration);
      },
      [this] { return random; }};

  ScriptedProbe* Add(std::vector<config::ProbeConfig>& probes, const std::string& name,
                     Duration interval, Duration timeout, health::Thresholds thresholds = {}) {
    auto probe = std::make_unique<ScriptedProbe>();
    ScriptedProbe* raw = probe.get();
    config::ProbeConfig config;
    config.name = name;
    config.type = "scripted";
    config.interval = interval;
    config.timeout = timeout;
    config.thresholds = thresholds;
    config.probe = std::move(probe);
    probes.push_back(std::move(config));
    return raw;
  }
};

TEST_CASE("Scheduler: the first run waits a random part of at most one second", "[scheduler]") {
  Fixture f;
  std::vector<config::ProbeConfig> probes;
  ScriptedProbe* probe = f.Add(probes, "db", seconds(15), seconds(5));
  const TimePoint start = f.timers.Now();
  f.scheduler.Start(std::move(probes), TimePoint{});
  CHECK(f.timers.NextDue() == start + milliseconds(500));  // random 0.5 of 1s
  f.timers.Advance(milliseconds(499));
  CHECK(probe->starts == 0);
  f.timers.Advance(milliseconds(1));
  CHECK(probe->starts == 1);
  CHECK(probe->last_deadline == start + milliseconds(500) + seconds(5));
}

TEST_CASE("Scheduler: runs at a fixed rate from the start of each run", "[scheduler]") {
  Fixture f;
  f.random = 0;
  std::vector<config::ProbeConfig> probes;
  ScriptedProbe* probe = f.Add(probes, "db", seconds(10), seconds(5));
  f.scheduler.Start(std::move(probes), TimePoint{});
  f.timers.Advance(Duration::zero());
  REQUIRE(probe->starts == 1);
  f.timers.Advance(seconds(3));
  probe->Complete(Verdict::kHealthy);
  REQUIRE(f.durations.size() == 1);
  CHECK(f.durations[0] == seconds(3));
  f.timers.Advance(seconds(7) - milliseconds(1));
  CHECK(probe->starts == 1);
  f.timers.Advance(milliseconds(1));
  CHECK(probe->starts == 2);
}

TEST_CASE("Scheduler: a probe that does not answer is cancelled at its deadline", "[scheduler]") {
  Fixture f;
  f.random = 0;
  std::vector<config::ProbeConfig> probes;
  ScriptedProbe* probe = f.Add(probes, "db", seconds(10), seconds(2), {1, 1});
  f.scheduler.Start(std::move(probes), TimePoint{});
  f.timers.Advance(Duration::zero());
  f.timers.Advance(seconds(2) - milliseconds(1));
  CHECK(probe->cancels == 0);
  CHECK(f.log.empty());
  f.timers.Advance(milliseconds(1));
  CHECK(probe->cancels == 1);
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0] == "db:unhealthy:timeout after 2s");
  CHECK(f.durations[0] == seconds(2));

  SECTION("a late answer of the cancelled run is ignored") {
    probe->Complete(Verdict::kHealthy);
    CHECK(f.log.size() == 1);
  }
  SECTION("the next run still comes one interval after the last start") {
    f.timers.Advance(seconds(8));
    CHECK(probe->starts == 2);
  }
}

TEST_CASE("Scheduler: thresholds are applied to the results", "[scheduler]") {
  Fixture f;
  f.random = 0;
  std::vector<config::ProbeConfig> probes;
  ScriptedProbe* probe = f.Add(probes, "db", seconds(1), milliseconds(500), {1, 2});
  probe->immediate = Verdict::kHealthy;
  f.scheduler.Start(std::move(probes), TimePoint{});
  f.timers.Advance(Duration::zero());
  probe->immediate = Verdict::kUnhealthy;
  f.timers.Advance(seconds(1));
  f.timers.Advance(seconds(1));
  REQUIRE(f.log.size() == 3);
  CHECK(f.log[0] == "db:healthy:");
  CHECK(f.log[1] == "db:healthy:");
  CHECK(f.log[2] == "db:unhealthy:");
}

TEST_CASE("Scheduler: a probe that answers inside Start() is handled", "[scheduler]") {
  Fixture f;
  f.random = 0;
  std::vector<config::ProbeConfig> probes;
  ScriptedProbe* probe = f.Add(probes, "cpu", seconds(10), seconds(1));
  probe->immediate = Verdict::kDegraded;
  f.scheduler.Start(std::move(probes), TimePoint{});
  f.timers.Advance(Duration::zero());
  REQUIRE(f.log.size() == 1);
  CHECK(f.log[0] == "cpu:degraded:");
  CHECK(f.timers.pending() == 1);  // only the next run; the deadline timer is gone
}

TEST_CASE("Scheduler: Start() again keeps the health of probes that stay", "[scheduler]") {
  Fixture f;
  f.random = 0;
  std::vector<config::ProbeConfig> first;
  ScriptedProbe* old_probe = f.Add(first, "db", seconds(10), seconds(1), {1, 3});
  old_probe->immediate = Verdict::kHealthy;
  f.scheduler.Start(std::move(first), TimePoint{});
  f.timers.Advance(Duration::zero());
  REQUIRE(f.log.back() == "db:healthy:");

  std::vector<config::ProbeConfig> second;
  ScriptedProbe* new_probe = f.Add(second, "db", seconds(10), seconds(1), {1, 3});
  new_probe->immediate = Verdict::kUnhealthy;
  f.scheduler.Start(std::move(second), TimePoint{});
  f.timers.Advance(Duration::zero());
  // One failure is below the threshold of 3: still healthy, as before the reload.
  CHECK(f.log.back() == "db:healthy:");
}

TEST_CASE("Scheduler: Stop() cancels runs in flight and all timers", "[scheduler]") {
  Fixture f;
  f.random = 0;
  std::vector<config::ProbeConfig> probes;
  ScriptedProbe* probe = f.Add(probes, "db", seconds(10), seconds(5));
  f.scheduler.Start(std::move(probes), TimePoint{});
  f.timers.Advance(Duration::zero());
  REQUIRE(probe->in_flight());
  f.scheduler.Stop();
  CHECK(probe->cancels == 1);
  CHECK(f.timers.pending() == 0);
}

}  // namespace
}  // namespace sidecar::scheduler
