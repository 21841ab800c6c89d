#include "agent/app.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include <spdlog/spdlog.h>

#include "agent/common/log.h"
#include "agent/common/redact.h"
#include "agent/dynlib/lazy_library.h"
#include "agent/health/health_board.h"
#include "agent/http/http_client.h"
#include "agent/http/http_server.h"
#include "agent/http/routes.h"
#include "agent/loop/curl_multi.h"
#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "agent/metrics/metric_samples.h"
#include "agent/metrics/metric_store.h"
#include "agent/metrics/rule_collector.h"
#include "agent/rules/rule_manager.h"
#include "agent/scheduler/scheduler.h"
#include "agent/version.h"

namespace sidecar {
namespace {

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string ConfigPath(const AppOptions& options) {
  if (!options.config_path.empty()) return options.config_path;
  const char* env = std::getenv("AGENT_CONFIG");
  return env != nullptr ? env : "";
}

config::LoadResult Load(const AppOptions& options) {
  const std::string path = ConfigPath(options);
  if (path.empty()) {
    return config::LoadConfigText(std::string(config::DefaultConfigText()), "built-in default",
                                  config::ProcessEnv());
  }
  return config::LoadConfigFile(path, config::ProcessEnv());
}

size_t ReceiverCount(const notify::AlertingConfig& alerting) {
  return alerting.alertmanagers.size() + alerting.slack.size() + alerting.pagerduty.size() +
         alerting.webhooks.size();
}

// Opens the shared libraries `config` needs (dynlib/lazy_library.h) before it runs, so that a
// missing one is a clear refusal now rather than a failure in the middle of a probe.
Status LoadLibraries(const config::AgentConfig& config) {
  // An OTLP exporter loads libcurl itself when its endpoint needs it (otlp_exporter.h).
  bool curl = ReceiverCount(config.rules.alerting) > 0;
  bool pq = false;
  for (const config::ProbeConfig& probe : config.probes) {
    curl = curl || probe.type == "http";
    pq = pq || probe.type == "postgres";
  }
  if (pq) SIDECAR_RETURN_IF_ERROR(dynlib::Pq().Load());
  if (curl) SIDECAR_RETURN_IF_ERROR(dynlib::Curl().Load());
  return Status::Ok();
}

void PrintErrors(const std::vector<config::ConfigError>& errors) {
  for (const config::ConfigError& error : errors) {
    std::fprintf(stderr, "%s\n", Redact(error.ToString()).c_str());
  }
}

// --listen beats $AGENT_LISTEN, which beats the file. Returns false with a message on stderr.
bool ResolveListen(const AppOptions& options, config::ListenAddress* listen) {
  const char* env = std::getenv("AGENT_LISTEN");
  std::optional<std::string> text = options.listen;
  std::string origin = "--listen";
  if (!text && env != nullptr && *env != '\0') {
    text = env;
    origin = "AGENT_LISTEN";
  }
  if (text && !config::ParseListenAddress(*text, listen)) {
    std::fprintf(stderr, "%s: expected HOST:PORT such as 0.0.0.0:9779, got '%s'\n", origin.c_str(),
                 text->c_str());
    return false;
  }
  return true;
}

// Where a local client reaches an agent listening on `listen`.
std::string LoopbackFor(const std::string& host) {
  if (host == "0.0.0.0" || host.empty()) return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

// What exporters receive of one run: an owned copy, made once for all of them.
exporters::ProbeRun ExportedRun(const scheduler::RunRecord& record, double unix_now) {
  exporters::ProbeRun run;
  run.probe = record.probe.name;
  run.type = record.probe.type;
  run.labels = record.probe.labels;
  run.unix_ms = static_cast<int64_t>(unix_now * 1000);
  const bool success = record.result.verdict != probes::Verdict::kUnhealthy;
  run.points.push_back({"probe_success", exporters::PointKind::kGauge, {}, success ? 1.0 : 0.0});
  run.points.push_back(
      {"probe_duration_seconds", exporters::PointKind::kDuration, {}, ToSeconds(record.duration)});
  for (const probes::Sample& sample : record.result.samples) {
    const auto kind = sample.metric->type == probes::MetricType::kCounter
                          ? exporters::PointKind::kCounter
                          : exporters::PointKind::kGauge;
    run.points.push_back({sample.metric->name, kind, sample.labels, sample.value});
  }
  return run;
}

// How long a finished probe run may wait for the snapshot that shows it.
constexpr auto kPublishDelay = std::chrono::milliseconds(10);

// Exporters get this much of the 1 s SIGTERM budget (and of a reload) to deliver what is queued.
constexpr auto kExporterStopBudget = std::chrono::milliseconds(500);

std::vector<metrics::ProbeIdentity> Identities(const std::vector<config::ProbeConfig>& probes) {
  std::vector<metrics::ProbeIdentity> out;
  for (const config::ProbeConfig& probe : probes) {
    out.push_back({probe.name, probe.type, probe.timeout, probe.labels});
  }
  return out;
}

// The running agent: owns the loop, the probes and everything they feed.
class Agent {
 public:
  Agent(config::AgentConfig config, AppOptions options)
      : options_(std::move(options)),
        config_(std::move(config)),
        resolver_(&loop_),
        scheduler_(
            &loop_, &loop_, &resolver_,
            [this](const scheduler::RunRecord& record) { OnRun(record); },
            [this] { return std::uniform_real_distribution<double>(0, 1)(random_); }),
        rules_(&loop_, [this] { return metrics::FamiliesToSamples(store_.Collect(false)); }),
        started_(Clock::now()) {
    rules_.set_on_publish([this] { PublishSoon(); });
  }

  int Run() {
    http::RouteContext routes{&board_, &store_, kAgentVersion, started_,
                              [this] { return loop_.last_iteration(); }};
    routes.rules = [this] { return rules_.snapshot(); };
    store_.AddCollectable(
        std::make_shared<metrics::RuleCollector>([this] { return rules_.snapshot(); }));
    http::HttpServerOptions server_options;
    server_options.host = config_.listen.host;
    server_options.port = config_.listen.port;
    auto server =
        http::HttpServer::Start(server_options, [routes](const http::HttpRequest& request) {
          return http::HandleRequest(request, routes);
        });
    if (!server.ok()) {
      spdlog::error("{}", server.status().message());
      return kExitUnhealthy;
    }
    server_ = std::move(server).value();
    if (!WatchSignals()) {
      return kExitUnhealthy;
    }
    store_.SetConfigReload(true, UnixNow());
    Apply(std::move(config_.probes), started_ + config_.startup_grace);
    StartExporters(std::move(config_.exporters));
    StartRules(std::move(config_.rules));
    spdlog::info("agent {} listening on {} with {} probes from {}", kAgentVersion,
                 config_.listen.ToString(), scheduler_.probes().size(), config_.source);
    loop_.Run();
    scheduler_.Stop();
    rules_.Stop();
    StopExporters();
    server_->Stop();
    spdlog::info("agent stopped");
    return kExitOk;
  }

 private:
  bool WatchSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0) {
      spdlog::error("signalfd failed");
      return false;
    }
    loop_.Watch(signal_fd_, EventLoop::kReadable, [this](uint32_t) {
      signalfd_siginfo info{};
      while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
        if (info.ssi_signo == SIGHUP) {
          Reload();
        } else {
          spdlog::info("received {}, stopping", info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
          loop_.Stop();
        }
      }
    });
    return true;
  }

