#include "probes/resource/cgroup_parse.h"

#include <string>
#include <vector>

#include "probes/resource/parse_util.h"

namespace sidecar::probes::resource {
namespace {

// v1 writes PAGE_COUNTER_MAX * PAGE_SIZE (2^63 minus a page) for "no limit"; no real limit
// comes near 2^62 bytes.
constexpr uint64_t kV1UnlimitedAtOrAbove = uint64_t{1} << 62;

}  // namespace

Result<uint64_t> ParseUint(std::string_view text) {
  const std::string_view trimmed = TrimSpace(text);
  const std::optional<uint64_t> value = ToUint(trimmed);
  if (!value) {
    return Status::InvalidArgument("expected a number, " + Got(trimmed));
  }
  return *value;
}

Result<CpuStatV2> ParseCpuStatV2(std::string_view text) {
  auto usage = LookupKey(text, "usage_usec");
  auto nr_throttled = LookupKey(text, "nr_throttled");
  auto throttled = LookupKey(text, "throttled_usec");
  for (const auto* result : {&usage, &nr_throttled, &throttled}) {
    if (!result->ok()) return result->status();
  }
  if (!usage->has_value()) {
    return Status::InvalidArgument("no usage_usec");
  }
  return CpuStatV2{**usage, *nr_throttled, *throttled};
}

Result<CpuMax> ParseCpuMax(std::string_view text) {
  const std::vector<std::string_view> fields = SplitFields(text);
  if (fields.empty()) {
    return Status::InvalidArgument("empty, expected '$MAX $PERIOD' such as 'max 100000'");
  }
  CpuMax cpu_max;
  if (fields[0] != "max") {
    const std::optional<uint64_t> quota = ToUint(fields[0]);
    if (!quota) {
      return Status::InvalidArgument("expected 'max' or a number of microseconds, " +
                                     Got(fields[0]));
    }
    cpu_max.quota_usec = *quota;
  }
  if (fields.size() >= 2) {
    const std::optional<uint64_t> period = ToUint(fields[1]);
    if (!period || *period == 0) {
      return Status::InvalidArgument("expected a period in microseconds, " + Got(fields[1]));
    }
    cpu_max.period_usec = *period;
  }
  return cpu_max;
}

Result<OptionalLimit> ParseMemoryMax(std::string_view text) {
  const std::string_view trimmed = TrimSpace(text);
  if (trimmed == "max") {
    return OptionalLimit();
  }
  const std::optional<uint64_t> value = ToUint(trimmed);
  if (!value) {
    return Status::InvalidArgument("expected 'max' or a number of bytes, " + Got(trimmed));
  }
  return OptionalLimit(*value);
}

Result<CpuStatV1> ParseCpuStatV1(std::string_view text) {
  auto nr_throttled = LookupKey(text, "nr_throttled");
  auto throttled = LookupKey(text, "throttled_time");
  if (!nr_throttled.ok()) return nr_throttled.status();
  if (!throttled.ok()) return throttled.status();
  return CpuStatV1{*nr_throttled, *throttled};
}

Result<OptionalLimit> ParseCfsQuota(std::string_view text) {
  const std::string_view trimmed = TrimSpace(text);
  if (trimmed == "-1") {
    return OptionalLimit();
  }
  const std::optional<uint64_t> value = ToUint(trimmed);
  if (!value || *value == 0) {
    return Status::InvalidArgument("expected -1 or a number of microseconds, " + Got(trimmed));
  }
  return OptionalLimit(*value);
}

Result<OptionalLimit> ParseMemoryLimitV1(std::string_view text) {
  auto value = ParseUint(text);
  if (!value.ok()) {
    return value.status();
  }
  if (*value >= kV1UnlimitedAtOrAbove) {
    return OptionalLimit();
  }
  return OptionalLimit(*value);
}

Result<uint64_t> ParseInactiveFile(std::string_view memory_stat, std::string_view key) {
  auto value = LookupKey(memory_stat, key);
  if (!value.ok()) {
    return value.status();
  }
  return value->value_or(0);
}

Result<std::optional<uint64_t>> ParseOomKills(std::string_view text) {
  return LookupKey(text, "oom_kill");
}

}  // namespace sidecar::probes::resource
