// The `disk` probe: how full the file systems holding the configured paths are (bytes and
// inodes), held against the degraded_above and unhealthy_above levels (thresholds.h), one
// streak per path.
//
// statvfs(2) is synchronous and can hang on a dead network mount (NFS, EFS, SMB): the probe
// therefore looks only at the paths the config names (default "/"), never walks the mount
// table, and should be pointed at local or container file systems.
//
// Thread-compatible: the scheduler runs it on the loop thread, one run at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/common/status.h"
#include "probes/probe.h"
#include "probes/resource/thresholds.h"

namespace sidecar::probes::resource {

struct FsStats {
  uint64_t size_bytes = 0;       // f_blocks
  uint64_t used_bytes = 0;       // f_blocks - f_bfree
  uint64_t available_bytes = 0;  // f_bavail: free to unprivileged users
  uint64_t inodes = 0;           // 0 on file systems without a fixed inode table
  uint64_t inodes_free = 0;
};

using StatFs = std::function<Result<FsStats>(const std::string& path)>;

// statvfs(2). Errors read "statvfs /data: No such file or directory".
Result<FsStats> StatFilesystem(const std::string& path);

class DiskProbe final : public Probe {
 public:
  DiskProbe(std::vector<std::string> paths, const Thresholds& thresholds, StatFs statfs,
            std::function<TimePoint()> now);

  void Start(const ProbeContext& ctx, Done done) override;
  void Cancel() override {}
  std::string Target() const override;

 private:
  struct Watched {
    std::string path;
    SustainedLevel level;
  };

  ProbeResult Run();
  // Adds this path's samples to `result`, and its verdict and reason when it is not healthy.
  void Check(Watched& watched, TimePoint now, ProbeResult& result);

  std::vector<Watched> watched_;
  StatFs statfs_;
  std::function<TimePoint()> now_;
};

}  // namespace sidecar::probes::resource
