// What the cpu probe reads on each run: the cumulative CPU time and limit of this process's
// cgroup (v2 or v1), or the host's /proc/stat when there is no cgroup to read.
//
// Synchronous reads of /sys and /proc (never blocking on a device). Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/common/status.h"
#include "probes/resource/cgroup_dirs.h"

namespace sidecar::probes::resource {

struct CpuReading {
  // CPU time used since the cgroup was created (host: busy time of all CPUs since boot).
  double usage_seconds = 0;
  std::optional<double> throttled_seconds;  // cgroup only, when the cpu controller reports it
  std::optional<double> quota_cores;        // the cgroup's CPU limit; nullopt: none
  int online_cpus = 0;                      // from /proc/stat
  // /proc/stat's aggregate line, for the host ratio (busy over total ticks, no wall clock).
  uint64_t host_busy_jiffies = 0;
  uint64_t host_total_jiffies = 0;

  // The cores the usage is measured against: the quota, but no more than the online CPUs (a
  // quota above them cannot be used), or the online CPUs when there is no quota.
  double LimitCores() const;
};

class CpuSource {
 public:
  // cgroup v2 when the cgroup has cpu.stat, v1 when it has cpuacct.usage, else the host.
  static CpuSource Detect(const ResourcePaths& paths);

  Result<CpuReading> Read() const;

  SourceKind kind() const { return kind_; }
  std::string Describe() const;

 private:
  CpuSource(SourceKind kind, std::string cpu_dir, std::string cpuacct_dir, std::string proc_root)
      : kind_(kind),
        cpu_dir_(std::move(cpu_dir)),
        cpuacct_dir_(std::move(cpuacct_dir)),
        proc_root_(std::move(proc_root)) {}

  Status ReadV2(CpuReading& reading) const;
  Status ReadV1(CpuReading& reading) const;

  SourceKind kind_;
  std::string cpu_dir_;      // v2: the unified cgroup directory; v1: the cpu hierarchy's
  std::string cpuacct_dir_;  // v1 only
  std::string proc_root_;
};

}  // namespace sidecar::probes::resource
