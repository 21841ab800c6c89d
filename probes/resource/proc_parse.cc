#include "probes/resource/proc_parse.h"

#include <vector>

#include "probes/resource/parse_util.h"

namespace sidecar::probes::resource {
namespace {

// Fields of the "cpu" line, in order: user nice system idle iowait irq softirq steal guest
// guest_nice. Older kernels print fewer; four are always there.
constexpr size_t kIdle = 3;
constexpr size_t kIowait = 4;
constexpr size_t kCountedFields = 8;  // up to steal
constexpr size_t kMinimumFields = 4;

bool IsPerCpuLabel(std::string_view label) {
  if (label.size() <= 3 || label.substr(0, 3) != "cpu") return false;
  return ToUint(label.substr(3)).has_value();
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view text) {
  ProcStat stat;
  bool found_total = false;
  Status error;
  ForEachLine(text, [&](std::string_view line) {
    const std::vector<std::string_view> fields = SplitFields(line);
    if (fields.empty()) return;
    if (IsPerCpuLabel(fields[0])) {
      ++stat.online_cpus;
      return;
    }
    if (fields[0] != "cpu" || found_total) return;
    found_total = true;
    if (fields.size() < 1 + kMinimumFields) {
      error = Status::InvalidArgument("cpu line has " + std::to_string(fields.size() - 1) +
                                      " fields, expected at least 4");
      return;
    }
    for (size_t i = 0; i < kCountedFields && i + 1 < fields.size(); ++i) {
      const std::optional<uint64_t> value = ToUint(fields[i + 1]);
      if (!value) {
        error = Status::InvalidArgument("cpu line: expected a number, " + Got(fields[i + 1]));
        return;
      }
      stat.total_jiffies += *value;
      if (i == kIdle || i == kIowait) stat.idle_jiffies += *value;
    }
  });
  if (!error.ok()) {
    return error;
  }
  if (!found_total) {
    return Status::InvalidArgument("no aggregate cpu line");
  }
  return stat;
}

Result<MemInfo> ParseMemInfo(std::string_view text) {
  std::optional<uint64_t> total;
  std::optional<uint64_t> available;
  Status error;
  ForEachLine(text, [&](std::string_view line) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    std::optional<uint64_t>* target = key == "MemTotal"       ? &total
                                      : key == "MemAvailable" ? &available
                                                              : nullptr;
    if (target == nullptr) return;
    const std::vector<std::string_view> fields = SplitFields(line.substr(colon + 1));
    const std::optional<uint64_t> value = fields.empty() ? std::nullopt : ToUint(fields[0]);
    if (!value || (fields.size() > 1 && fields[1] != "kB")) {
      error = Status::InvalidArgument(std::string(key) + ": expected a number of kB, " +
                                      Got(TrimSpace(line.substr(colon + 1))));
      return;
    }
    *target = *value * 1024;
  });
  if (!error.ok()) {
    return error;
  }
  if (!total) {
    return Status::InvalidArgument("no MemTotal");
  }
  return MemInfo{*total, available};
}

ProcCgroup ParseProcCgroup(std::string_view text) {
  ProcCgroup parsed;
  ForEachLine(text, [&](std::string_view line) {
    const size_t first = line.find(':');
    if (first == std::string_view::npos) return;
    const size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) return;
    const std::string_view id = line.substr(0, first);
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string path(TrimSpace(line.substr(second + 1)));
    if (id == "0" && controllers.empty()) {
      parsed.unified_path = path;
      return;
    }
    size_t start = 0;
    while (start <= controllers.size()) {
      size_t end = controllers.find(',', start);
      if (end == std::string_view::npos) end = controllers.size();
      if (end > start)
        parsed.controller_paths[std::string(controllers.substr(start, end - start))] = path;
      start = end + 1;
    }
  });
  return parsed;
}

}  // namespace sidecar::probes::resource
