// Fuzz target: the whole config path (YAML, ${VAR} expansion, durations, every probe type's
// validation). Any input must end in a config or a list of errors: no crash, no hang.
#include <cstdint>
#include <string>

#include "agent/config/agent_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SET") return std::string("postgresql://u:p@127.0.0.1:1/db");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  sidecar::config::LoadResult result = sidecar::config::LoadConfigText(text, "fuzz.yaml", env);
  for (const auto& error : result.errors) {
    (void)error.ToString();
  }
  return 0;
}
