// ${VAR} expansion in config values, with the forms Docker Compose and POSIX shells use:
//   ${VAR}          value of VAR; an error when VAR is unset
//   ${VAR:-word}    word when VAR is unset or empty      ${VAR-word}  word when VAR is unset
//   ${VAR:+word}    word when VAR is set and non-empty   ${VAR+word}  word when VAR is set
//   ${VAR:?msg}     an error with msg when VAR is unset or empty
//   $$              a literal '$'
// A '$' not followed by '{' or '$' is kept as is. Pure; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/common/status.h"

namespace sidecar::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
EnvLookup ProcessEnv();

struct Expansion {
  std::string value;
  bool used_env = false;  // some ${VAR} contributed a value (values from the env may be secret)
};

// Returns the expanded text, or an InvalidArgument status whose message says which variable
// and what to do ("environment variable DATABASE_URL is not set").
Result<Expansion> ExpandEnv(std::string_view text, const EnvLookup& env);

}  // namespace sidecar::config
