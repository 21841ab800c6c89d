#include "probes/resource/disk_probe.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "probes/resource/resource_metrics.h"

namespace sidecar::probes::resource {
namespace {

int Severity(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHealthy:
      return 0;
    case Verdict::kDegraded:
      return 1;
    case Verdict::kUnhealthy:
      return 2;
  }
  return 2;
}

// Merges one path's finding into the probe's result: the worst verdict wins, a read failure
// outranks a threshold, and every finding is kept in the reason.
void Merge(ProbeResult& result, Verdict verdict, const std::string& failure,
           const std::string& reason) {
  if (Severity(verdict) > Severity(result.verdict)) {
    result.verdict = verdict;
  }
  if (result.failure != "read") {
    result.failure = failure;
  }
  result.reason += (result.reason.empty() ? "" : "; ") + reason;
}

}  // namespace

Result<FsStats> StatFilesystem(const std::string& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0) {
    return Status::Unavailable("statvfs " + path + ": " +
                               std::error_code(errno, std::generic_category()).message());
  }
  const uint64_t unit = fs.f_frsize != 0 ? fs.f_frsize : fs.f_bsize;
  FsStats stats;
  stats.size_bytes = fs.f_blocks * unit;
  stats.used_bytes = (fs.f_blocks - std::min(fs.f_bfree, fs.f_blocks)) * unit;
  stats.available_bytes = fs.f_bavail * unit;
  stats.inodes = fs.f_files;
  stats.inodes_free = fs.f_ffree;
  return stats;
}

DiskProbe::DiskProbe(std::vector<std::string> paths, const Thresholds& thresholds, StatFs statfs,
                     std::function<TimePoint()> now)
    : statfs_(std::move(statfs)), now_(std::move(now)) {
  for (std::string& path : paths) {
    watched_.push_back(Watched{std::move(path), SustainedLevel(thresholds)});
  }
}

std::string DiskProbe::Target() const {
  std::string target;
  for (const Watched& watched : watched_) {
    target += (target.empty() ? "" : ", ") + watched.path;
  }
  return target;
}

void DiskProbe::Start(const ProbeContext& /*ctx*/, Done done) { done(Run()); }

ProbeResult DiskProbe::Run() {
  const TimePoint now = now_();
  ProbeResult result = ProbeResult::Healthy();
  for (Watched& watched : watched_) {
    Check(watched, now, result);
  }
  return result;
}

void DiskProbe::Check(Watched& watched, TimePoint now, ProbeResult& result) {
  const Result<FsStats> stats = statfs_(watched.path);
  if (!stats.ok()) {
    Merge(result, Verdict::kUnhealthy, "read", stats.status().message());
    return;
  }
  const Labels labels = {{"mountpoint", watched.path}};
  // As df computes Use%: blocks reserved for root are neither used nor available.
  const double usable = static_cast<double>(stats->used_bytes + stats->available_bytes);
  const double ratio = usable > 0 ? static_cast<double>(stats->used_bytes) / usable : 0;
  result.samples.push_back({&kFsSizeBytes, labels, static_cast<double>(stats->size_bytes)});
  result.samples.push_back({&kFsUsedBytes, labels, static_cast<double>(stats->used_bytes)});
  result.samples.push_back({&kFsUsageRatio, labels, ratio});
  double inode_ratio = 0;
  if (stats->inodes > 0) {
    const uint64_t used_inodes = stats->inodes - std::min(stats->inodes_free, stats->inodes);
    inode_ratio = static_cast<double>(used_inodes) / static_cast<double>(stats->inodes);
    result.samples.push_back({&kFsInodesUsageRatio, labels, inode_ratio});
  }
  // Running out of inodes fails writes as surely as running out of blocks.
  const Assessment assessment = watched.level.Update(std::max(ratio, inode_ratio), now);
  if (assessment.verdict == Verdict::kHealthy) {
    return;
  }
  const std::string what =
      inode_ratio > ratio
          ? "disk " + watched.path + " inodes " + FormatPercent(inode_ratio) + " used"
          : "disk " + watched.path + " " + FormatPercent(ratio) + " used of " +
                FormatBytes(static_cast<double>(stats->size_bytes));
  Merge(result, assessment.verdict, "threshold", what + " " + DescribeLevel(assessment));
}

}  // namespace sidecar::probes::resource
