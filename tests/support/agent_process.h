// Runs the real `agent` binary for end-to-end tests: spawn with arguments and environment,
// capture its output to a file, signal it, wait for it with a bound. Thread-compatible.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agent/common/duration.h"

namespace sidecar::testing {

// A loopback TCP port below the ephemeral range that was free a moment ago.
uint16_t FreePort();

// Writes `text` to a new file in a temp dir and returns its path.
std::string WriteTempFile(const std::string& name, const std::string& text);

class AgentProcess {
 public:
  // Starts AGENT_BINARY with `args`; `env` is added to (and overrides) the test's environment.
  AgentProcess(std::vector<std::string> args, std::map<std::string, std::string> env = {});
  ~AgentProcess();  // SIGKILLs the process if it still runs
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signo) const;
  // Waits for exit at most `limit`; returns the exit status, or -1 if it did not exit.
  int Wait(Duration limit);
  // Everything it wrote to stdout and stderr so far.
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  std::string output_path_;
  bool exited_ = false;
  int status_ = -1;
};

// Runs the agent to completion (bounded by `limit`) and returns {exit status, output}.
std::pair<int, std::string> RunAgentCommand(std::vector<std::string> args,
                                            std::map<std::string, std::string> env = {},
                                            Duration limit = std::chrono::seconds(30));

// Polls `path` on 127.0.0.1:port until it answers with `status` or `limit` passes; returns the
// last body (empty when nothing answered).
std::string WaitForHttp(uint16_t port, const std::string& path, int status, Duration limit);

// Polls `path` on 127.0.0.1:port every 100 ms until its body contains every one of `needles` or
// `limit` passes; returns the last body.
std::string WaitForBody(uint16_t port, const std::string& path,
                        const std::vector<std::string>& needles, Duration limit);

}  // namespace sidecar::testing
