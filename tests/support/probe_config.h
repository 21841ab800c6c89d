// Builds one probe from a YAML entry the way the agent does (the type's factory, then the
// unknown-key check), for probe tests. Thread-compatible.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::testing {

struct ParsedProbe {
  probes::ProbePtr probe;
  std::string errors;  // every ConfigError, one per line
};

// `entry` is the body of one list item, indented by four spaces ("    url: x\n"); ${VAR} comes
// from `env`.
inline ParsedProbe ParseProbeEntry(const std::string& entry,
                                   probes::ProbePtr (*factory)(config::ConfigNode&),
                                   const std::map<std::string, std::string>& env = {}) {
  auto state = std::make_shared<config::ParseState>();
  state->file = "test.yaml";
  state->env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto root = config::ConfigNode::Parse("probes:\n  -\n" + entry, state);
  auto probes = root.GetMapList("probes");
  REQUIRE(probes.size() == 1);
  ParsedProbe parsed;
  parsed.probe = factory(probes[0]);
  probes[0].CheckUnknownKeys();
  for (const auto& error : state->errors) parsed.errors += error.ToString() + "\n";
  return parsed;
}

}  // namespace sidecar::testing