  void Apply(std::vector<config::ProbeConfig> probes, TimePoint grace_until) {
    store_.Reconcile(Identities(probes));
    // Keep what is known of probes that stay, so /health does not forget them on a reload.
    std::map<std::string, health::ProbeView> previous;
    for (health::ProbeView& view : views_) {
      previous[view.name + "\n" + view.type] = std::move(view);
    }
    views_.clear();
    for (const config::ProbeConfig& probe : probes) {
      health::ProbeView view;
      auto old = previous.find(probe.name + "\n" + probe.type);
      if (old != previous.end()) view = std::move(old->second);
      view.name = probe.name;
      view.type = probe.type;
      view.critical = probe.critical;
      view.target = probe.probe->Target();
      views_.push_back(std::move(view));
    }
    scheduler_.Start(std::move(probes), grace_until);
    Publish();
  }

  void Reload() {
    config::LoadResult loaded = Load(options_);
    if (loaded.ok() && !ResolveListen(options_, &loaded.config.listen)) {
      loaded.errors.push_back({"--listen/AGENT_LISTEN", 0, 0, "", "invalid listen address"});
    }
    if (!loaded.ok()) {
      for (const config::ConfigError& error : loaded.errors) {
        spdlog::error("reload refused, keeping the running config: {}", error.ToString());
      }
      store_.SetConfigReload(false, UnixNow());
      return;
    }
    if (Status libraries = LoadLibraries(loaded.config); !libraries.ok()) {
      spdlog::error("reload refused, keeping the running config: {}", libraries.message());
      store_.SetConfigReload(false, UnixNow());
      return;
    }
    if (loaded.config.listen.ToString() != config_.listen.ToString()) {
      spdlog::warn("listen address change to {} takes effect after a restart",
                   loaded.config.listen.ToString());
    }
    SetUpLogging(loaded.config.log_format, loaded.config.log_level);
    config_.labels = loaded.config.labels;
    config_.degraded_status_code = loaded.config.degraded_status_code;
    store_.SetConfigReload(true, UnixNow());
    Apply(std::move(loaded.config.probes), TimePoint{});
    StopExporters();
    StartExporters(std::move(loaded.config.exporters));
    StartRules(std::move(loaded.config.rules));
    spdlog::info("reloaded {} probes from {}", scheduler_.probes().size(), loaded.config.source);
  }

