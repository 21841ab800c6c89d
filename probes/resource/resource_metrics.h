// The samples of the cpu, memory and disk probes. Names echo cAdvisor's, which users already
// chart and alert on. Constants; thread-safe.
#pragma once

#include "probes/probe.h"

namespace sidecar::probes::resource {

// cpu
inline constexpr MetricDef kCpuUsageSeconds{
    "container_cpu_usage_seconds_total",
    "CPU time used by the container's cgroup (on a host without one: busy time of all CPUs).",
    MetricType::kCounter};
inline constexpr MetricDef kCpuLimitCores{
    "container_cpu_limit_cores",
    "CPU cores the usage ratio is measured against: the cgroup quota, or the online CPUs."};
inline constexpr MetricDef kCpuUsageRatio{
    "container_cpu_usage_ratio",
    "CPU used over the last probe interval as a fraction of container_cpu_limit_cores."};
inline constexpr MetricDef kCpuThrottledSeconds{
    "container_cpu_throttled_seconds_total",
    "Time the container's cgroup was throttled by its CPU quota.", MetricType::kCounter};

// memory
inline constexpr MetricDef kMemoryUsageBytes{
    "container_memory_usage_bytes",
    "Memory charged to the container's cgroup, page cache included."};
inline constexpr MetricDef kMemoryWorkingSetBytes{
    "container_memory_working_set_bytes",
    "Memory usage minus inactive file cache, as kubelet computes it for eviction."};
inline constexpr MetricDef kMemoryLimitBytes{
    "container_memory_limit_bytes",
    "Memory limit the usage ratio is measured against: the cgroup limit, or the host's memory."};
inline constexpr MetricDef kMemoryUsageRatio{
    "container_memory_usage_ratio", "Working set as a fraction of container_memory_limit_bytes."};
inline constexpr MetricDef kOomKills{
    "container_oom_kills_total", "Processes of the container's cgroup killed by the OOM killer.",
    MetricType::kCounter};

// disk, with label `mountpoint` (the configured path)
inline constexpr MetricDef kFsSizeBytes{"container_fs_size_bytes",
                                        "Size of the file system holding the path."};
inline constexpr MetricDef kFsUsedBytes{"container_fs_used_bytes",
                                        "Bytes in use on the file system holding the path."};
inline constexpr MetricDef kFsUsageRatio{
    "container_fs_usage_ratio",
    "Used bytes over used plus available bytes (blocks reserved for root left out, as df does)."};
inline constexpr MetricDef kFsInodesUsageRatio{"container_fs_inodes_usage_ratio",
                                               "Used inodes as a fraction of all inodes."};

}  // namespace sidecar::probes::resource
