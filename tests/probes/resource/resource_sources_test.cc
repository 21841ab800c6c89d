// The cgroup and /proc sources over fixture trees under tests/testdata/{cgroup,proc}.
#include <catch2/catch.hpp>

#include <string>

#include "probes/resource/cgroup_dirs.h"
#include "probes/resource/cpu_source.h"
#include "probes/resource/memory_source.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::resource {
namespace {

using sidecar::testing::TestDataPath;

ResourcePaths Fixture(const std::string& cgroup, const std::string& proc) {
  return ResourcePaths{TestDataPath("cgroup/" + cgroup), TestDataPath("proc/" + proc)};
}

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kHostMemTotal = 4030656ull * 1024;

TEST_CASE("FindCgroupDirs: v2 in a container reads the root of the cgroup mount", "[resource]") {
  const ResourcePaths paths = Fixture("v2_limited", "v2_container");
  const CgroupDirs dirs = FindCgroupDirs(paths);
  CHECK(dirs.version == CgroupVersion::kV2);
  CHECK(dirs.unified == paths.cgroup_root);
}

TEST_CASE("FindCgroupDirs: v2 on a host follows /proc/self/cgroup to the service's cgroup",
          "[resource]") {
  const ResourcePaths paths = Fixture("v2_service", "v2_service");
  CHECK(FindCgroupDirs(paths).unified == paths.cgroup_root + "/system.slice/agent.service");
}

TEST_CASE("FindCgroupDirs: v1 in a container uses the mounted hierarchy, not the host path",
          "[resource]") {
  // /proc/self/cgroup names /docker/<id>, which the container sees mounted at the root.
  const ResourcePaths paths = Fixture("v1_limited", "v1_docker");
  const CgroupDirs dirs = FindCgroupDirs(paths);
  CHECK(dirs.version == CgroupVersion::kV1);
  CHECK(dirs.cpu == paths.cgroup_root + "/cpu");
  CHECK(dirs.cpuacct == paths.cgroup_root + "/cpuacct");
  CHECK(dirs.memory == paths.cgroup_root + "/memory");
}

TEST_CASE("FindCgroupDirs: no cgroup mount at all", "[resource]") {
  CHECK(FindCgroupDirs(Fixture("none", "host")).version == CgroupVersion::kNone);
  CHECK(FindCgroupDirs({"/nonexistent/cgroup", "/nonexistent/proc"}).version ==
        CgroupVersion::kNone);
}

TEST_CASE("CpuSource: reads usage, throttling and quota from each layout", "[resource]") {
  struct Case {
    const char* cgroup;
    const char* proc;
    SourceKind kind;
    double usage_seconds;
    std::optional<double> throttled_seconds;
    std::optional<double> quota_cores;
    double limit_cores;
  };
  const Case cases[] = {
      {"v2_limited", "v2_container", SourceKind::kCgroupV2, 8123.456789, 56.789012, 0.5, 0.5},
      {"v2_unlimited", "v2_container", SourceKind::kCgroupV2, 1.5, 0.0, std::nullopt, 2},
      // The cpu controller is not enabled for the service: no cpu.max, no throttling keys.
      {"v2_service", "v2_service", SourceKind::kCgroupV2, 2.5, std::nullopt, std::nullopt, 2},
      {"v1_limited", "v1_docker", SourceKind::kCgroupV1, 95.142064319, 3.5, 1.5, 1.5},
      {"v1_unlimited", "v1_docker", SourceKind::kCgroupV1, 2.0, 0.0, std::nullopt, 2},
  };
  for (const Case& c : cases) {
    INFO(c.cgroup);
    const CpuSource source = CpuSource::Detect(Fixture(c.cgroup, c.proc));
    CHECK(source.kind() == c.kind);
    const auto reading = source.Read();
    REQUIRE(reading.ok());
    CHECK(reading->usage_seconds == Approx(c.usage_seconds));
    CHECK(reading->throttled_seconds.has_value() == c.throttled_seconds.has_value());
    if (c.throttled_seconds) CHECK(*reading->throttled_seconds == Approx(*c.throttled_seconds));
    CHECK(reading->quota_cores == c.quota_cores);
    CHECK(reading->online_cpus == 2);
    CHECK(reading->LimitCores() == Approx(c.limit_cores));
  }
}

TEST_CASE("CpuSource: on a host without cgroups, busy time comes from /proc/stat", "[resource]") {
  const CpuSource source = CpuSource::Detect(Fixture("none", "host"));
  CHECK(source.kind() == SourceKind::kHost);
  CHECK(source.Describe() == "host " + TestDataPath("proc/host"));
  const auto reading = source.Read();
  REQUIRE(reading.ok());
  CHECK(reading->host_total_jiffies == 1250589u);
  CHECK(reading->host_busy_jiffies == 1250589u - 1235801u);
  CHECK(reading->usage_seconds > 0);
  CHECK_FALSE(reading->throttled_seconds.has_value());
  CHECK(reading->LimitCores() == 2);
}

TEST_CASE("MemorySource: usage, working set and limit from each layout", "[resource]") {
  struct Case {
    const char* cgroup;
    const char* proc;
    SourceKind kind;
    uint64_t usage;
    uint64_t working_set;
    uint64_t limit;
    bool limit_is_host_total;
    std::optional<uint64_t> oom_kills;
  };
  const Case cases[] = {
      {"v2_limited", "v2_container", SourceKind::kCgroupV2, 384 * kMiB, 320 * kMiB, 512 * kMiB,
       false, 1},
      {"v2_unlimited", "v2_container", SourceKind::kCgroupV2, 200 * kMiB, 190 * kMiB, kHostMemTotal,
       true, 0},
      {"v2_service", "v2_service", SourceKind::kCgroupV2, 50 * kMiB, 45 * kMiB, 100 * kMiB, false,
       std::nullopt},
      // v1 subtracts total_inactive_file (256MiB), not the cgroup's own inactive_file.
      {"v1_limited", "v1_docker", SourceKind::kCgroupV1, 1024 * kMiB, 768 * kMiB, 2048 * kMiB,
       false, 3},
      // More inactive cache than usage: the working set is clamped at 0.
      {"v1_unlimited", "v1_docker", SourceKind::kCgroupV1, 300 * kMiB, 0, kHostMemTotal, true,
       std::nullopt},
      {"none", "host", SourceKind::kHost, (4030656ull - 3022992ull) * 1024,
       (4030656ull - 3022992ull) * 1024, kHostMemTotal, true, std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.cgroup);
    const MemorySource source = MemorySource::Detect(Fixture(c.cgroup, c.proc));
    CHECK(source.kind() == c.kind);
    const auto reading = source.Read();
    REQUIRE(reading.ok());
    CHECK(reading->usage_bytes == c.usage);
    CHECK(reading->working_set_bytes == c.working_set);
    CHECK(reading->limit_bytes == c.limit);
    CHECK(reading->limit_is_host_total == c.limit_is_host_total);
    CHECK(reading->oom_kills == c.oom_kills);
  }
}

TEST_CASE("Sources: Describe() names the version and the directory", "[resource]") {
  const ResourcePaths v2 = Fixture("v2_limited", "v2_container");
  CHECK(CpuSource::Detect(v2).Describe() == "cgroup v2 " + v2.cgroup_root);
  CHECK(MemorySource::Detect(v2).Describe() == "cgroup v2 " + v2.cgroup_root);
  const ResourcePaths v1 = Fixture("v1_limited", "v1_docker");
  CHECK(CpuSource::Detect(v1).Describe() == "cgroup v1 " + v1.cgroup_root + "/cpuacct");
  CHECK(MemorySource::Detect(v1).Describe() == "cgroup v1 " + v1.cgroup_root + "/memory");
}

}  // namespace
}  // namespace sidecar::probes::resource
