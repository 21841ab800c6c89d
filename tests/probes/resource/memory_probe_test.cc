#include "probes/resource/memory_probe.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <string>

#include "agent/loop/event_loop.h"
#include "probes/resource/resource_probes.h"
#include "tests/probes/resource/resource_test_support.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::resource {
namespace {

using sidecar::testing::TestDataPath;
using std::chrono::seconds;
using testing::ConfigEntry;
using testing::FindSample;
using testing::RunProbe;
using testing::ScratchTree;

constexpr double kMiB = 1024 * 1024;

ProbePtr FixtureProbe(const std::string& cgroup, const std::string& proc) {
  ConfigEntry entry("{}");
  ResourceOptions options;
  options.paths = {TestDataPath("cgroup/" + cgroup), TestDataPath("proc/" + proc)};
  return CreateMemoryProbe(entry.node(), options);
}

TEST_CASE("MemoryProbe: a v2 container's working set against its limit", "[resource]") {
  ProbePtr probe = FixtureProbe("v2_limited", "v2_container");
  CHECK(probe->Target() == "cgroup v2 " + TestDataPath("cgroup/v2_limited"));
  const ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.reason.empty());
  CHECK(FindSample(result, "container_memory_usage_bytes") == 384 * kMiB);
  CHECK(FindSample(result, "container_memory_working_set_bytes") == 320 * kMiB);
  CHECK(FindSample(result, "container_memory_limit_bytes") == 512 * kMiB);
  CHECK(FindSample(result, "container_memory_usage_ratio") == Approx(0.625));
  CHECK(FindSample(result, "container_oom_kills_total") == 1);
}

TEST_CASE("MemoryProbe: without a cgroup limit the host's memory is the limit", "[resource]") {
  const double host_total = 4030656.0 * 1024;
  for (const auto& [cgroup, proc] :
       {std::pair{"v2_unlimited", "v2_container"}, std::pair{"v1_unlimited", "v1_docker"}}) {
    INFO(cgroup);
    const ProbeResult result = RunProbe(*FixtureProbe(cgroup, proc));
    CHECK(FindSample(result, "container_memory_limit_bytes") == host_total);
    const double working_set = *FindSample(result, "container_memory_working_set_bytes");
    CHECK(FindSample(result, "container_memory_usage_ratio") == Approx(working_set / host_total));
  }
}

TEST_CASE("MemoryProbe: v1 limited, and OOM kills only where the kernel counts them",
          "[resource]") {
  const ProbeResult limited = RunProbe(*FixtureProbe("v1_limited", "v1_docker"));
  CHECK(FindSample(limited, "container_memory_usage_ratio") == Approx(0.375));
  CHECK(FindSample(limited, "container_oom_kills_total") == 3);
  const ProbeResult old_kernel = RunProbe(*FixtureProbe("v1_unlimited", "v1_docker"));
  CHECK_FALSE(FindSample(old_kernel, "container_oom_kills_total").has_value());
}

TEST_CASE("MemoryProbe: on a host without cgroups, MemTotal - MemAvailable over MemTotal",
          "[resource]") {
  ProbePtr probe = FixtureProbe("none", "host");
  CHECK(probe->Target() == "host " + TestDataPath("proc/host"));
  const ProbeResult result = RunProbe(*probe);
  CHECK(FindSample(result, "container_memory_usage_ratio") ==
        Approx((4030656.0 - 3022992.0) / 4030656.0));
}

// A v2 container with a 512MiB limit whose usage the test sets, and a hand-driven clock.
struct V2Container {
  ScratchTree tree;
  TimePoint now{};
  ProbePtr probe;

  explicit V2Container(const std::string& yaml) {
    tree.CopyFixture("cgroup/v2_limited", "cgroup");
    tree.CopyFixture("proc/v2_container", "proc");
    tree.Write("cgroup/memory.stat", "anon 1\ninactive_file 0\n");
    ResourceOptions options;
    options.paths = {tree.Path("cgroup"), tree.Path("proc")};
    options.now = [this] { return now; };
    ConfigEntry entry(yaml);
    probe = CreateMemoryProbe(entry.node(), options);
    REQUIRE(entry.Errors().empty());
  }

  ProbeResult RunAt(seconds at, double fraction_of_limit) {
    now = TimePoint{} + at;
    tree.Write(
        "cgroup/memory.current",
        std::to_string(static_cast<uint64_t>(std::ceil(fraction_of_limit * 512 * kMiB))) + "\n");
    return RunProbe(*probe);
  }
};

