// The Alertmanager notifier against the real Alertmanager (Debian's prometheus-alertmanager, path
// in AGENT_TEST_ALERTMANAGER): an alert posted through the notifier is active in Alertmanager with
// its labels, and gone once it is sent resolved.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/http/http_client.h"
#include "agent/loop/event_loop.h"
#include "agent/notify/alertmanager_notifier.h"
#include "agent/notify/notify_format.h"
#include "tests/support/test_env.h"

extern char** environ;

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;

// A loopback port below the ephemeral range (32768-60999) that nothing listens on now.
int FreeLowPort() {
  std::mt19937 random(std::random_device{}());
  for (int tries = 0; tries < 200; ++tries) {
    const int port = std::uniform_int_distribution<int>(20000, 32000)(random);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    if (free) return port;
  }
  return 0;
}

// Alertmanager on 127.0.0.1:port with a throwaway config and storage, clustering off.
class AlertmanagerProcess {
 public:
  AlertmanagerProcess(const std::string& binary, int port) : port_(port) {
    const char* base = std::getenv("AGENT_TEST_DIR");
    std::string templ = std::string(base != nullptr ? base : "/tmp") + "/alertmanager-XXXXXX";
    dir_ = mkdtemp(templ.data());
    std::ofstream(dir_ + "/alertmanager.yml")
        << "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";
    std::vector<std::string> args = {binary,
                                     "--config.file=" + dir_ + "/alertmanager.yml",
                                     "--storage.path=" + dir_ + "/data",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                     "--cluster.listen-address=",
                                     "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dir_ + "/alertmanager.log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
  }

  ~AlertmanagerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  bool started() const { return pid_ > 0; }

  // Polls /-/ready (this is a test of a real server: waiting for it is the point).
  bool WaitReady(Duration bound) const {
    const TimePoint end = Clock::now() + bound;
    while (Clock::now() < end) {
      auto answer = http::HttpGet("127.0.0.1", static_cast<uint16_t>(port_), "/-/ready", 1s);
      if (answer.ok() && answer.value().status == 200) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  nlohmann::json Alerts() const {
    auto answer = http::HttpGet("127.0.0.1", static_cast<uint16_t>(port_), "/api/v2/alerts", 5s);
    REQUIRE(answer.ok());
    REQUIRE(answer.value().status == 200);
    return nlohmann::json::parse(answer.value().body);
  }

  std::string Log() const {
    std::ifstream in(dir_ + "/alertmanager.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  int port_;
  std::string dir_;
  pid_t pid_ = 0;
};

promql::Timestamp NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RunUntil(EventLoop& loop, const std::function<bool()>& done, Duration bound = 20s) {
  const TimePoint end = Clock::now() + bound;
  while (!done() && Clock::now() < end) loop.RunOnce(5ms);
}

const nlohmann::json* FindAlert(const nlohmann::json& alerts, const std::string& name) {
  for (const auto& alert : alerts) {
    if (alert["labels"].value("alertname", "") == name) return &alert;
  }
  return nullptr;
}

TEST_CASE("AlertmanagerNotifier: the real Alertmanager shows the alert, then resolves it",
          "[notify][integration]") {
  const std::string binary = sidecar::testing::RequireEnv("AGENT_TEST_ALERTMANAGER");
  const int port = FreeLowPort();
  REQUIRE(port != 0);
  AlertmanagerProcess alertmanager(binary, port);
  REQUIRE(alertmanager.started());
  INFO(alertmanager.Log());
  REQUIRE(alertmanager.WaitReady(30s));

  EventLoop loop;
  CurlMulti curl(&loop);
  AlertmanagerOptions options;
  options.urls = {"http://127.0.0.1:" + std::to_string(port)};
  AlertmanagerNotifier notifier(options, &curl);

  AlertNotice alert;
  alert.labels = promql::MakeLabels(
      {{"alertname", "NotifierIntegration"}, {"probe", "postgres-main"}, {"severity", "critical"}});
  alert.annotations = {{"summary", "postgres-main is down"}};
  alert.starts_at = NowMs() - 60000;
  alert.ends_at = NowMs() + 4 * 60000;  // valid_until, as the rule manager computes it
  alert.generator_url = "http://agent:9779/alerts";
  notifier.Notify({alert});
  RunUntil(loop, [&] { return notifier.idle(); });
  INFO(notifier.stats().last_error);
  REQUIRE(notifier.stats().sent == 1);

  const nlohmann::json active = alertmanager.Alerts();
  const nlohmann::json* found = FindAlert(active, "NotifierIntegration");
  REQUIRE(found != nullptr);
  CHECK((*found)["status"]["state"] == "active");
  CHECK((*found)["labels"] == nlohmann::json({{"alertname", "NotifierIntegration"},
                                              {"probe", "postgres-main"},
                                              {"severity", "critical"}}));
  CHECK((*found)["annotations"]["summary"] == "postgres-main is down");
  CHECK((*found)["generatorURL"] == "http://agent:9779/alerts");
  CHECK((*found)["startsAt"] == FormatRfc3339Ms(alert.starts_at));
  // Alertmanager's fingerprint is ours (also the PagerDuty dedup key).
  CHECK((*found)["fingerprint"] == Fingerprint(alert.labels));

  alert.resolved = true;
  alert.ends_at = NowMs() - 1000;
  notifier.Notify({alert});
  RunUntil(loop, [&] { return notifier.idle(); });
  REQUIRE(notifier.stats().sent == 2);
  const nlohmann::json after = alertmanager.Alerts();
  const nlohmann::json* still = FindAlert(after, "NotifierIntegration");
  // Alertmanager's API leaves resolved alerts out; an older one would show endsAt in the past.
  if (still != nullptr) CHECK((*still)["endsAt"].get<std::string>() <= FormatRfc3339Ms(NowMs()));
  CHECK(notifier.stats().errors == 0);
}

}  // namespace
}  // namespace sidecar::notify
