#include "tests/support/agent_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "agent/http/http_client.h"

extern char** environ;

namespace sidecar::testing {

uint16_t FreePort() {
  // Below the ephemeral range (32768-60999 here), so that no outgoing connection takes the port
  // between this check and the server's bind; tests/scripts/servers.sh uses 20000-31999 too,
  // so a port is taken only when a bind to it succeeds.
  static std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  std::uniform_int_distribution<int> pick(20000, 32767);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const uint16_t port = static_cast<uint16_t>(pick(random));
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    if (free) return port;
  }
  return 0;
}

std::string WriteTempFile(const std::string& name, const std::string& text) {
  // Under $TMPDIR, which tests/run.sh points into the directory it removes at the end.
  const char* tmp = std::getenv("TMPDIR");
  std::string dir_template =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/agent-test-XXXXXX";
  const std::string dir = mkdtemp(dir_template.data());
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

AgentProcess::AgentProcess(std::vector<std::string> args, std::map<std::string, std::string> env) {
  output_path_ = WriteTempFile("agent.out", "");
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  // Tests control the environment the agent discovers from.
  merged.erase("DATABASE_URL");
  merged.erase("REDIS_URL");
  merged.erase("AGENT_LISTEN");
  merged.erase("AGENT_CONFIG");
  for (const auto& [key, value] : env) merged[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : merged) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  args.insert(args.begin(), AGENT_BINARY);
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path_.c_str(), O_WRONLY | O_APPEND, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // The test runner may block signals; the agent must start with a clean mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  if (posix_spawn(&pid_, AGENT_BINARY, &actions, &attr, argv.data(), envp.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
}

AgentProcess::~AgentProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void AgentProcess::Signal(int signo) const {
  if (pid_ > 0 && !exited_) kill(pid_, signo);
}

int AgentProcess::Wait(Duration limit) {
  const TimePoint end = Clock::now() + limit;
  while (!exited_ && pid_ > 0) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (Clock::now() >= end) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

std::string AgentProcess::Output() const {
  std::ifstream in(output_path_);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::pair<int, std::string> RunAgentCommand(std::vector<std::string> args,
                                            std::map<std::string, std::string> env,
                                            Duration limit) {
  AgentProcess process(std::move(args), std::move(env));
  const int status = process.Wait(limit);
  return {status, process.Output()};
}

std::string WaitForHttp(uint16_t port, const std::string& path, int status, Duration limit) {
  const TimePoint end = Clock::now() + limit;
  std::string body;
  while (Clock::now() < end) {
    auto answer = http::HttpGet("127.0.0.1", port, path, std::chrono::seconds(2));
    if (answer.ok()) {
      body = answer->body;
      if (answer->status == status) return body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return body;
}

std::string WaitForBody(uint16_t port, const std::string& path,
                        const std::vector<std::string>& needles, Duration limit) {
  const TimePoint end = Clock::now() + limit;
  std::string body;
  while (Clock::now() < end) {
    auto answer = http::HttpGet("127.0.0.1", port, path, std::chrono::seconds(2));
    if (answer.ok()) {
      body = answer->body;
      bool all = true;
      for (const std::string& needle : needles) {
        all = all && body.find(needle) != std::string::npos;
      }
      if (all) return body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return body;
}

}  // namespace sidecar::testing
