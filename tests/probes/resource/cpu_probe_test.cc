#include "probes/resource/cpu_probe.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <string>

#include "agent/loop/event_loop.h"
#include "probes/resource/resource_probes.h"
#include "tests/probes/resource/resource_test_support.h"

namespace sidecar::probes::resource {
namespace {

using std::chrono::seconds;
using testing::ConfigEntry;
using testing::FindSample;
using testing::RunProbe;
using testing::ScratchTree;

// A cgroup v2 container with a 0.5-core quota, in a scratch tree whose cpu.stat the test
// rewrites between runs, and a clock the test moves by hand.
struct V2Container {
  ScratchTree tree;
  TimePoint now{};
  ResourceOptions options;

  V2Container() {
    tree.CopyFixture("cgroup/v2_limited", "cgroup");
    tree.CopyFixture("proc/v2_container", "proc");
    options.paths = {tree.Path("cgroup"), tree.Path("proc")};
    options.now = [this] { return now; };
  }

  ProbePtr Probe(const std::string& yaml = "{}") {
    ConfigEntry entry(yaml);
    ProbePtr probe = CreateCpuProbe(entry.node(), options);
    REQUIRE(entry.Errors().empty());
    return probe;
  }

  void SetUsage(double seconds_used) {
    tree.Write("cgroup/cpu.stat", "usage_usec " + std::to_string(std::llround(seconds_used * 1e6)) +
                                      "\nnr_throttled 0\nthrottled_usec 0\n");
  }
};

TEST_CASE("CpuProbe: the first run reports the counters and a healthy first sample", "[resource]") {
  V2Container container;
  ProbePtr probe = container.Probe();
  CHECK(probe->Target() == "cgroup v2 " + container.tree.Path("cgroup"));
  const ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.reason == "first sample");
  CHECK(result.failure.empty());
  CHECK(FindSample(result, "container_cpu_usage_seconds_total") == Approx(8123.456789));
  CHECK(FindSample(result, "container_cpu_limit_cores") == Approx(0.5));
  CHECK(FindSample(result, "container_cpu_throttled_seconds_total") == Approx(56.789012));
  CHECK_FALSE(FindSample(result, "container_cpu_usage_ratio").has_value());
}

TEST_CASE("CpuProbe: usage over the interval is a fraction of the cgroup quota", "[resource]") {
  V2Container container;
  ProbePtr probe = container.Probe();
  container.SetUsage(100);
  RunProbe(*probe);

  container.SetUsage(102.5);  // 2.5 s of CPU in 10 s against 0.5 cores
  container.now += seconds(10);
  ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.reason.empty());
  CHECK(FindSample(result, "container_cpu_usage_ratio") == Approx(0.5));

  container.SetUsage(107.25);  // 4.75 s in 10 s: 95% of the quota, above the default 90%
  container.now += seconds(10);
  result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kDegraded);
  CHECK(result.failure == "threshold");
  CHECK(result.reason == "cpu usage 95% of limit 0.5 cores (degraded above 90%)");
}

TEST_CASE("CpuProbe: never unhealthy by default, unless configured, here with for", "[resource]") {
  V2Container container;
  ProbePtr probe = container.Probe("unhealthy_above: 0.95\nfor: 30s\n");
  double used = 0;
  container.SetUsage(used);
  RunProbe(*probe);
  for (int run = 1; run <= 4; ++run) {  // the quota used in full, every 10 s
    used += 5;
    container.SetUsage(used);
    container.now += seconds(10);
    const ProbeResult result = RunProbe(*probe);
    INFO("run " << run << ": " << result.reason);
    CHECK(result.verdict == (run < 4 ? Verdict::kHealthy : Verdict::kUnhealthy));
    if (run == 4)
      CHECK(result.reason == "cpu usage 100% of limit 0.5 cores (unhealthy above 95%) for 30s");
  }
}

TEST_CASE("CpuProbe: a counter that goes back is a new first sample", "[resource]") {
  V2Container container;
  ProbePtr probe = container.Probe();
  container.SetUsage(100);
  RunProbe(*probe);
  container.SetUsage(1);
  container.now += seconds(10);
  const ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.reason == "first sample");
}

