#include "probes/resource/disk_probe.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
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

constexpr uint64_t kGiB = uint64_t{1} << 30;

// statvfs answers the test sets per path, and a hand-driven clock.
struct FakeDisks {
  std::map<std::string, Result<FsStats>> answers;
  TimePoint now{};

  ResourceOptions Options() {
    ResourceOptions options;
    options.statfs = [this](const std::string& path) -> Result<FsStats> {
      const auto it = answers.find(path);
      return it != answers.end() ? it->second : Status::Unavailable("no answer for " + path);
    };
    options.now = [this] { return now; };
    return options;
  }

  ProbePtr Probe(const std::string& yaml) {
    ConfigEntry entry(yaml);
    ProbePtr probe = CreateDiskProbe(entry.node(), Options());
    REQUIRE(entry.Errors().empty());
    return probe;
  }
};

// `used` of 100GiB in use, the rest available (no reserved blocks), and inodes used.
FsStats Disk(double used, double inodes_used) {
  FsStats stats;
  stats.size_bytes = 100 * kGiB;
  stats.used_bytes = static_cast<uint64_t>(used * 100 * kGiB);
  stats.available_bytes = stats.size_bytes - stats.used_bytes;
  stats.inodes = 1000000;
  stats.inodes_free = stats.inodes - static_cast<uint64_t>(inodes_used * 1000000);
  return stats;
}

TEST_CASE("DiskProbe: samples per configured path, labelled by mountpoint", "[resource]") {
  FakeDisks disks;
  disks.answers.emplace("/", Disk(0.5, 0.1));
  disks.answers.emplace("/data", Disk(0.25, 0.5));
  ProbePtr probe = disks.Probe("paths: [/, /data]\n");
  CHECK(probe->Target() == "/, /data");
  const ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.reason.empty());
  const Labels data = {{"mountpoint", "/data"}};
  CHECK(FindSample(result, "container_fs_size_bytes", data) == 100.0 * kGiB);
  CHECK(FindSample(result, "container_fs_used_bytes", data) == 25.0 * kGiB);
  CHECK(FindSample(result, "container_fs_usage_ratio", data) == Approx(0.25));
  CHECK(FindSample(result, "container_fs_inodes_usage_ratio", data) == Approx(0.5));
  CHECK(FindSample(result, "container_fs_usage_ratio", {{"mountpoint", "/"}}) == Approx(0.5));
}

TEST_CASE("DiskProbe: blocks reserved for root count as neither used nor available", "[resource]") {
  FakeDisks disks;
  FsStats stats;
  stats.size_bytes = 100 * kGiB;
  stats.used_bytes = 90 * kGiB;
  stats.available_bytes = 5 * kGiB;  // 5GiB reserved
  disks.answers.emplace("/", stats);
  const ProbeResult result = RunProbe(*disks.Probe("{}"));
  CHECK(FindSample(result, "container_fs_usage_ratio", {{"mountpoint", "/"}}) ==
        Approx(90.0 / 95.0));
  // No fixed inode table (btrfs, some overlay setups): no inode ratio.
  CHECK_FALSE(FindSample(result, "container_fs_inodes_usage_ratio", {{"mountpoint", "/"}}));
  CHECK(result.verdict == Verdict::kDegraded);
  CHECK(result.reason == "disk / 94.7% used of 100GiB (degraded above 85%)");
}

TEST_CASE("DiskProbe: the fuller of blocks and inodes decides, and every path is named",
          "[resource]") {
  FakeDisks disks;
  disks.answers.emplace("/", Disk(0.1, 0.9));
  disks.answers.emplace("/data", Disk(0.97, 0.1));
  const ProbeResult result = RunProbe(*disks.Probe("paths: [/, /data]\n"));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "threshold");
  CHECK(result.reason ==
        "disk / inodes 90% used (degraded above 85%); disk /data 97% used of 100GiB (unhealthy "
        "above 95%)");
}

