// Helpers shared by the http probe tests: a probe from YAML with a fake environment, and an
// event loop that runs it. Test-only; single-threaded.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/config_node.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "probes/http/http_options.h"
#include "probes/http/http_probe.h"

namespace sidecar::probes::http {

using Env = std::map<std::string, std::string>;

struct Parsed {
  std::shared_ptr<config::ParseState> state;
  ProbePtr probe;
  std::string errors;
};

// Parses one probe entry (YAML, indented by four spaces) with ${VAR} from `env`.
inline Parsed ParseProbe(const std::string& entry, const Env& env = {}) {
  Parsed parsed;
  parsed.state = std::make_shared<config::ParseState>();
  parsed.state->file = "test.yaml";
  parsed.state->env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto root = config::ConfigNode::Parse("probes:\n  -\n" + entry, parsed.state);
  auto probes = root.GetMapList("probes");
  REQUIRE(probes.size() == 1);
  parsed.probe = CreateHttpProbe(probes[0]);
  probes[0].CheckUnknownKeys();
  for (const auto& error : parsed.state->errors) parsed.errors += error.ToString() + "\n";
  return parsed;
}

inline ProbePtr MakeProbe(const std::string& entry, const Env& env = {}) {
  Parsed parsed = ParseProbe(entry, env);
  INFO(parsed.errors);
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.probe != nullptr);
  return std::move(parsed.probe);
}

// An event loop and resolver that run one probe and count its completions.
struct Harness {
  EventLoop loop;
  Resolver resolver{&loop};
  std::optional<ProbeResult> result;
  int completions = 0;

  void Start(Probe& probe, Duration timeout = std::chrono::seconds(10)) {
    result.reset();
    probe.Start(ProbeContext{&loop, &resolver, Clock::now() + timeout}, [this](ProbeResult r) {
      ++completions;
      result = std::move(r);
    });
  }
  bool RunUntilDone(Duration bound = std::chrono::seconds(20)) {
    const TimePoint end = Clock::now() + bound;
    while (!result && Clock::now() < end) loop.RunOnce(std::chrono::milliseconds(10));
    return result.has_value();
  }
  void RunFor(Duration span) {
    const TimePoint end = Clock::now() + span;
    while (Clock::now() < end) loop.RunOnce(std::chrono::milliseconds(10));
  }
  ProbeResult Run(Probe& probe, Duration timeout = std::chrono::seconds(10)) {
    const int before = completions;
    Start(probe, timeout);
    REQUIRE(RunUntilDone());
    CHECK(completions == before + 1);
    return *result;
  }
};

inline const Sample* FindSample(const ProbeResult& result, const MetricDef& metric,
                                const std::string& label_value = "") {
  for (const Sample& sample : result.samples) {
    if (sample.metric != &metric) continue;
    if (label_value.empty()) return &sample;
    for (const auto& [name, value] : sample.labels) {
      if (value == label_value) return &sample;
    }
  }
  return nullptr;
}

inline std::string Describe(const ProbeResult& result) {
  return std::string(VerdictName(result.verdict)) + " [" + result.failure + "] " + result.reason;
}

}  // namespace sidecar::probes::http
