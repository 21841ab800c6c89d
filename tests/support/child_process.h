// A real server the tests start (Prometheus, Alertmanager): its output in a temp file, SIGTERM
// (then SIGKILL) when the test ends. Thread-compatible.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sidecar::testing {

class ChildProcess {
 public:
  // argv[0] is the program's path.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_; }
  // What it wrote so far (for INFO() when a test fails).
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  std::string log_;
};

}  // namespace sidecar::testing
