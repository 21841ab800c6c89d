#include "agent/http/alerts_json.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "agent/common/redact.h"

namespace sidecar::http {
namespace {

using Json = nlohmann::ordered_json;

// RFC 3339 with milliseconds, UTC, as Prometheus' API writes times.
std::string Rfc3339(promql::Timestamp ms) {
  if (ms <= 0) return "0001-01-01T00:00:00Z";
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// Prometheus' API writes alert values as strconv.FormatFloat(v, 'e', -1, 64): "1e+00".
std::string ExponentValue(double value) {
  if (value != value) return "NaN";
  if (value == 1.0 / 0.0) return "+Inf";
  if (value == -1.0 / 0.0) return "-Inf";
  for (int precision = 0; precision < 17; ++precision) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.*e", precision, value);
    if (std::strtod(buf, nullptr) == value) return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17e", value);
  return buf;
}

Json LabelsJson(const promql::Labels& labels) {
  Json out = Json::object();
  for (const promql::Label& label : labels) {
    if (label.name != promql::kMetricName) out[label.name] = label.value;
  }
  return out;
}

}  // namespace

std::string RenderAlertsJson(const rules::RulesSnapshot& snapshot) {
  Json alerts = Json::array();
  for (const rules::AlertView& view : snapshot.alerts) {
    const rules::Alert& alert = view.alert;
    Json annotations = Json::object();
    for (const auto& [name, value] : alert.annotations) annotations[name] = Redact(value);
    alerts.push_back({
        {"labels", LabelsJson(alert.labels)},
        {"annotations", std::move(annotations)},
        {"state", rules::AlertStateName(alert.state)},
        {"activeAt", Rfc3339(alert.active_at)},
        {"value", ExponentValue(alert.value)},
        {"group", view.group},
    });
  }
  Json groups = Json::array();
  for (const rules::GroupView& group : snapshot.groups) {
    Json rules = Json::array();
    for (const rules::RuleView& rule : group.rules) {
      Json entry = {
          {"name", rule.name},
          {"type", rule.alerting ? "alerting" : "recording"},
          {"query", rule.expr},
          {"health", rule.health},
          {"evaluationTime", rule.evaluation_seconds},
      };
      if (!rule.last_error.empty()) entry["lastError"] = Redact(rule.last_error);
      if (rule.alerting) entry["activeAlerts"] = rule.active_alerts;
      rules.push_back(std::move(entry));
    }
    groups.push_back({
        {"name", group.name},
        {"file", group.file},
        {"interval", static_cast<double>(group.interval_ms) / 1000},
        {"lastEvaluation", Rfc3339(group.last_evaluation)},
        {"evaluationTime", group.last_duration_seconds},
        {"rules", std::move(rules)},
    });
  }
  Json notifiers = Json::array();
  for (const rules::NotifierView& notifier : snapshot.notifiers) {
    Json entry = {
        {"name", notifier.name},
        {"sent", notifier.stats.sent},
        {"dropped", notifier.stats.dropped},
        {"errors", notifier.stats.errors},
    };
    if (!notifier.stats.last_error.empty()) entry["lastError"] = Redact(notifier.stats.last_error);
    notifiers.push_back(std::move(entry));
  }
  Json body = {
      {"status", "success"},
      {"data",
       {{"alerts", std::move(alerts)},
        {"groups", std::move(groups)},
        {"notifiers", std::move(notifiers)}}},
  };
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sidecar::http
