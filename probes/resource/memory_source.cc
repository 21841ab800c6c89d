#include "probes/resource/memory_source.h"

#include "probes/resource/cgroup_parse.h"
#include "probes/resource/proc_parse.h"

namespace sidecar::probes::resource {
namespace {

uint64_t WorkingSet(uint64_t usage, uint64_t inactive_file) {
  return inactive_file < usage ? usage - inactive_file : 0;
}

}  // namespace

MemorySource MemorySource::Detect(const ResourcePaths& paths) {
  const CgroupDirs dirs = FindCgroupDirs(paths);
  if (dirs.version == CgroupVersion::kV2 && FileExists(dirs.unified + "/memory.current")) {
    return MemorySource(SourceKind::kCgroupV2, dirs.unified, paths.proc_root);
  }
  if (dirs.version == CgroupVersion::kV1 && !dirs.memory.empty() &&
      FileExists(dirs.memory + "/memory.usage_in_bytes")) {
    return MemorySource(SourceKind::kCgroupV1, dirs.memory, paths.proc_root);
  }
  return MemorySource(SourceKind::kHost, "", paths.proc_root);
}

Result<MemoryReading> MemorySource::Read() const {
  MemoryReading reading;
  std::optional<uint64_t> limit;
  if (kind_ != SourceKind::kHost) {
    SIDECAR_RETURN_IF_ERROR(ReadCgroup(reading, limit));
  }
  if (limit) {
    reading.limit_bytes = *limit;
    return reading;
  }
  const std::string meminfo_path = proc_root_ + "/meminfo";
  const auto meminfo = ReadAndParse(meminfo_path, ParseMemInfo);
  if (!meminfo.ok()) {
    return meminfo.status();
  }
  reading.limit_bytes = meminfo->total_bytes;
  reading.limit_is_host_total = true;
  if (kind_ == SourceKind::kHost) {
    if (!meminfo->available_bytes) {
      return Status::InvalidArgument("parse " + meminfo_path + ": no MemAvailable");
    }
    reading.usage_bytes =
        meminfo->total_bytes - std::min(*meminfo->available_bytes, meminfo->total_bytes);
    reading.working_set_bytes = reading.usage_bytes;
  }
  return reading;
}

// The same four facts live in differently named files in the two cgroup versions.
struct MemoryFiles {
  const char* usage;
  const char* limit;
  Result<OptionalLimit> (*parse_limit)(std::string_view);
  const char* inactive_key;  // in memory.stat
  const char* oom;           // optional
};

constexpr MemoryFiles kV2Files{"memory.current", "memory.max", ParseMemoryMax, "inactive_file",
                               "memory.events"};
constexpr MemoryFiles kV1Files{"memory.usage_in_bytes", "memory.limit_in_bytes", ParseMemoryLimitV1,
                               "total_inactive_file", "memory.oom_control"};

Status MemorySource::ReadCgroup(MemoryReading& reading, std::optional<uint64_t>& limit) const {
  const MemoryFiles& files = kind_ == SourceKind::kCgroupV2 ? kV2Files : kV1Files;
  const auto usage = ReadAndParse(dir_ + "/" + files.usage, ParseUint);
  if (!usage.ok()) {
    return usage.status();
  }
  const auto max = ReadAndParse(dir_ + "/" + files.limit, files.parse_limit);
  if (!max.ok()) {
    return max.status();
  }
  const auto inactive = ReadAndParse(dir_ + "/memory.stat", [&files](std::string_view text) {
    return ParseInactiveFile(text, files.inactive_key);
  });
  if (!inactive.ok()) {
    return inactive.status();
  }
  const std::string oom_path = dir_ + "/" + files.oom;
  if (FileExists(oom_path)) {
    const auto oom_kills = ReadAndParse(oom_path, ParseOomKills);
    if (!oom_kills.ok()) {
      return oom_kills.status();
    }
    reading.oom_kills = *oom_kills;
  }
  reading.usage_bytes = *usage;
  reading.working_set_bytes = WorkingSet(*usage, *inactive);
  limit = *max;
  return Status::Ok();
}

}  // namespace sidecar::probes::resource