TEST_CASE("CpuProbe: without a quota the usage is a fraction of the online CPUs", "[resource]") {
  ScratchTree tree;
  tree.CopyFixture("cgroup/v1_unlimited", "cgroup");
  tree.CopyFixture("proc/v1_docker", "proc");
  TimePoint now{};
  ResourceOptions options{{tree.Path("cgroup"), tree.Path("proc")}, [&now] { return now; }};
  ConfigEntry entry("{}");
  ProbePtr probe = CreateCpuProbe(entry.node(), options);
  CHECK(probe->Target() == "cgroup v1 " + tree.Path("cgroup") + "/cpuacct");
  RunProbe(*probe);
  tree.Write("cgroup/cpuacct/cpuacct.usage", "21000000000\n");  // +19 s of CPU in 10 s, 2 CPUs
  now += seconds(10);
  const ProbeResult result = RunProbe(*probe);
  CHECK(FindSample(result, "container_cpu_limit_cores") == 2);
  CHECK(FindSample(result, "container_cpu_usage_ratio") == Approx(0.95));
  CHECK(result.reason == "cpu usage 95% of 2 CPUs (degraded above 90%)");
}

TEST_CASE("CpuProbe: on a host without cgroups the ratio comes from /proc/stat ticks",
          "[resource]") {
  ScratchTree tree;
  tree.CopyFixture("proc/host", "proc");
  ResourceOptions options{{tree.Path("no-cgroup"), tree.Path("proc")}, [] { return TimePoint{}; }};
  ConfigEntry entry("{}");
  ProbePtr probe = CreateCpuProbe(entry.node(), options);
  CHECK(probe->Target() == "host " + tree.Path("proc"));
  tree.Write("proc/stat", "cpu 100 0 100 800 0 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\n");
  RunProbe(*probe);
  // 60 busy ticks out of 200: the clock need not move.
  tree.Write("proc/stat", "cpu 140 0 120 930 10 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\n");
  const ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(FindSample(result, "container_cpu_usage_ratio") == Approx(0.3));
  CHECK_FALSE(FindSample(result, "container_cpu_throttled_seconds_total").has_value());
}

TEST_CASE("CpuProbe: a missing or unparsable file is a read failure naming the file",
          "[resource]") {
  V2Container container;
  ProbePtr probe = container.Probe();
  container.tree.Write("cgroup/cpu.max", "lots 100000\n");
  ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "read");
  CHECK(result.reason == "parse " + container.tree.Path("cgroup") +
                             "/cpu.max: expected 'max' or a number of microseconds, got 'lots'");

  container.tree.Remove("cgroup/cpu.stat");
  result = RunProbe(*probe);
  CHECK(result.failure == "read");
  CHECK(result.reason ==
        "read " + container.tree.Path("cgroup") + "/cpu.stat: No such file or directory");
}

TEST_CASE("CreateCpuProbe: bad levels and unknown keys are config errors", "[resource]") {
  ConfigEntry bad("degraded_above: 120%\npaths: [/]\n");
  CHECK(CreateCpuProbe(bad.node()) == nullptr);
  CHECK(bad.Errors() ==
        std::vector<std::string>{"test.yaml:1:17: degraded_above: 120% is more than 100%",
                                 "test.yaml:2:1: unknown key 'paths'"});
}

TEST_CASE("CpuProbe: on this machine it reads a sane usage", "[resource]") {
  ConfigEntry entry("{}");
  ProbePtr probe = CreateCpuProbe(entry.node());
  REQUIRE(probe != nullptr);
  INFO(probe->Target());
  EventLoop loop;
  const ProbeContext ctx{&loop, nullptr, loop.Now() + seconds(5)};
  const ProbeResult first = RunProbe(*probe, ctx);
  REQUIRE(first.failure.empty());
  CHECK(first.reason == "first sample");
  CHECK(*FindSample(first, "container_cpu_usage_seconds_total") > 0);
  CHECK(*FindSample(first, "container_cpu_limit_cores") > 0);

  // Use some CPU so that the interval has something to measure.
  const TimePoint until = Clock::now() + std::chrono::milliseconds(20);
  volatile uint64_t spin = 0;
  while (Clock::now() < until) spin = spin + 1;

  const ProbeResult second = RunProbe(*probe, ctx);
  INFO(second.reason);
  CHECK(second.failure != "read");
  const std::optional<double> ratio = FindSample(second, "container_cpu_usage_ratio");
  REQUIRE(ratio.has_value());
  CHECK(*ratio >= 0);
  CHECK(*ratio < 1.5);
}

}  // namespace
}  // namespace sidecar::probes::resource
