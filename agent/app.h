// The one place that wires everything together: config -> probes -> scheduler -> health board,
// metric store and HTTP endpoints, plus signals (SIGTERM stops, SIGHUP reloads) and the
// one-shot modes of the command line. Nothing else knows all of these.
#pragma once

#include <optional>
#include <string>

#include "agent/common/duration.h"
#include "agent/config/agent_config.h"

namespace sidecar {

// Exit codes, as ECS, Docker and Kubernetes read them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUnhealthy = 1;
inline constexpr int kExitBadConfig = 2;

struct AppOptions {
  std::string config_path;            // empty: $AGENT_CONFIG, else the built-in default
  std::optional<std::string> listen;  // --listen; beats $AGENT_LISTEN, which beats the file
  Duration check_timeout = std::chrono::seconds(2);  // --check: how long to wait for the agent
};

// Runs the agent until SIGTERM or SIGINT. Returns the process exit code.
int RunAgent(const AppOptions& options);

// `agent --check`: asks a running agent, or probes once itself when none answers.
int RunCheck(const AppOptions& options);

// `agent --validate-config`: prints every problem and returns 2, or a summary and 0.
int ValidateConfig(const AppOptions& options);

}  // namespace sidecar