  void OnRun(const scheduler::RunRecord& record) {
    const double now = UnixNow();
    for (health::ProbeView& view : views_) {
      if (view.name != record.probe.name) continue;
      view.state = record.state;
      view.reason = Redact(record.result.reason);
      view.duration_seconds = ToSeconds(record.duration);
      view.last_check_unix = now;
      view.failures_in_a_row = record.failures_in_a_row;
      if (record.result.verdict != probes::Verdict::kUnhealthy) view.last_success_unix = now;
    }
    store_.RecordRun(record.probe.name, record.result, record.duration, record.state, now);
    if (!exporters_.empty()) {
      const exporters::ProbeRun run = ExportedRun(record, now);
      for (config::ExporterConfig& entry : exporters_) entry.exporter->Offer(run);
    }
    if (record.state_changed) {
      const std::string reason = record.result.reason.empty() ? "" : ": " + record.result.reason;
      if (record.state == health::ProbeState::kUnhealthy) {
        spdlog::warn("probe {} ({}) is unhealthy{}", record.probe.name, record.probe.type, reason);
      } else {
        spdlog::info("probe {} ({}) is {}{}", record.probe.name, record.probe.type,
                     health::ProbeStateName(record.state), reason);
      }
    }
    PublishSoon();
  }

  void StartExporters(std::vector<config::ExporterConfig> exporters) {
    exporters_ = std::move(exporters);
    for (config::ExporterConfig& entry : exporters_) {
      entry.exporter->Start();
      spdlog::info("exporter {} ({}) started", entry.name, entry.type);
    }
    Publish();
  }

  // Stops every exporter within one shared budget; their last totals reach /metrics.
  void StopExporters() {
    const TimePoint deadline = Clock::now() + kExporterStopBudget;
    for (config::ExporterConfig& entry : exporters_) {
      entry.exporter->Stop(std::max(Duration::zero(), deadline - Clock::now()));
      const exporters::ExporterStats stats = entry.exporter->Stats();
      store_.RecordExporter(entry.name, stats.sent, stats.dropped, stats.errors);
      store_.RecordExporter(entry.name, 0, 0, 0);  // a new exporter of this name counts on
    }
    exporters_.clear();
  }

  void StartRules(config::RulesConfig rules) {
    size_t count = 0;
    for (const rules::GroupDef& group : rules.groups) count += group.rules.size();
    if (curl_ == nullptr && ReceiverCount(rules.alerting) > 0) {
      curl_ = std::make_unique<CurlMulti>(&loop_);
    }
    std::vector<notify::NotifierPtr> notifiers = notify::MakeNotifiers(rules.alerting, curl_.get());
    const size_t notifier_count = notifiers.size();
    rules_.Update(std::move(rules.groups), rules.options, std::move(notifiers));
    if (count > 0 || notifier_count > 0) {
      spdlog::info(
          "evaluating {} rules every {}, notifying {} receivers", count,
          FormatDuration(std::chrono::milliseconds(rules.options.group.default_interval_ms)),
          notifier_count);
    }
  }

