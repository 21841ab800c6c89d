#include "probes/resource/cgroup_parse.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace sidecar::probes::resource {
namespace {

constexpr std::nullopt_t kNone = std::nullopt;

TEST_CASE("ParseUint: reads one number and rejects anything else", "[resource]") {
  CHECK(*ParseUint("402653184\n") == 402653184u);
  CHECK(*ParseUint("  0  ") == 0u);
  for (const char* bad : {"", "\n", "-1", "12 34", "abc", "1e6", "18446744073709551616"}) {
    INFO(bad);
    const auto parsed = ParseUint(bad);
    CHECK_FALSE(parsed.ok());
  }
  CHECK(ParseUint("abc").status().message() == "expected a number, got 'abc'");
}

TEST_CASE("ParseCpuStatV2: reads usage and throttling, which only the cpu controller adds",
          "[resource]") {
  struct Case {
    const char* text;
    uint64_t usage;
    std::optional<uint64_t> nr_throttled;
    std::optional<uint64_t> throttled;
  };
  const Case cases[] = {
      {"usage_usec 8123456789\nuser_usec 6000000000\nsystem_usec 2123456789\nnr_periods 81234\n"
       "nr_throttled 1234\nthrottled_usec 56789012\nnr_bursts 0\nburst_usec 0\n",
       8123456789, 1234, 56789012},
      {"usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n", 2500000, kNone, kNone},
      {"core_sched.force_idle_usec 0\nusage_usec 7\nthrottled_usec 0", 7, kNone, 0},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto stat = ParseCpuStatV2(c.text);
    REQUIRE(stat.ok());
    CHECK(stat->usage_usec == c.usage);
    CHECK(stat->nr_throttled == c.nr_throttled);
    CHECK(stat->throttled_usec == c.throttled);
  }
  CHECK(ParseCpuStatV2("user_usec 1\n").status().message() == "no usage_usec");
  CHECK(ParseCpuStatV2("usage_usec lots\n").status().message() ==
        "usage_usec: expected a number, got 'lots'");
  CHECK(ParseCpuStatV2("usage_usec\n").status().message() ==
        "usage_usec: expected a number, got ''");
}

TEST_CASE("ParseCpuMax: max means no quota and only the first two tokens count", "[resource]") {
  struct Case {
    const char* text;
    std::optional<uint64_t> quota;
    uint64_t period;
  };
  const Case cases[] = {
      {"max 100000\n", kNone, 100000},
      {"50000 100000\n", 50000, 100000},
      {"200000 100000 50000\n", 200000, 100000},  // a $BURST field, as proposed upstream
      {"max\n", kNone, 100000},                   // period left at its default
      {"150000 50000", 150000, 50000},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto cpu_max = ParseCpuMax(c.text);
    REQUIRE(cpu_max.ok());
    CHECK(cpu_max->quota_usec == c.quota);
    CHECK(cpu_max->period_usec == c.period);
  }
  for (const char* bad : {"", "unlimited 100000", "50000 0", "50000 abc", "-1 100000"}) {
    INFO(bad);
    CHECK_FALSE(ParseCpuMax(bad).ok());
  }
  CHECK(ParseCpuMax("half 100000").status().message() ==
        "expected 'max' or a number of microseconds, got 'half'");
}

TEST_CASE("ParseMemoryMax and ParseMemoryLimitV1: the ways a cgroup says there is no limit",
          "[resource]") {
  CHECK(*ParseMemoryMax("max\n") == kNone);
  CHECK(*ParseMemoryMax("536870912\n") == 536870912u);
  CHECK_FALSE(ParseMemoryMax("512M").ok());
  CHECK_FALSE(ParseMemoryMax("").ok());

  struct Case {
    const char* text;
    std::optional<uint64_t> limit;
  };
  const Case v1_cases[] = {
      {"9223372036854771712\n", kNone},  // 2^63 - 4096: PAGE_COUNTER_MAX with 4 KiB pages
      {"9223372036854710272\n", kNone},  // 2^63 - 65536: 64 KiB pages (arm64, ppc64)
      {"9223372036854775807\n", kNone}, {"4611686018427387904\n", kNone},  // 2^62
      {"2147483648\n", 2147483648u},    {"4611686018427387903\n", 4611686018427387903u},
  };
  for (const Case& c : v1_cases) {
    INFO(c.text);
    const auto limit = ParseMemoryLimitV1(c.text);
    REQUIRE(limit.ok());
    CHECK(*limit == c.limit);
  }
  CHECK_FALSE(ParseMemoryLimitV1("-1").ok());
}

TEST_CASE("ParseCfsQuota: -1 means no quota", "[resource]") {
  CHECK(*ParseCfsQuota("-1\n") == kNone);
  CHECK(*ParseCfsQuota("150000\n") == 150000u);
  for (const char* bad : {"", "0", "-2", "max"}) {
    INFO(bad);
    CHECK_FALSE(ParseCfsQuota(bad).ok());
  }
}

TEST_CASE("ParseCpuStatV1: throttled_time is read in nanoseconds", "[resource]") {
  const auto stat = ParseCpuStatV1("nr_periods 5000\nnr_throttled 42\nthrottled_time 3500000000\n");
  REQUIRE(stat.ok());
  CHECK(stat->nr_throttled == 42u);
  CHECK(stat->throttled_time_ns == 3500000000u);
  const auto empty = ParseCpuStatV1("");
  REQUIRE(empty.ok());
  CHECK(empty->throttled_time_ns == kNone);
}

TEST_CASE("ParseInactiveFile: v2 and v1 keys, and an absent key counts as 0", "[resource]") {
  const char* v1_stat = "cache 402653184\ninactive_file 134217728\ntotal_inactive_file 268435456\n";
  struct Case {
    const char* text;
    const char* key;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"anon 1\ninactive_file 67108864\nactive_file 2\n", "inactive_file", 67108864},
      // v1 must take the hierarchical total, not the cgroup's own line.
      {v1_stat, "total_inactive_file", 268435456},
      {v1_stat, "inactive_file", 134217728},
      {"anon 1\n", "inactive_file", 0},
      // A key that only ends like ours is a different key.
      {"total_inactive_file 5\n", "inactive_file", 0},
  };
  for (const Case& c : cases) {
    INFO(c.text << " / " << c.key);
    const auto bytes = ParseInactiveFile(c.text, c.key);
    REQUIRE(bytes.ok());
    CHECK(*bytes == c.bytes);
  }
  CHECK(ParseInactiveFile("inactive_file -3\n", "inactive_file").status().message() ==
        "inactive_file: expected a number, got '-3'");
}

TEST_CASE("ParseOomKills: oom_kill from memory.events and memory.oom_control", "[resource]") {
  CHECK(**ParseOomKills("low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n") == 1u);
  CHECK(**ParseOomKills("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n") == 3u);
  // Kernels before 4.13 do not count OOM kills in memory.oom_control.
  CHECK(*ParseOomKills("oom_kill_disable 0\nunder_oom 0\n") == kNone);
}

}  // namespace
}  // namespace sidecar::probes::resource
