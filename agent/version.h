// The agent's version, set by the build (CMake project version and git revision).
#pragma once

namespace sidecar {

#ifndef AGENT_VERSION
#define AGENT_VERSION "0.0.0"
#endif
#ifndef AGENT_REVISION
#define AGENT_REVISION "unknown"
#endif

inline constexpr const char* kAgentVersion = AGENT_VERSION;
inline constexpr const char* kAgentRevision = AGENT_REVISION;

}  // namespace sidecar
