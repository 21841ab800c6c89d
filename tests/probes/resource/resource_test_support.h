// Helpers shared by the resource probe tests: a config entry built from YAML text, a scratch
// directory tree for probes whose files change between runs, running a synchronous probe, and
// finding a sample. Test-only; thread-compatible.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "agent/config/config_node.h"
#include "probes/probe.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::resource::testing {

// One probe entry's own keys, parsed as the root mapping ("thresholds: {warning: 0.8}").
class ConfigEntry {
 public:
  explicit ConfigEntry(const std::string& yaml)
      : state_(MakeState()), node_(config::ConfigNode::Parse(yaml, state_)) {}

  config::ConfigNode& node() { return node_; }

  // What the agent would report once the factory ran: every error, unknown keys included.
  std::vector<std::string> Errors() {
    node_.CheckUnknownKeys();
    std::vector<std::string> errors;
    for (const config::ConfigError& error : state_->errors) errors.push_back(error.ToString());
    return errors;
  }

 private:
  static std::shared_ptr<config::ParseState> MakeState() {
    auto state = std::make_shared<config::ParseState>();
    state->file = "test.yaml";
    state->env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return state;
  }

  std::shared_ptr<config::ParseState> state_;
  config::ConfigNode node_;
};

// A directory under the system's temp dir, removed with everything in it at the end.
class ScratchTree {
 public:
  ScratchTree() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("resource_probe_test_" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchTree() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchTree(const ScratchTree&) = delete;
  ScratchTree& operator=(const ScratchTree&) = delete;

  // Copies a tree from tests/testdata (e.g. "cgroup/v2_limited") to `relative`.
  void CopyFixture(const std::string& fixture, const std::string& relative) {
    std::filesystem::create_directories(path_ / relative);
    std::filesystem::copy(sidecar::testing::TestDataPath(fixture), path_ / relative,
                          std::filesystem::copy_options::recursive);
  }

  void Write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::trunc) << text;
  }

  void Remove(const std::string& relative) { std::filesystem::remove(path_ / relative); }

  std::string Path(const std::string& relative) const { return (path_ / relative).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a probe that completes inside Start(), as cpu, memory and disk do.
inline ProbeResult RunProbe(Probe& probe, const ProbeContext& ctx = {nullptr, nullptr, {}}) {
  std::optional<ProbeResult> result;
  int calls = 0;
  probe.Start(ctx, [&](ProbeResult done) {
    ++calls;
    result = std::move(done);
  });
  REQUIRE(calls == 1);
  return std::move(*result);
}

inline std::optional<double> FindSample(const ProbeResult& result, const std::string& name,
                                        const Labels& labels = {}) {
  for (const Sample& sample : result.samples) {
    if (sample.metric->name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

}  // namespace sidecar::probes::resource::testing
