// Pure parsers for the /proc files the resource probes read: /proc/stat, /proc/meminfo and
// /proc/self/cgroup (proc(5)). No I/O: callers pass a file's text. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "agent/common/status.h"

namespace sidecar::probes::resource {

// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks (jiffies), and the number of
// per-CPU lines, which the kernel prints for online CPUs only.
struct ProcStat {
  // user + nice + system + idle + iowait + irq + softirq + steal. guest and guest_nice are
  // already counted in user and nice, so they are left out.
  uint64_t total_jiffies = 0;
  // idle + iowait: time no task of the host wanted a CPU, as top counts it.
  uint64_t idle_jiffies = 0;
  int online_cpus = 0;
};
Result<ProcStat> ParseProcStat(std::string_view text);

// /proc/meminfo, in bytes (the file says kB and means KiB).
struct MemInfo {
  uint64_t total_bytes = 0;
  std::optional<uint64_t> available_bytes;  // MemAvailable, since Linux 3.14
};
Result<MemInfo> ParseMemInfo(std::string_view text);

// /proc/self/cgroup: "hierarchy-ID:controller-list:cgroup-path" lines. Lenient: lines it does
// not understand are skipped.
struct ProcCgroup {
  std::optional<std::string> unified_path;  // the "0::/path" line of cgroup v2
  // cgroup v1: controller ("cpu", "cpuacct", "memory", "name=systemd") to path.
  std::map<std::string, std::string, std::less<>> controller_paths;
};
ProcCgroup ParseProcCgroup(std::string_view text);

}  // namespace sidecar::probes::resource