TEST_CASE("MemoryProbe: the level must hold for `for` before the verdict changes", "[resource]") {
  V2Container container("degraded_above: 80%\nunhealthy_above: 95%\nfor: 2m\n");
  CHECK(container.RunAt(seconds(0), 0.97).verdict == Verdict::kHealthy);
  CHECK(container.RunAt(seconds(60), 0.97).verdict == Verdict::kHealthy);
  const ProbeResult held = container.RunAt(seconds(120), 0.97);
  CHECK(held.verdict == Verdict::kUnhealthy);
  CHECK(held.failure == "threshold");
  CHECK(held.reason == "memory working set 97% of limit 512MiB (unhealthy above 95%) for 2m");
  const ProbeResult degraded = container.RunAt(seconds(130), 0.9);
  CHECK(degraded.verdict == Verdict::kDegraded);
  CHECK(degraded.failure == "threshold");
  CHECK(degraded.reason == "memory working set 90% of limit 512MiB (degraded above 80%) for 2m10s");
  const ProbeResult recovered = container.RunAt(seconds(140), 0.5);
  CHECK(recovered.verdict == Verdict::kHealthy);
  CHECK(recovered.reason.empty());
  CHECK(recovered.failure.empty());
}

TEST_CASE("MemoryProbe: one spike does not flip health", "[resource]") {
  V2Container container("for: 1m\n");
  CHECK(container.RunAt(seconds(0), 0.5).verdict == Verdict::kHealthy);
  CHECK(container.RunAt(seconds(15), 0.99).verdict == Verdict::kHealthy);
  CHECK(container.RunAt(seconds(30), 0.5).verdict == Verdict::kHealthy);
  CHECK(container.RunAt(seconds(75), 0.99).verdict == Verdict::kHealthy);
}

TEST_CASE("MemoryProbe: default levels are 85% and 95% with no delay", "[resource]") {
  V2Container container("{}");
  CHECK(container.RunAt(seconds(0), 0.84).verdict == Verdict::kHealthy);
  CHECK(container.RunAt(seconds(1), 0.85).verdict == Verdict::kDegraded);
  const ProbeResult unhealthy = container.RunAt(seconds(2), 0.95);
  CHECK(unhealthy.verdict == Verdict::kUnhealthy);
  CHECK(unhealthy.reason == "memory working set 95% of limit 512MiB (unhealthy above 95%)");
}

TEST_CASE("MemoryProbe: an unreadable file is a read failure naming the file", "[resource]") {
  V2Container container("{}");
  container.tree.Write("cgroup/memory.stat", "inactive_file many\n");
  ProbeResult result = RunProbe(*container.probe);
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "read");
  CHECK(result.reason == "parse " + container.tree.Path("cgroup") +
                             "/memory.stat: inactive_file: expected a number, got 'many'");
  CHECK(result.samples.empty());

  container.tree.Remove("cgroup/memory.current");
  result = RunProbe(*container.probe);
  CHECK(result.reason ==
        "read " + container.tree.Path("cgroup") + "/memory.current: No such file or directory");
}

TEST_CASE("CreateMemoryProbe: config errors", "[resource]") {
  struct Case {
    const char* yaml;
    std::vector<std::string> errors;
  };
  const Case cases[] = {
      {"degraded_above: 0.96\nunhealthy_above: 0.9\n",
       {"test.yaml:1:17: degraded_above: degraded_above 96% must be below unhealthy_above 90%"}},
      {"unhealthy_above: 120%\n", {"test.yaml:1:18: unhealthy_above: 120% is more than 100%"}},
      {"degraded_above: 85%\nunhealthy_above: 95%\nfor: 1m\n", {}},
      {"limit: 512MiB\n", {"test.yaml:1:1: unknown key 'limit'"}},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    ConfigEntry entry(c.yaml);
    ProbePtr probe = CreateMemoryProbe(entry.node());
    CHECK(entry.Errors() == c.errors);
  }
}

TEST_CASE("MemoryProbe: on this machine it reads a sane working set", "[resource]") {
  ConfigEntry entry("{}");
  ProbePtr probe = CreateMemoryProbe(entry.node());
  REQUIRE(probe != nullptr);
  INFO(probe->Target());
  EventLoop loop;
  const ProbeResult result = RunProbe(*probe, {&loop, nullptr, loop.Now() + seconds(5)});
  INFO(result.reason);
  REQUIRE(result.failure != "read");
  const double usage = *FindSample(result, "container_memory_usage_bytes");
  const double working_set = *FindSample(result, "container_memory_working_set_bytes");
  const double limit = *FindSample(result, "container_memory_limit_bytes");
  const double ratio = *FindSample(result, "container_memory_usage_ratio");
  CHECK(usage > 0);
  CHECK(working_set <= usage);
  CHECK(limit > 0);
  CHECK(ratio == Approx(working_set / limit));
  CHECK(ratio <= 1.0);
}

}  // namespace
}  // namespace sidecar::probes::resource
