// agent: the health-check sidecar. Parses the command line and hands over to agent/app.h.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "agent/app.h"
#include "agent/common/duration.h"
#include "agent/config/agent_config.h"
#include "agent/rules/unit_test_runner.h"
#include "agent/version.h"

int main(int argc, char** argv) {
  // libpq and libcurl reach GnuTLS through libldap, and GnuTLS initialises itself (and p11-kit)
  // as soon as it is loaded: about 1 MiB and a few ms for TLS the agent never does through it
  // (libldap initialises GnuTLS itself if it is ever used). Set before any thread starts.
  setenv("GNUTLS_NO_IMPLICIT_INIT", "1", /*overwrite=*/0);
  using sidecar::AppOptions;
  AppOptions options;
  bool check = false;
  bool validate = false;
  bool version = false;
  bool print_default = false;
  std::string listen;
  std::string check_timeout = "2s";
  std::vector<std::string> test_rule_files;

  CLI::App app(
      "agent: probes what a service depends on (Postgres, Redis, external APIs, the container's\n"
      "CPU, memory and disk) on a schedule, keeps the latest health in memory and answers\n"
      "/health, /readyz, /livez and /metrics from it.\n\n"
      "With no --config it runs the built-in default (config/agent.yaml), which probes what the\n"
      "environment names: DATABASE_URL, REDIS_URL, and the container's own resources.",
      "agent");
  app.set_version_flag("--version", std::string("agent ") + sidecar::kAgentVersion + " (" +
                                        sidecar::kAgentRevision + ")");
  app.add_option("-c,--config", options.config_path,
                 "YAML config file (default: $AGENT_CONFIG, else the built-in default)");
  app.add_option("-l,--listen", listen,
                 "HOST:PORT for the HTTP endpoints (beats $AGENT_LISTEN and the config; "
                 "default 0.0.0.0:9779)");
  app.add_flag("--check", check,
               "Exit 0 when ready, 1 when not, printing a line per failing probe. Asks the "
               "agent running on the configured port; when none runs, probes once itself. For "
               "ECS healthCheck, Docker HEALTHCHECK and Kubernetes exec probes.");
  app.add_option("--check-timeout", check_timeout,
                 "How long --check waits for a running agent's answer (default 2s)");
  app.add_flag("--validate-config,-t", validate,
               "Check the config (every problem with file:line:column) and exit: 0 valid, 2 not");
  app.add_flag("--print-default-config", print_default, "Print the built-in default config");
  app.add_option("--test-rules", test_rule_files,
                 "Run Prometheus rule unit-test files (promtool's format) and exit: 0 all "
                 "passed, 1 a test failed, 2 a file could not be read or loaded")
      ->check(CLI::ExistingFile);
  app.footer(
      "Exit status: 0 ok/ready, 1 not ready or failed to start, 2 invalid config or usage.\n"
      "Signals: SIGTERM/SIGINT stop, SIGHUP reloads the config (a bad one is refused and the\n"
      "running config kept). Environment: AGENT_CONFIG, AGENT_LISTEN, AGENT_LOG_LEVEL,\n"
      "AGENT_LOG_FORMAT (auto|json|text), and every ${VAR} the config uses.");
  (void)version;

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : sidecar::kExitBadConfig;
  }
  if (!listen.empty()) {
    options.listen = listen;
  }
  auto timeout = sidecar::ParseDuration(check_timeout);
  if (!timeout || *timeout <= sidecar::Duration::zero()) {
    std::fprintf(stderr, "--check-timeout: expected a duration such as 2s or 500ms, got '%s'\n",
                 check_timeout.c_str());
    return sidecar::kExitBadConfig;
  }
  options.check_timeout = *timeout;

  if (!test_rule_files.empty()) {
    return sidecar::rules::RunRuleUnitTests(test_rule_files);
  }
  if (print_default) {
    const std::string_view text = sidecar::config::DefaultConfigText();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return sidecar::kExitOk;
  }
  if (validate) {
    return sidecar::ValidateConfig(options);
  }
  if (check) {
    return sidecar::RunCheck(options);
  }
  return sidecar::RunAgent(options);
}