  // Probe runs finish in bursts (every probe of an interval at once, with hundreds of probes):
  // one snapshot per burst rather than one per run, which would copy every probe's view for
  // every run.
  void PublishSoon() {
    if (publish_timer_ != 0) return;
    publish_timer_ = loop_.AddTimer(kPublishDelay, [this] {
      publish_timer_ = 0;
      Publish();
    });
  }

  void Publish() {
    if (publish_timer_ != 0) {
      loop_.CancelTimer(publish_timer_);
      publish_timer_ = 0;
    }
    auto snapshot = std::make_shared<health::HealthSnapshot>();
    snapshot->probes = views_;
    for (const config::ExporterConfig& entry : exporters_) {
      exporters::ExporterStats stats = entry.exporter->Stats();
      store_.RecordExporter(entry.name, stats.sent, stats.dropped, stats.errors);
      snapshot->exporters.push_back({entry.name, entry.type, stats.sent, stats.dropped,
                                     stats.errors, Redact(stats.last_error),
                                     stats.last_error_unix});
    }
    if (auto rules = rules_.snapshot()) {
      for (const rules::AlertView& view : rules->alerts) {
        health::AlertView alert;
        alert.state = std::string(rules::AlertStateName(view.alert.state));
        for (const promql::Label& label : view.alert.labels) {
          if (label.name == "alertname") {
            alert.name = label.value;
          } else {
            alert.labels[label.name] = label.value;
          }
        }
        auto summary = view.alert.annotations.find("summary");
        if (summary != view.alert.annotations.end()) alert.summary = summary->second;
        alert.active_since_unix = static_cast<double>(view.alert.active_at) / 1000;
        alert.value = view.alert.value;
        snapshot->alerts.push_back(std::move(alert));
      }
    }
    snapshot->degraded_status_code = config_.degraded_status_code;
    health::Summarize(*snapshot);
    store_.SetReady(snapshot->ready, health::ProbeStateName(snapshot->overall));
    board_.Publish(std::move(snapshot));
  }

