#include "agent/notify/notify_format.h"

#include <cctype>
#include <ctime>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace sidecar::notify {
namespace {

constexpr size_t kMaxPagerDutySummary = 1024;

nlohmann::json LabelsObject(const promql::Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const promql::Label& label : labels) out[label.name] = label.value;
  return out;
}

nlohmann::json AnnotationsObject(const std::map<std::string, std::string>& annotations) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : annotations) out[name] = value;
  return out;
}

std::string Annotation(const AlertNotice& alert, const std::string& name) {
  auto it = alert.annotations.find(name);
  return it == alert.annotations.end() ? "" : it->second;
}

// UTF-8 safe cut: never ends inside a multi-byte sequence.
std::string Truncate(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

}  // namespace

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FormatRfc3339Ms(promql::Timestamp ms) {
  int64_t seconds = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string Fingerprint(const promql::Labels& labels) {
  return fmt::format("{:016x}", promql::HashLabels(labels));
}

nlohmann::json PostableAlert(const AlertNotice& alert) {
  nlohmann::json out = nlohmann::json::object();
  out["labels"] = LabelsObject(alert.labels);
  out["annotations"] = AnnotationsObject(alert.annotations);
  if (alert.starts_at != 0) out["startsAt"] = FormatRfc3339Ms(alert.starts_at);
  if (alert.ends_at != 0) out["endsAt"] = FormatRfc3339Ms(alert.ends_at);
  if (!alert.generator_url.empty()) out["generatorURL"] = alert.generator_url;
  return out;
}

nlohmann::json WebhookMessage(const std::vector<AlertNotice>& alerts, std::string_view receiver,
                              std::string_view external_url) {
  nlohmann::json list = nlohmann::json::array();
  bool any_firing = false;
  std::optional<promql::Labels> common_labels;
  std::optional<std::map<std::string, std::string>> common_annotations;
  for (const AlertNotice& alert : alerts) {
    any_firing = any_firing || !alert.resolved;
    nlohmann::json item = nlohmann::json::object();
    item["status"] = alert.resolved ? "resolved" : "firing";
    item["labels"] = LabelsObject(alert.labels);
    item["annotations"] = AnnotationsObject(alert.annotations);
    item["startsAt"] = FormatRfc3339Ms(alert.starts_at);
    // Alertmanager shows Go's zero time as the end of an alert still firing.
    item["endsAt"] = alert.resolved ? FormatRfc3339Ms(alert.ends_at) : "0001-01-01T00:00:00Z";
    item["generatorURL"] = alert.generator_url;
    item["fingerprint"] = Fingerprint(alert.labels);
    list.push_back(std::move(item));
    if (!common_labels) {
      common_labels = alert.labels;
      common_annotations = alert.annotations;
      continue;
    }
    std::erase_if(*common_labels, [&](const promql::Label& label) {
      return promql::GetLabel(alert.labels, label.name) != label.value;
    });
    std::erase_if(*common_annotations, [&](const auto& entry) {
      auto it = alert.annotations.find(entry.first);
      return it == alert.annotations.end() || it->second != entry.second;
    });
  }
  nlohmann::json out = nlohmann::json::object();
  out["version"] = "4";
  out["groupKey"] = "{}:{}";
  out["truncatedAlerts"] = 0;
  out["status"] = any_firing ? "firing" : "resolved";
  out["receiver"] = std::string(receiver);
  out["groupLabels"] = nlohmann::json::object();
  out["commonLabels"] = LabelsObject(common_labels.value_or(promql::Labels{}));
  out["commonAnnotations"] =
      AnnotationsObject(common_annotations.value_or(decltype(common_annotations)::value_type{}));
  out["externalURL"] = std::string(external_url);
  out["alerts"] = std::move(list);
  return out;
}

std::string SlackText(const std::vector<AlertNotice>& alerts) {
  std::string text;
  for (const AlertNotice& alert : alerts) {
    if (!text.empty()) text += '\n';
    text += alert.resolved ? "[RESOLVED] " : "[FIRING] ";
    text += promql::GetLabel(alert.labels, "alertname");
    std::string_view target = promql::GetLabel(alert.labels, "probe");
    if (target.empty()) target = promql::GetLabel(alert.labels, "instance");
    if (!target.empty()) {
      text += ' ';
      text += target;
    }
    std::string summary = Annotation(alert, "summary");
    if (summary.empty()) summary = Annotation(alert, "description");
    if (!summary.empty()) text += ": " + summary;
  }
  return text;
}

std::string PagerDutySeverity(std::string_view value) {
  std::string lower;
  for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "critical" || lower == "crit" || lower == "page" || lower == "fatal" ||
      lower == "emergency" || lower == "high") {
    return "critical";
  }
  if (lower == "warning" || lower == "warn" || lower == "minor" || lower == "medium") {
    return "warning";
  }
  if (lower == "info" || lower == "informational" || lower == "low" || lower == "none") {
    return "info";
  }
  return "error";
}

nlohmann::json PagerDutyEvent(const AlertNotice& alert, std::string_view routing_key,
                              std::string_view severity, std::string_view default_source) {
  nlohmann::json out = nlohmann::json::object();
  out["routing_key"] = std::string(routing_key);
  out["dedup_key"] = Fingerprint(alert.labels);
  if (alert.resolved) {
    out["event_action"] = "resolve";
    return out;
  }
  out["event_action"] = "trigger";
  std::string summary = Annotation(alert, "summary");
  if (summary.empty()) summary = std::string(promql::GetLabel(alert.labels, "alertname"));
  std::string source(promql::GetLabel(alert.labels, "instance"));
  if (source.empty()) source = std::string(default_source);
  nlohmann::json payload = nlohmann::json::object();
  payload["summary"] = Truncate(summary, kMaxPagerDutySummary);
  payload["source"] = source;
  payload["severity"] = std::string(severity);
  if (alert.starts_at != 0) payload["timestamp"] = FormatRfc3339Ms(alert.starts_at);
  payload["custom_details"] = {{"labels", LabelsObject(alert.labels)},
                               {"annotations", AnnotationsObject(alert.annotations)}};
  out["payload"] = std::move(payload);
  if (!alert.generator_url.empty()) {
    out["client"] = "agent";
    out["client_url"] = alert.generator_url;
  }
  return out;
}

bool ExpandLabelTemplate(std::string_view text, const promql::Labels& labels, std::string* out,
                         std::string* error) {
  out->clear();
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out->append(text.substr(pos));
      return true;
    }
    out->append(text.substr(pos, open - pos));
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      *error = "unclosed action in '" + std::string(text) + "'";
      return false;
    }
    std::string_view action = text.substr(open + 2, close - open - 2);
    while (!action.empty() && std::isspace(static_cast<unsigned char>(action.front()))) {
      action.remove_prefix(1);
    }
    while (!action.empty() && std::isspace(static_cast<unsigned char>(action.back()))) {
      action.remove_suffix(1);
    }
    std::string_view name;
    for (std::string_view prefix : {std::string_view("$labels."), std::string_view(".Labels.")}) {
      if (action.substr(0, prefix.size()) == prefix) name = action.substr(prefix.size());
    }
    const bool identifier =
        !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
            std::string_view::npos;
    if (!identifier) {
      *error = "only {{ $labels.NAME }} may be used here, got '{{" +
               std::string(text.substr(open + 2, close - open - 2)) + "}}'";
      return false;
    }
    out->append(promql::GetLabel(labels, name));
    pos = close + 2;
  }
}

}  // namespace sidecar::notify
