// Pure parsers for the cgroup files the resource probes read (kernel docs
// admin-guide/cgroup-v2.rst and cgroup-v1/memory.rst). No I/O: callers pass a file's text and
// prefix errors with its path. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/common/status.h"

namespace sidecar::probes::resource {

// A limit read from a cgroup file; nullopt means none ("max", -1, or v1's near-2^63 value).
using OptionalLimit = std::optional<uint64_t>;

// One unsigned number and a newline: memory.current, cpuacct.usage, memory.usage_in_bytes,
// cpu.cfs_period_us.
Result<uint64_t> ParseUint(std::string_view text);

// v2 cpu.stat. usage_usec is always there; the throttling keys only when the cpu controller is
// enabled for the cgroup.
struct CpuStatV2 {
  uint64_t usage_usec = 0;
  std::optional<uint64_t> nr_throttled;
  std::optional<uint64_t> throttled_usec;
};
Result<CpuStatV2> ParseCpuStatV2(std::string_view text);

// v2 cpu.max: "$MAX $PERIOD" ("max 100000", "50000 100000"). Only the first two tokens are
// read: a third ($BURST) has been proposed upstream.
struct CpuMax {
  OptionalLimit quota_usec;
  uint64_t period_usec = 100000;
};
Result<CpuMax> ParseCpuMax(std::string_view text);

// v2 memory.max: "max" or bytes.
Result<OptionalLimit> ParseMemoryMax(std::string_view text);

// v1 cpu/cpu.stat: throttled_time is in nanoseconds.
struct CpuStatV1 {
  std::optional<uint64_t> nr_throttled;
  std::optional<uint64_t> throttled_time_ns;
};
Result<CpuStatV1> ParseCpuStatV1(std::string_view text);

// v1 cpu/cpu.cfs_quota_us: -1 means none.
Result<OptionalLimit> ParseCfsQuota(std::string_view text);

// v1 memory/memory.limit_in_bytes: a value at or above 2^62 means none (the kernel writes
// PAGE_COUNTER_MAX pages, 2^63 minus one page, when no limit is set).
Result<OptionalLimit> ParseMemoryLimitV1(std::string_view text);

// The inactive page cache in memory.stat: `key` is "inactive_file" (v2) or
// "total_inactive_file" (v1, hierarchical). An absent key counts as 0, as cAdvisor does.
Result<uint64_t> ParseInactiveFile(std::string_view memory_stat, std::string_view key);

// oom_kill from v2 memory.events or v1 memory.oom_control; nullopt on kernels without it.
Result<std::optional<uint64_t>> ParseOomKills(std::string_view text);

}  // namespace sidecar::probes::resource
