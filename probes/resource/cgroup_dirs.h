// Where this process's cgroup files are: the roots to read (injectable, so tests run the real
// probes over fixture trees) and the cgroup directories found under them.
//
// Reading /sys and /proc never waits on a device, so these small synchronous reads are allowed
// on the loop thread. Thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "agent/common/status.h"

namespace sidecar::probes::resource {

struct ResourcePaths {
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string proc_root = "/proc";
};

enum class CgroupVersion { kNone, kV1, kV2 };

// Where a probe's numbers come from, chosen once when the probe is created.
enum class SourceKind { kCgroupV2, kCgroupV1, kHost };

// For Target(): "cgroup v2 /sys/fs/cgroup", "cgroup v1 /sys/fs/cgroup/memory", "host /proc".
std::string DescribeSource(SourceKind kind, const std::string& dir, const std::string& proc_root);

struct CgroupDirs {
  CgroupVersion version = CgroupVersion::kNone;
  std::string unified;  // v2: this process's cgroup directory
  // v1: one directory per controller; empty when that hierarchy is not mounted.
  std::string cpu;
  std::string cpuacct;
  std::string memory;
};

// v2 when <cgroup_root>/cgroup.controllers exists, else v1 when a controller hierarchy is
// mounted below it, else none. The path comes from <proc_root>/self/cgroup and is joined to the
// root when that directory exists (a service on a host); otherwise the root itself is the
// process's cgroup, as inside a container, where the path reads "/" (cgroup namespace) or names
// a directory that is not mounted there.
CgroupDirs FindCgroupDirs(const ResourcePaths& paths);

// The whole of a small /sys or /proc file. Errors read "read <path>: <errno text>".
Result<std::string> ReadTextFile(const std::string& path);

bool FileExists(const std::string& path);

// Turns a parser's error into "parse <path>: <message>".
Status ParseError(const std::string& path, const Status& status);

// Reads `path` and hands its text to `parse` (a function of std::string_view returning a
// Result), with the path in either error.
template <typename Parse>
auto ReadAndParse(const std::string& path, Parse&& parse) -> decltype(parse(std::string_view())) {
  auto text = ReadTextFile(path);
  if (!text.ok()) {
    return text.status();
  }
  auto parsed = parse(std::string_view(*text));
  if (!parsed.ok()) {
    return ParseError(path, parsed.status());
  }
  return parsed;
}

}  // namespace sidecar::probes::resource
