#include "agent/notify/notifier_config.h"

#include <cctype>
#include <set>
#include <string>

#include "agent/common/redact.h"
#include "agent/notify/notify_format.h"

namespace sidecar::notify {
namespace {

using config::ConfigNode;

bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::optional<Duration> PositiveDuration(ConfigNode& node, std::string_view key) {
  auto value = node.GetDuration(key);
  if (value && *value <= Duration::zero()) {
    node.Error(key, "must be greater than 0");
    return std::nullopt;
  }
  return value;
}

// name, timeout and max_attempts: what every entry has.
void ReadCommon(ConfigNode& node, std::string_view kind, size_t index, size_t count,
                std::string* name, SenderOptions* http) {
  if (auto value = node.GetString("name")) {
    *name = std::string(kind) + ":" + *value;
  } else if (count > 1) {
    *name = std::string(kind) + ":" + std::to_string(index);
  } else {
    *name = std::string(kind);
  }
  if (auto timeout = PositiveDuration(node, "timeout")) http->timeout = *timeout;
  if (auto attempts = node.GetInt("max_attempts", 1, 20)) {
    http->max_attempts = static_cast<int>(*attempts);
  }
}

// basic_auth, bearer_token and ca_file, for receivers that may sit behind a proxy.
void ReadAuth(ConfigNode& node, SenderOptions* http) {
  if (auto auth = node.GetMap("basic_auth")) {
    auto username = auth->GetString("username");
    auto password = auth->GetSecret("password");
    if (!username || username->empty()) auth->Error("username", "basic_auth needs a username");
    if (username) http->username = *username;
    if (password) http->password = *password;
    auth->CheckUnknownKeys();
    if (node.Has("bearer_token") || node.Has("bearer_token_file")) {
      node.Error("bearer_token", "give either basic_auth or bearer_token, not both");
    }
  }
  if (auto token = node.GetSecret("bearer_token")) {
    http->headers.push_back("Authorization: Bearer " + *token);
  }
  if (auto ca = node.GetString("ca_file")) http->ca_file = *ca;
}

void ReadAlertmanager(ConfigNode& node, size_t index, size_t count, AlertingConfig* out) {
  AlertmanagerOptions options;
  options.http.queue_capacity = kAlertmanagerQueueCapacity;
  ReadCommon(node, "alertmanager", index, count, &options.name, &options.http);
  if (auto urls = node.GetStringList("urls")) {
    for (const std::string& url : *urls) {
      if (!IsHttpUrl(url)) {
        node.Error("urls", "expected http:// or https:// URLs, got '" + RedactUrl(url) + "'");
      } else if (RedactUrl(url) != url) {
        node.Error("urls", "a URL may not hold a password: use basic_auth with password_file");
      } else {
        options.urls.push_back(url);
      }
    }
    if (urls->empty()) node.Error("urls", "list at least one Alertmanager URL");
  } else if (!node.Has("urls")) {
    node.ErrorHere("missing key 'urls' (the Alertmanager base URLs)");
  }
  ReadAuth(node, &options.http);
  node.CheckUnknownKeys();
  out->alertmanagers.push_back(std::move(options));
}

void ReadSlack(ConfigNode& node, size_t index, size_t count, AlertingConfig* out) {
  SlackOptions options;
  ReadCommon(node, "slack", index, count, &options.name, &options.http);
  if (auto channel = node.GetString("channel")) {
    options.channel = *channel;
    if (!node.Has("name") && !channel->empty()) {
      options.name = "slack:" + channel->substr((*channel)[0] == '#' ? 1 : 0);
    }
  }
  if (auto url = node.GetSecret("webhook_url")) {
    if (!IsHttpUrl(*url)) {
      node.Error("webhook_url", "expected an https:// URL");
    } else {
      // The path is the credential: mask it even where it shows up without the host.
      const size_t path = url->find('/', url->find("://") + 3);
      if (path != std::string::npos) {
        RegisterSecret(url->substr(path + 1));
        RegisterSecret(url->substr(url->rfind('/') + 1));  // the token proper
      }
      options.webhook_url = *url;
    }
  } else if (!node.Has("webhook_url") && !node.Has("webhook_url_file")) {
    node.ErrorHere(
        "missing key 'webhook_url' (take it from the environment: ${SLACK_WEBHOOK_URL})");
  }
  if (auto repeat = PositiveDuration(node, "repeat_interval")) options.repeat_interval = *repeat;
  node.CheckUnknownKeys();
  out->slack.push_back(std::move(options));
}

void ReadPagerDuty(ConfigNode& node, size_t index, size_t count, AlertingConfig* out) {
  PagerDutyOptions options;
  ReadCommon(node, "pagerduty", index, count, &options.name, &options.http);
  if (auto key = node.GetSecret("routing_key")) {
    if (key->empty()) node.Error("routing_key", "is empty");
    options.routing_key = *key;
  } else if (!node.Has("routing_key") && !node.Has("routing_key_file")) {
    node.ErrorHere(
        "missing key 'routing_key' (take it from the environment: ${PAGERDUTY_ROUTING_KEY})");
  }
  if (auto url = node.GetString("url")) {
    if (IsHttpUrl(*url)) {
      options.url = *url;
    } else {
      node.Error("url", "expected an http:// or https:// URL, got '" + RedactUrl(*url) + "'");
    }
  }
  if (auto severity = node.GetString("severity")) {
    std::string expanded;
    std::string error;
    if (severity->find("{{") != std::string::npos) {
      if (!ExpandLabelTemplate(*severity, {}, &expanded, &error)) node.Error("severity", error);
    } else {
      static const std::set<std::string> kSeverities = {"critical", "error", "warning", "info"};
      if (kSeverities.count(Lower(*severity)) == 0) {
        node.Error("severity",
                   "expected critical, error, warning, info or '{{ $labels.NAME }}', got '" +
                       *severity + "'");
      }
    }
    options.severity = *severity;
  }
  if (auto source = node.GetString("source")) options.source = *source;
  if (auto repeat = PositiveDuration(node, "repeat_interval")) options.repeat_interval = *repeat;
  node.CheckUnknownKeys();
  out->pagerduty.push_back(std::move(options));
}

void ReadWebhook(ConfigNode& node, size_t index, size_t count, AlertingConfig* out) {
  WebhookOptions options;
  ReadCommon(node, "webhook", index, count, &options.name, &options.http);
  if (auto url = node.GetSecretUrl("url")) {
    if (IsHttpUrl(*url)) {
      options.url = *url;
    } else {
      node.Error("url", "expected an http:// or https:// URL, got '" + RedactUrl(*url) + "'");
    }
  } else if (!node.Has("url") && !node.Has("url_file")) {
    node.ErrorHere("missing key 'url'");
  }
  if (auto external = node.GetString("external_url")) options.external_url = *external;
  if (auto repeat = PositiveDuration(node, "repeat_interval")) options.repeat_interval = *repeat;
  ReadAuth(node, &options.http);
  node.CheckUnknownKeys();
  out->webhooks.push_back(std::move(options));
}

}  // namespace

bool ParseAlerting(ConfigNode& alerting, AlertingConfig* out) {
  const size_t errors_before = alerting.state().errors.size();
  if (auto delay = PositiveDuration(alerting, "resend_delay")) out->resend_delay = *delay;
  auto read_all = [&](std::string_view key, auto read) {
    std::vector<ConfigNode> nodes = alerting.GetMapList(key);
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (config::AnyEnvSet(nodes[i])) read(nodes[i], i, nodes.size(), out);
    }
  };
  read_all("alertmanagers", ReadAlertmanager);
  read_all("slack", ReadSlack);
  read_all("pagerduty", ReadPagerDuty);
  read_all("webhooks", ReadWebhook);
  std::set<std::string> names;
  auto unique = [&](const std::string& name, std::string_view key) {
    if (!names.insert(name).second) {
      alerting.Error(key, "two notifiers are named '" + name + "': give one a distinct name:");
    }
  };
  for (const auto& entry : out->alertmanagers) unique(entry.name, "alertmanagers");
  for (const auto& entry : out->slack) unique(entry.name, "slack");
  for (const auto& entry : out->pagerduty) unique(entry.name, "pagerduty");
  for (const auto& entry : out->webhooks) unique(entry.name, "webhooks");
  return alerting.state().errors.size() == errors_before;
}

std::vector<NotifierPtr> MakeNotifiers(const AlertingConfig& config, CurlMulti* curl) {
  std::vector<NotifierPtr> out;
  if (curl == nullptr) return out;  // no receiver configured
  Timers* timers = curl->loop();
  for (const auto& options : config.alertmanagers) {
    out.push_back(std::make_unique<AlertmanagerNotifier>(options, curl, timers));
  }
  for (const auto& options : config.slack) {
    out.push_back(std::make_unique<SlackNotifier>(options, curl, timers));
  }
  for (const auto& options : config.pagerduty) {
    out.push_back(std::make_unique<PagerDutyNotifier>(options, curl, timers));
  }
  for (const auto& options : config.webhooks) {
    out.push_back(std::make_unique<WebhookNotifier>(options, curl, timers));
  }
  return out;
}

}  // namespace sidecar::notify