  AppOptions options_;
  config::AgentConfig config_;
  EventLoop loop_;
  Resolver resolver_;
  metrics::MetricStore store_;
  health::HealthBoard board_;
  std::mt19937_64 random_{std::random_device{}()};
  scheduler::Scheduler scheduler_;
  std::vector<health::ProbeView> views_;
  std::vector<config::ExporterConfig> exporters_;
  std::unique_ptr<http::HttpServer> server_;
  // The notifiers' HTTP, made with the first alert receiver (so that an agent without one
  // never loads libcurl); declared before rules_, which holds the notifiers.
  std::unique_ptr<CurlMulti> curl_;
  rules::RuleManager rules_;
  TimePoint started_;
  TimerId publish_timer_ = 0;
  int signal_fd_ = -1;
};

void BlockSignals() {
  // Blocked in every thread (threads inherit the mask); the loop reads them from a signalfd.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int RunAgent(const AppOptions& options) {
  BlockSignals();
  config::LoadResult loaded = Load(options);
  if (!loaded.ok()) {
    PrintErrors(loaded.errors);
    return kExitBadConfig;
  }
  if (!ResolveListen(options, &loaded.config.listen)) {
    return kExitBadConfig;
  }
  if (Status libraries = LoadLibraries(loaded.config); !libraries.ok()) {
    std::fprintf(stderr, "agent: %s\n", libraries.message().c_str());
    return kExitUnhealthy;
  }
  SetUpLogging(loaded.config.log_format, loaded.config.log_level);
  Agent agent(std::move(loaded.config), options);
  return agent.Run();
}

int ValidateConfig(const AppOptions& options) {
  config::LoadResult loaded = Load(options);
  if (loaded.ok() && !ResolveListen(options, &loaded.config.listen)) {
    return kExitBadConfig;
  }
  if (!loaded.ok()) {
    PrintErrors(loaded.errors);
    std::fprintf(stderr, "%s: %zu problem%s\n", loaded.config.source.c_str(), loaded.errors.size(),
                 loaded.errors.size() == 1 ? "" : "s");
    return kExitBadConfig;
  }
  if (Status libraries = LoadLibraries(loaded.config); !libraries.ok()) {
    std::fprintf(stderr, "%s: valid, but it cannot run here: %s\n", loaded.config.source.c_str(),
                 libraries.message().c_str());
    return kExitUnhealthy;
  }
  std::printf("%s: valid; listen %s; %zu probes:", loaded.config.source.c_str(),
              loaded.config.listen.ToString().c_str(), loaded.config.probes.size());
  for (const config::ProbeConfig& probe : loaded.config.probes) {
    std::printf(" %s(%s%s)", probe.name.c_str(), probe.type.c_str(),
                probe.critical ? ", critical" : "");
  }
  size_t rule_count = 0;
  for (const rules::GroupDef& group : loaded.config.rules.groups) rule_count += group.rules.size();
  const notify::AlertingConfig& alerting = loaded.config.rules.alerting;
  const size_t receivers = ReceiverCount(alerting);
  std::printf("; %zu rules in %zu groups; %zu alert receivers\n", rule_count,
              loaded.config.rules.groups.size(), receivers);
  return kExitOk;
}

int RunCheck(const AppOptions& options) {
  signal(SIGPIPE, SIG_IGN);
  // The daemon's address, found the way the daemon finds it; a broken config still lets us
  // ask an agent on the default (or overridden) address. Only `listen` is read here: the
  // whole config (rule files included) is loaded only when no agent answers.
  const char* env_listen = std::getenv("AGENT_LISTEN");
  config::ListenAddress listen;
  if (!options.listen && (env_listen == nullptr || *env_listen == '\0')) {
    listen = config::ReadListenAddress(ConfigPath(options), config::ProcessEnv());
  }
  if (!ResolveListen(options, &listen)) {
    return kExitBadConfig;
  }
  auto answer =
      http::HttpGet(LoopbackFor(listen.host), listen.port, "/health", options.check_timeout);
  if (answer.ok()) {
    auto snapshot = health::ParseHealthJson(answer->body);
    if (!snapshot.ok()) {
      std::printf("not ready: %s:%u answered %d with no agent health\n",
                  LoopbackFor(listen.host).c_str(), listen.port, answer->status);
      return kExitUnhealthy;
    }
    std::printf("%s", health::RenderCheckSummary(*snapshot).c_str());
    return answer->status == 200 ? kExitOk : kExitUnhealthy;
  }
  if (!http::IsConnectionRefused(answer.status())) {
    // Something holds the port but does not answer in time: that agent is not healthy.
    std::printf("not ready: agent at %s did not answer: %s\n", listen.ToString().c_str(),
                answer.status().message().c_str());
    return kExitUnhealthy;
  }
  // No agent running: probe once, here and now.
  config::LoadResult loaded = Load(options);
  if (!loaded.ok()) {
    PrintErrors(loaded.errors);
    return kExitBadConfig;
  }
  if (Status libraries = LoadLibraries(loaded.config); !libraries.ok()) {
    std::printf("not ready: %s\n", libraries.message().c_str());
    return kExitUnhealthy;
  }
  SetUpLogging(loaded.config.log_format, "warn");
  EventLoop loop;
  Resolver resolver(&loop);
  auto results = scheduler::RunOnce(loop, resolver, loaded.config.probes);
  health::HealthSnapshot snapshot;
  snapshot.degraded_status_code = loaded.config.degraded_status_code;
  for (size_t i = 0; i < results.size(); ++i) {
    const config::ProbeConfig& probe = loaded.config.probes[i];
    health::ProbeView view;
    view.name = probe.name;
    view.type = probe.type;
    view.critical = probe.critical;
    view.reason = Redact(results[i].reason);
    view.state = results[i].verdict == probes::Verdict::kHealthy ? health::ProbeState::kHealthy
                 : results[i].verdict == probes::Verdict::kDegraded
                     ? health::ProbeState::kDegraded
                     : health::ProbeState::kUnhealthy;
    snapshot.probes.push_back(std::move(view));
  }
  health::Summarize(snapshot);
  std::printf("%s", health::RenderCheckSummary(snapshot).c_str());
  return health::HttpStatusFor(snapshot) == 200 ? kExitOk : kExitUnhealthy;
}

}  // namespace sidecar
