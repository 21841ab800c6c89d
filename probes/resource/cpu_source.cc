#include "probes/resource/cpu_source.h"

#include <unistd.h>

#include <algorithm>

#include "probes/resource/cgroup_parse.h"
#include "probes/resource/proc_parse.h"

namespace sidecar::probes::resource {
namespace {

constexpr double kMicrosPerSecond = 1e6;
constexpr double kNanosPerSecond = 1e9;

double TicksPerSecond() {
  const long ticks = ::sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;
}

}  // namespace

double CpuReading::LimitCores() const {
  const double online = static_cast<double>(online_cpus);
  return quota_cores ? std::min(*quota_cores, online) : online;
}

CpuSource CpuSource::Detect(const ResourcePaths& paths) {
  const CgroupDirs dirs = FindCgroupDirs(paths);
  if (dirs.version == CgroupVersion::kV2 && FileExists(dirs.unified + "/cpu.stat")) {
    return CpuSource(SourceKind::kCgroupV2, dirs.unified, "", paths.proc_root);
  }
  if (dirs.version == CgroupVersion::kV1 && !dirs.cpuacct.empty() &&
      FileExists(dirs.cpuacct + "/cpuacct.usage")) {
    return CpuSource(SourceKind::kCgroupV1, dirs.cpu, dirs.cpuacct, paths.proc_root);
  }
  return CpuSource(SourceKind::kHost, "", "", paths.proc_root);
}

std::string CpuSource::Describe() const {
  return DescribeSource(kind_, kind_ == SourceKind::kCgroupV1 ? cpuacct_dir_ : cpu_dir_,
                        proc_root_);
}

Result<CpuReading> CpuSource::Read() const {
  CpuReading reading;
  const auto stat = ReadAndParse(proc_root_ + "/stat", ParseProcStat);
  if (!stat.ok()) {
    return stat.status();
  }
  reading.online_cpus = std::max(stat->online_cpus, 1);
  reading.host_total_jiffies = stat->total_jiffies;
  reading.host_busy_jiffies = stat->total_jiffies - stat->idle_jiffies;
  switch (kind_) {
    case SourceKind::kCgroupV2:
      SIDECAR_RETURN_IF_ERROR(ReadV2(reading));
      break;
    case SourceKind::kCgroupV1:
      SIDECAR_RETURN_IF_ERROR(ReadV1(reading));
      break;
    case SourceKind::kHost:
      reading.usage_seconds = static_cast<double>(reading.host_busy_jiffies) / TicksPerSecond();
      break;
  }
  return reading;
}

Status CpuSource::ReadV2(CpuReading& reading) const {
  const auto stat = ReadAndParse(cpu_dir_ + "/cpu.stat", ParseCpuStatV2);
  if (!stat.ok()) {
    return stat.status();
  }
  reading.usage_seconds = static_cast<double>(stat->usage_usec) / kMicrosPerSecond;
  if (stat->throttled_usec) {
    reading.throttled_seconds = static_cast<double>(*stat->throttled_usec) / kMicrosPerSecond;
  }
  // No cpu.max: the cpu controller is not enabled for this cgroup, so nothing limits it.
  const std::string max_path = cpu_dir_ + "/cpu.max";
  if (FileExists(max_path)) {
    const auto cpu_max = ReadAndParse(max_path, ParseCpuMax);
    if (!cpu_max.ok()) {
      return cpu_max.status();
    }
    if (cpu_max->quota_usec) {
      reading.quota_cores =
          static_cast<double>(*cpu_max->quota_usec) / static_cast<double>(cpu_max->period_usec);
    }
  }
  return Status::Ok();
}

Status CpuSource::ReadV1(CpuReading& reading) const {
  const auto usage = ReadAndParse(cpuacct_dir_ + "/cpuacct.usage", ParseUint);
  if (!usage.ok()) {
    return usage.status();
  }
  reading.usage_seconds = static_cast<double>(*usage) / kNanosPerSecond;
  // The cpu hierarchy (quota, throttling) may be missing; cpuacct alone still gives usage.
  const std::string quota_path = cpu_dir_ + "/cpu.cfs_quota_us";
  if (!cpu_dir_.empty() && FileExists(quota_path)) {
    const auto quota = ReadAndParse(quota_path, ParseCfsQuota);
    if (!quota.ok()) {
      return quota.status();
    }
    if (quota->has_value()) {
      const auto period = ReadAndParse(cpu_dir_ + "/cpu.cfs_period_us", ParseUint);
      if (!period.ok()) {
        return period.status();
      }
      if (*period == 0) {
        return Status::InvalidArgument("parse " + cpu_dir_ + "/cpu.cfs_period_us: period is 0");
      }
      reading.quota_cores = static_cast<double>(**quota) / static_cast<double>(*period);
    }
  }
  const std::string stat_path = cpu_dir_ + "/cpu.stat";
  if (!cpu_dir_.empty() && FileExists(stat_path)) {
    const auto stat = ReadAndParse(stat_path, ParseCpuStatV1);
    if (!stat.ok()) {
      return stat.status();
    }
    if (stat->throttled_time_ns) {
      reading.throttled_seconds = static_cast<double>(*stat->throttled_time_ns) / kNanosPerSecond;
    }
  }
  return Status::Ok();
}

}  // namespace sidecar::probes::resource