TEST_CASE("DiskProbe: each path keeps its own streak", "[resource]") {
  FakeDisks disks;
  ProbePtr probe = disks.Probe("paths: [/, /data]\nfor: 1m\n");
  disks.answers.insert_or_assign("/", Disk(0.97, 0));
  disks.answers.insert_or_assign("/data", Disk(0.1, 0));
  CHECK(RunProbe(*probe).verdict == Verdict::kHealthy);
  disks.now += seconds(30);
  disks.answers.insert_or_assign("/data", Disk(0.97, 0));
  CHECK(RunProbe(*probe).verdict == Verdict::kHealthy);
  disks.now += seconds(30);
  ProbeResult result = RunProbe(*probe);
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.reason == "disk / 97% used of 100GiB (unhealthy above 95%) for 1m");
  disks.now += seconds(30);
  result = RunProbe(*probe);
  CHECK(result.reason ==
        "disk / 97% used of 100GiB (unhealthy above 95%) for 1m30s; "
        "disk /data 97% used of 100GiB (unhealthy above 95%) for 1m");
}

TEST_CASE("DiskProbe: a path that cannot be read is a read failure", "[resource]") {
  FakeDisks disks;
  disks.answers.emplace("/", Disk(0.9, 0));
  disks.answers.emplace("/data", Status::Unavailable("statvfs /data: Permission denied"));
  const ProbeResult result = RunProbe(*disks.Probe("paths: [/, /data]\n"));
  CHECK(result.verdict == Verdict::kUnhealthy);
  CHECK(result.failure == "read");
  CHECK(result.reason ==
        "disk / 90% used of 100GiB (degraded above 85%); statvfs /data: Permission denied");
  CHECK(FindSample(result, "container_fs_usage_ratio", {{"mountpoint", "/"}}).has_value());
}

TEST_CASE("CreateDiskProbe: paths must be absolute, listed once, and there must be one",
          "[resource]") {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"paths: [data]\n", "test.yaml:1:8: paths: expected absolute paths, got 'data'"},
      {"paths: [/data, /data]\n", "test.yaml:1:8: paths: '/data' is listed twice"},
      {"paths: []\n", "test.yaml:1:8: paths: expected at least one path, such as [/]"},
      {"paths: {a: b}\n", "test.yaml:1:8: paths: expected a list of strings, got a mapping"},
      {"path: [/]\n", "test.yaml:1:1: unknown key 'path' (did you mean 'paths'?)"},
      {"degraded_above: 95%\nunhealthy_above: 90%\n",
       "test.yaml:1:17: degraded_above: degraded_above 95% must be below unhealthy_above 90%"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    ConfigEntry entry(c.yaml);
    CreateDiskProbe(entry.node());
    CHECK(entry.Errors() == std::vector<std::string>{c.error});
  }
}

TEST_CASE("CreateDiskProbe: the default path is /", "[resource]") {
  ConfigEntry entry("{}");
  ProbePtr probe = CreateDiskProbe(entry.node());
  REQUIRE(probe != nullptr);
  CHECK(probe->Target() == "/");
}

TEST_CASE("DiskProbe: on this machine statvfs gives sane numbers", "[resource]") {
  ScratchTree scratch;
  const std::string missing = scratch.Path("missing");
  ConfigEntry entry("paths: [/, " + scratch.Path("") + ", " + missing + "]\n");
  ProbePtr probe = CreateDiskProbe(entry.node());
  REQUIRE(probe != nullptr);
  EventLoop loop;
  const ProbeResult result = RunProbe(*probe, {&loop, nullptr, loop.Now() + seconds(5)});
  for (const std::string& path : {std::string("/"), scratch.Path("")}) {
    INFO(path);
    const Labels labels = {{"mountpoint", path}};
    CHECK(*FindSample(result, "container_fs_size_bytes", labels) > 0);
    const double ratio = *FindSample(result, "container_fs_usage_ratio", labels);
    CHECK(ratio >= 0);
    CHECK(ratio <= 1);
  }
  CHECK(result.failure == "read");
  CHECK(result.reason.find("statvfs " + missing + ": No such file or directory") !=
        std::string::npos);
}

}  // namespace
}  // namespace sidecar::probes::resource
