// dashboards/ and alerts/ may only use series the agent really exports: run the agent with every
// probe type against the real servers, collect the names on /metrics, and check every metric
// name in every alert expression and dashboard query against them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/agent_process.h"
#include "tests/support/test_env.h"

namespace sidecar::testing {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Metric names in a PromQL expression: identifiers that are not functions, keywords, label
// names or template text.
std::set<std::string> MetricNamesIn(std::string expr) {
  static const std::set<std::string> kKeywords = {
      "and", "or",       "unless",     "bool",        "offset", "by",  "without",
      "on",  "ignoring", "group_left", "group_right", "inf",    "nan", "e"};
  // Strings, label matchers, range/subquery brackets and grouping label lists carry no names.
  expr = std::regex_replace(expr, std::regex(R"("([^"\\]|\\.)*")"), " ");
  expr = std::regex_replace(expr, std::regex(R"(\{[^}]*\})"), " ");
  expr = std::regex_replace(expr, std::regex(R"(\[[^\]]*\])"), " ");
  expr = std::regex_replace(
      expr, std::regex(R"(\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))"), " ");
  std::set<std::string> names;
  const std::regex identifier(R"([a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?)");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), identifier);
       it != std::sregex_iterator(); ++it) {
    const std::string token = (*it)[0];
    if (token.back() == '(') continue;  // a function or aggregation
    if (kKeywords.count(token) != 0) continue;
    if (it->position() > 0 && std::isdigit(static_cast<unsigned char>(expr[it->position() - 1]))) {
      continue;  // a unit suffix such as 5m
    }
    names.insert(token);
  }
  return names;
}

void CollectExprs(const nlohmann::json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "expr" && value.is_string()) out.push_back(value.get<std::string>());
      CollectExprs(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) CollectExprs(value, out);
  }
}

TEST_CASE("MetricNamesIn: finds metric names and nothing else", "[names]") {
  CHECK(MetricNamesIn(
            R"(sum by (probe, reason) (rate(agent_probe_failures_total{x="a b"}[5m])) > 5)") ==
        std::set<std::string>{"agent_probe_failures_total"});
  CHECK(MetricNamesIn("a / (b > 0) > 0.9 and on (probe) c offset 5m") ==
        std::set<std::string>{"a", "b", "c"});
}

TEST_CASE("dashboards and alerts use only series the agent exports", "[e2e][integration]") {
  const uint16_t port = FreePort();
  const std::string config = WriteTempFile(
      "agent.yaml",
      "startup_grace: 0s\nprobes:\n"
      "  - {name: db, type: postgres, url: \"${DATABASE_URL}\", interval: 1s}\n"
      "  - {name: cache, type: redis, url: \"${REDIS_URL}\", interval: 1s}\n"
      "  - {name: down, type: redis, url: \"redis://127.0.0.1:1\", critical: false, interval: 1s}\n"
      "  - {name: cpu, type: cpu, interval: 1s}\n"
      "  - {name: memory, type: memory, interval: 1s}\n"
      "  - {name: disk, type: disk, interval: 1s}\n");
  AgentProcess agent({"--config", config, "--listen", "127.0.0.1:" + std::to_string(port)},
                     {{"DATABASE_URL", RequireEnv("AGENT_TEST_PG_URL")},
                      {"REDIS_URL", RequireEnv("AGENT_TEST_REDIS_URL")}});
  // Every family has series once each probe ran and one failed.
  const std::string metrics = WaitForBody(
      port, "/metrics",
      {"agent_probe_failures_total{", "container_cpu_usage_ratio{", "container_fs_usage_ratio{",
       "probe_postgres_connections{", "probe_redis_used_memory_bytes{"},
      std::chrono::seconds(20));
  std::set<std::string> exported;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      exported.insert(name);
      if (line.size() > 9 && line.substr(line.size() - 9) == "histogram") {
        for (const char* suffix : {"_bucket", "_sum", "_count"}) exported.insert(name + suffix);
      }
    }
  }
  INFO(agent.Output());
  REQUIRE(exported.count("probe_success") == 1);

  std::vector<std::pair<std::string, std::string>> used;  // file, expression
  for (const auto& entry : std::filesystem::directory_iterator(AGENT_SOURCE_DIR "/alerts")) {
    const std::string text = ReadFile(entry.path());
    const std::regex expr_line(R"(^\s*expr:\s*(.+)$)");
    std::istringstream rule_lines(text);
    for (std::string line; std::getline(rule_lines, line);) {
      std::smatch match;
      if (std::regex_match(line, match, expr_line)) used.emplace_back(entry.path(), match[1]);
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(AGENT_SOURCE_DIR "/dashboards")) {
    std::vector<std::string> exprs;
    CollectExprs(nlohmann::json::parse(ReadFile(entry.path())), exprs);
    for (const std::string& expr : exprs) used.emplace_back(entry.path(), expr);
  }
  // Series only a replica has (the test servers are primaries): they must at least be defined
  // by a probe.
  std::string probe_sources;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(AGENT_SOURCE_DIR "/probes")) {
    if (entry.path().extension() == ".h" || entry.path().extension() == ".cc") {
      probe_sources += ReadFile(entry.path());
    }
  }
  for (const char* name :
       {"probe_postgres_replication_lag_seconds", "probe_redis_master_link_up"}) {
    INFO(name);
    CHECK(probe_sources.find(std::string("\"") + name + "\"") != std::string::npos);
    exported.insert(name);
  }

  REQUIRE(used.size() > 10);
  for (const auto& [file, expr] : used) {
    for (const std::string& name : MetricNamesIn(expr)) {
      INFO(file << ": " << expr);
      CHECK(exported.count(name) == 1);
    }
  }
}

}  // namespace
}  // namespace sidecar::testing
