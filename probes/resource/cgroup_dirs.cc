#include "probes/resource/cgroup_dirs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "probes/resource/proc_parse.h"

namespace sidecar::probes::resource {
namespace {

// /proc/stat on a machine with thousands of interrupts is tens of KiB; nothing we read is
// near this.
constexpr size_t kMaxFileBytes = 1 << 20;

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

std::string Describe(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// <root><path> when that is a directory, else <root>.
std::string ProcessDir(const std::string& root, const std::string* path) {
  if (path != nullptr && !path->empty() && *path != "/" && (*path)[0] == '/') {
    std::string joined = root + *path;
    if (IsDirectory(joined)) {
      return joined;
    }
  }
  return root;
}

std::string ControllerDir(const ResourcePaths& paths, const ProcCgroup& self,
                          const std::string& controller) {
  const std::string root = paths.cgroup_root + "/" + controller;
  if (!IsDirectory(root)) {
    return "";
  }
  const auto it = self.controller_paths.find(controller);
  return ProcessDir(root, it == self.controller_paths.end() ? nullptr : &it->second);
}

}  // namespace

CgroupDirs FindCgroupDirs(const ResourcePaths& paths) {
  ProcCgroup self;
  if (auto text = ReadTextFile(paths.proc_root + "/self/cgroup"); text.ok()) {
    self = ParseProcCgroup(*text);
  }
  CgroupDirs dirs;
  if (FileExists(paths.cgroup_root + "/cgroup.controllers")) {
    dirs.version = CgroupVersion::kV2;
    dirs.unified = ProcessDir(paths.cgroup_root, self.unified_path ? &*self.unified_path : nullptr);
    return dirs;
  }
  dirs.cpu = ControllerDir(paths, self, "cpu");
  dirs.cpuacct = ControllerDir(paths, self, "cpuacct");
  dirs.memory = ControllerDir(paths, self, "memory");
  if (!dirs.cpu.empty() || !dirs.cpuacct.empty() || !dirs.memory.empty()) {
    dirs.version = CgroupVersion::kV1;
  }
  return dirs;
}

std::string DescribeSource(SourceKind kind, const std::string& dir, const std::string& proc_root) {
  switch (kind) {
    case SourceKind::kCgroupV2:
      return "cgroup v2 " + dir;
    case SourceKind::kCgroupV1:
      return "cgroup v1 " + dir;
    case SourceKind::kHost:
      break;
  }
  return "host " + proc_root;
}

Result<std::string> ReadTextFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Unavailable("read " + path + ": " + Describe(errno));
  }
  std::string text;
  char buffer[8192];
  while (text.size() < kMaxFileBytes) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Status::Unavailable("read " + path + ": " + Describe(error));
    }
    if (n == 0) {
      break;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

bool FileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Status ParseError(const std::string& path, const Status& status) {
  return Status::InvalidArgument("parse " + path + ": " + status.message());
}

}  // namespace sidecar::probes::resource
