#include "probes/resource/proc_parse.h"

#include <catch2/catch.hpp>

#include <string>

namespace sidecar::probes::resource {
namespace {

TEST_CASE("ParseProcStat: totals the aggregate cpu line and counts online CPUs", "[resource]") {
  struct Case {
    const char* text;
    uint64_t total;
    uint64_t idle;
    int cpus;
  };
  const Case cases[] = {
      // guest and guest_nice (the last two) are already in user and nice: not added again.
      {"cpu  10132 20 4315 1234567 1234 0 321 7 500 9\n"
       "cpu0 5066 10 2157 617283 617 0 160 0 0 0\n"
       "cpu1 5066 10 2158 617284 617 0 161 7 0 0\n"
       "intr 1234567 0 9 0\nctxt 2345678\nbtime 1700000000\n",
       10132 + 20 + 4315 + 1234567 + 1234 + 0 + 321 + 7, 1234567 + 1234, 2},
      // Linux 2.4: four fields only.
      {"cpu 100 0 50 850\ncpu0 100 0 50 850\n", 1000, 850, 1},
      // An offline CPU has no line: cpu0 and cpu3 online.
      {"cpu 1 1 1 1 1 1 1 1 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\ncpu3 0 0 0 0 0 0 0 0 0 0\n", 8, 2, 2},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto stat = ParseProcStat(c.text);
    REQUIRE(stat.ok());
    CHECK(stat->total_jiffies == c.total);
    CHECK(stat->idle_jiffies == c.idle);
    CHECK(stat->online_cpus == c.cpus);
  }
  CHECK(ParseProcStat("cpu0 1 2 3 4\nintr 5\n").status().message() == "no aggregate cpu line");
  CHECK(ParseProcStat("cpu 1 2 3\n").status().message() ==
        "cpu line has 3 fields, expected at least 4");
  CHECK(ParseProcStat("cpu 1 2 x 4\n").status().message() ==
        "cpu line: expected a number, got 'x'");
}

TEST_CASE("ParseMemInfo: MemTotal and MemAvailable in bytes", "[resource]") {
  const auto info = ParseMemInfo(
      "MemTotal:        4030656 kB\nMemFree:         1000000 kB\n"
      "MemAvailable:    3022992 kB\nHugePages_Total:       0\n");
  REQUIRE(info.ok());
  CHECK(info->total_bytes == 4030656ull * 1024);
  CHECK(info->available_bytes == 3022992ull * 1024);

  // Before Linux 3.14 there is no MemAvailable.
  const auto old = ParseMemInfo("MemTotal: 1024 kB\nMemFree: 512 kB\n");
  REQUIRE(old.ok());
  CHECK_FALSE(old->available_bytes.has_value());

  CHECK(ParseMemInfo("MemFree: 512 kB\n").status().message() == "no MemTotal");
  CHECK(ParseMemInfo("MemTotal: lots\n").status().message() ==
        "MemTotal: expected a number of kB, got 'lots'");
  CHECK_FALSE(ParseMemInfo("MemTotal: 1024 MB\n").ok());
}

TEST_CASE("ParseProcCgroup: the v2 line and the v1 controllers, comounted ones split",
          "[resource]") {
  const ProcCgroup v1 = ParseProcCgroup(
      "12:pids:/docker/3f1c\n11:memory:/docker/3f1c\n4:cpu,cpuacct:/docker/3f1c\n"
      "1:name=systemd:/docker/3f1c\n0::/system.slice/containerd.service\n");
  CHECK(v1.unified_path == "/system.slice/containerd.service");
  CHECK(v1.controller_paths.at("memory") == "/docker/3f1c");
  CHECK(v1.controller_paths.at("cpu") == "/docker/3f1c");
  CHECK(v1.controller_paths.at("cpuacct") == "/docker/3f1c");
  CHECK(v1.controller_paths.at("name=systemd") == "/docker/3f1c");

  const ProcCgroup v2 = ParseProcCgroup("0::/\n");
  CHECK(v2.unified_path == "/");
  CHECK(v2.controller_paths.empty());

  // A path may itself hold a colon; junk lines are skipped.
  const ProcCgroup odd = ParseProcCgroup("garbage\n0::/a:b\n\n");
  CHECK(odd.unified_path == "/a:b");
}

}  // namespace
}  // namespace sidecar::probes::resource
