#include "exporters/emf/emf_exporter.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/exporters/emf/emf_checker.h"
#include "tests/exporters/exporter_test_util.h"

namespace sidecar::exporters::emf {
namespace {

using exporters::testing::LoadExporters;
using exporters::testing::SplitLines;
using exporters::testing::WaitFor;

ProbeRun Run(int i) {
  ProbeRun run;
  run.probe = "p" + std::to_string(i % 4);
  run.type = "postgres";
  run.unix_ms = 1700000000000 + i;
  run.points = {{"probe_success", PointKind::kGauge, {}, 1},
                {"probe_duration_seconds", PointKind::kDuration, {}, 0.01 * i},
                {"pg_up", PointKind::kGauge, {{"role", "primary"}}, 1}};
  return run;
}

ExporterPtr Take(config::LoadResult& result) {
  INFO(exporters::testing::Errors(result));
  REQUIRE(result.ok());
  REQUIRE(result.config.exporters.size() == 1);
  return std::move(result.config.exporters[0].exporter);
}

TEST_CASE("EmfExporter: every line of the output file is one valid EMF document",
          "[exporters][emf]") {
  char dir[] = "/tmp/emf-test-XXXXXX";
  const std::string path = std::string(mkdtemp(dir)) + "/emf.log";
  auto loaded = LoadExporters(R"(exporters:
  - type: emf
    namespace: ${NS}
    dimensions: ["probe,type", "type"]
    output: )" + path + "\n",
                              {{"NS", "devbrainai/health"}});
  ExporterPtr exporter = Take(loaded);
  exporter->Start();
  constexpr int kRuns = 200;
  for (int i = 0; i < kRuns; ++i) exporter->Offer(Run(i));
  REQUIRE(WaitFor([&] { return exporter->Stats().sent == kRuns * 3; }));
  exporter->Stop(std::chrono::milliseconds(100));

  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> lines = SplitLines(text.str());
  REQUIRE(lines.back().empty());  // the file ends with a newline
  lines.pop_back();
  CHECK(lines.size() == kRuns * 2);  // the role=primary group is its own document
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(testing::EmfProblems(line).empty());
    const auto doc = nlohmann::json::parse(line);
    CHECK(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "devbrainai/health");
  }
  CHECK(exporter->Stats().errors == 0);
  unlink(path.c_str());
  rmdir(dir);
}

TEST_CASE("EmfExporter: a reader that stops reading drops lines and never holds a stop",
          "[exporters][emf]") {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  auto loaded = LoadExporters(
      "exporters:\n  - type: emf\n    queue_size: 10\n    output: "
      "/proc/self/fd/" +
      std::to_string(fds[1]) + "\n");
  ExporterPtr exporter = Take(loaded);
  exporter->Start();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5000; ++i) exporter->Offer(Run(i));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  REQUIRE(WaitFor([&] { return exporter->Stats().dropped > 0; }));  // the queue of 10 overflowed
  const auto stop_start = std::chrono::steady_clock::now();
  exporter->Stop(std::chrono::milliseconds(100));
  CHECK(std::chrono::steady_clock::now() - stop_start < std::chrono::milliseconds(700));
  const ExporterStats stats = exporter->Stats();
  CHECK(stats.sent + stats.dropped == 5000 * 3);

  // What did get through is whole lines (the one being written at the stop may be cut).
  exporter.reset();  // closes its own write end
  close(fds[1]);
  std::string text;
  char buffer[65536];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fds[0]);
  std::vector<std::string> lines = SplitLines(text);
  lines.pop_back();
  REQUIRE_FALSE(lines.empty());
  for (const std::string& line : lines) CHECK(testing::EmfProblems(line).empty());
}

TEST_CASE("EmfExporter: config mistakes are reported with their place", "[exporters][emf]") {
  std::string many;
  for (int i = 0; i < 31; ++i) many += (i ? "," : "") + std::string("d") + std::to_string(i);
  auto loaded = LoadExporters(R"(exporters:
  - type: emf
    namespace: ""
    dimensions: ["probe,,type", ")" +
                              many + R"("]
    storage_resolution: 30
    colour: blue
)");
  const std::string errors = exporters::testing::Errors(loaded);
  CHECK(errors.find("exporters.yaml:3:16: exporters[0].namespace: must be 1-255") !=
        std::string::npos);
  CHECK(errors.find("'probe,,type': expected names separated by commas") != std::string::npos);
  CHECK(errors.find("has 31 dimensions; CloudWatch takes at most 30") != std::string::npos);
  CHECK(errors.find("storage_resolution: expected 1 or 60, got 30") != std::string::npos);
  CHECK(errors.find("unknown key 'colour'") != std::string::npos);
}

}  // namespace
}  // namespace sidecar::exporters::emf
