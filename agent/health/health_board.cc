#include "agent/health/health_board.h"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/common/redact.h"

namespace sidecar::health {
namespace {

std::string IsoTime(double unix_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

double Round(double value, double unit) { return std::round(value / unit) * unit; }

}  // namespace

void Summarize(HealthSnapshot& snapshot) {
  bool critical_unhealthy = false;
  bool critical_starting = false;
  bool degraded = false;
  for (const ProbeView& probe : snapshot.probes) {
    if (probe.critical) {
      critical_unhealthy |= probe.state == ProbeState::kUnhealthy;
      critical_starting |= probe.state == ProbeState::kStarting;
      degraded |= probe.state == ProbeState::kDegraded;
    } else {
      degraded |= probe.state == ProbeState::kUnhealthy || probe.state == ProbeState::kDegraded;
    }
  }
  if (critical_unhealthy) {
    snapshot.overall = ProbeState::kUnhealthy;
  } else if (critical_starting) {
    snapshot.overall = ProbeState::kStarting;
  } else if (degraded) {
    snapshot.overall = ProbeState::kDegraded;
  } else {
    snapshot.overall = ProbeState::kHealthy;
  }
  snapshot.ready = !critical_unhealthy && !critical_starting;
}

int HttpStatusFor(const HealthSnapshot& snapshot) {
  if (!snapshot.ready) {
    return 503;
  }
  return snapshot.overall == ProbeState::kDegraded ? snapshot.degraded_status_code : 200;
}

void HealthBoard::Publish(std::shared_ptr<const HealthSnapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_.swap(snapshot);
  // The old snapshot is released here, outside nobody's way: readers hold their own reference.
}

std::shared_ptr<const HealthSnapshot> HealthBoard::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

std::string RenderHealthJson(const HealthSnapshot& snapshot, const AgentFacts& facts) {
  nlohmann::ordered_json probes = nlohmann::ordered_json::object();
  for (const ProbeView& probe : snapshot.probes) {
    nlohmann::ordered_json entry = {
        {"status", ProbeStateName(probe.state)},
        {"type", probe.type},
        {"critical", probe.critical},
        {"target", Redact(probe.target)},
    };
    if (probe.last_check_unix > 0) {
      entry["latency_ms"] = Round(probe.duration_seconds * 1000, 0.001);
      entry["last_check"] = IsoTime(probe.last_check_unix);
    }
    if (probe.last_success_unix > 0) {
      entry["last_success"] = IsoTime(probe.last_success_unix);
    }
    if (!probe.reason.empty()) {
      entry["reason"] = Redact(probe.reason);
    }
    if (probe.failures_in_a_row > 0) {
      entry["failures_in_a_row"] = probe.failures_in_a_row;
    }
    probes[probe.name] = std::move(entry);
  }
  nlohmann::ordered_json body = {
      {"status", ProbeStateName(snapshot.overall)},
      {"ready", snapshot.ready},
      {"version", facts.version},
      {"uptime_seconds", Round(facts.uptime_seconds, 0.001)},
      {"probes", std::move(probes)},
  };
  if (!snapshot.exporters.empty()) {
    nlohmann::ordered_json exporters = nlohmann::ordered_json::object();
    for (const ExporterView& exporter : snapshot.exporters) {
      nlohmann::ordered_json entry = {
          {"type", exporter.type},
          {"sent", exporter.sent},
          {"dropped", exporter.dropped},
          {"errors", exporter.errors},
      };
      if (!exporter.last_error.empty()) {
        entry["last_error"] = Redact(exporter.last_error);
        entry["last_error_time"] = IsoTime(exporter.last_error_unix);
      }
      exporters[exporter.name] = std::move(entry);
    }
    body["exporters"] = std::move(exporters);
  }
  if (!snapshot.alerts.empty()) {
    nlohmann::ordered_json alerts = nlohmann::ordered_json::array();
    for (const AlertView& alert : snapshot.alerts) {
      nlohmann::ordered_json entry = {
          {"alertname", alert.name},
          {"state", alert.state},
          {"labels", alert.labels},
          {"active_since", IsoTime(alert.active_since_unix)},
          {"value", std::isfinite(alert.value) ? nlohmann::ordered_json(alert.value)
                                               : nlohmann::ordered_json(nullptr)},
      };
      if (!alert.summary.empty()) entry["summary"] = Redact(alert.summary);
      alerts.push_back(std::move(entry));
    }
    body["alerts"] = std::move(alerts);
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

bool StateFromName(const std::string& name, ProbeState* state) {
  for (ProbeState candidate : {ProbeState::kStarting, ProbeState::kHealthy, ProbeState::kDegraded,
                               ProbeState::kUnhealthy}) {
    if (name == ProbeStateName(candidate)) {
      *state = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<HealthSnapshot> ParseHealthJson(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("status") || !json["status"].is_string() ||
      !json.contains("ready") || !json["ready"].is_boolean()) {
    return Status::InvalidArgument("not an agent /health response");
  }
  HealthSnapshot snapshot;
  snapshot.ready = json["ready"].get<bool>();
  if (!StateFromName(json["status"].get<std::string>(), &snapshot.overall)) {
    return Status::InvalidArgument("unknown status in /health response");
  }
  if (json.contains("probes") && json["probes"].is_object()) {
    for (const auto& [name, entry] : json["probes"].items()) {
      if (!entry.is_object()) continue;
      ProbeView probe;
      probe.name = name;
      probe.type = entry.value("type", "");
      probe.critical = entry.value("critical", false);
      probe.reason = entry.value("reason", "");
      StateFromName(entry.value("status", "unhealthy"), &probe.state);
      snapshot.probes.push_back(std::move(probe));
    }
  }
  return snapshot;
}

std::string RenderCheckSummary(const HealthSnapshot& snapshot) {
  std::string out = std::string(snapshot.ready ? "ready" : "not ready") + ": " +
                    ProbeStateName(snapshot.overall) + " (" +
                    std::to_string(snapshot.probes.size()) + " probes)\n";
  for (const ProbeView& probe : snapshot.probes) {
    if (probe.state == ProbeState::kHealthy) {
      continue;
    }
    out += "  " + probe.name + " (" + probe.type + (probe.critical ? ", critical" : "") +
           "): " + ProbeStateName(probe.state);
    if (!probe.reason.empty()) {
      out += ": " + Redact(probe.reason);
    }
    out += "\n";
  }
  return out;
}

}  // namespace sidecar::health
