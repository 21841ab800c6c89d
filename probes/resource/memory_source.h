// What the memory probe reads on each run: usage, working set and limit of this process's
// cgroup (v2 or v1), or of the host from /proc/meminfo when there is no memory cgroup to read.
//
// Working set is what kubelet and cAdvisor call it (and what eviction and `kubectl top` use):
// usage minus inactive file cache, clamped at 0; Docker's "mem used" is the same number.
//
// Synchronous reads of /sys and /proc (never blocking on a device). Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/common/status.h"
#include "probes/resource/cgroup_dirs.h"

namespace sidecar::probes::resource {

struct MemoryReading {
  uint64_t usage_bytes = 0;
  uint64_t working_set_bytes = 0;
  // The cgroup's limit, or the host's MemTotal when the cgroup has none (or on the host).
  uint64_t limit_bytes = 0;
  bool limit_is_host_total = false;
  std::optional<uint64_t> oom_kills;  // cgroup only, on kernels that count them
};

class MemorySource {
 public:
  // cgroup v2 when the cgroup has memory.current, v1 when it has memory.usage_in_bytes, else
  // the host. (The root cgroup has no memory.current: an agent there reads the host.)
  static MemorySource Detect(const ResourcePaths& paths);

  Result<MemoryReading> Read() const;

  SourceKind kind() const { return kind_; }
  std::string Describe() const { return DescribeSource(kind_, dir_, proc_root_); }

 private:
  MemorySource(SourceKind kind, std::string dir, std::string proc_root)
      : kind_(kind), dir_(std::move(dir)), proc_root_(std::move(proc_root)) {}

  Status ReadCgroup(MemoryReading& reading, std::optional<uint64_t>& limit) const;

  SourceKind kind_;
  std::string dir_;  // the memory cgroup directory; empty for the host
  std::string proc_root_;
};

}  // namespace sidecar::probes::resource
