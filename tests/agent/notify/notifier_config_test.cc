// ParseAlerting and MakeNotifiers: the `alerting:` section, its secrets and its mistakes.
#include "agent/notify/notifier_config.h"

#include <catch2/catch.hpp>
#include <map>

#include "agent/common/redact.h"
#include "agent/loop/event_loop.h"

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;

struct Parsed {
  bool ok = false;
  AlertingConfig config;
  std::vector<std::string> errors;
};

Parsed Parse(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  auto state = std::make_shared<config::ParseState>();
  state->file = "test.yaml";
  state->env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto root = config::ConfigNode::Parse(yaml, state);
  Parsed out;
  auto alerting = root.GetMap("alerting");
  if (!alerting) {
    for (const auto& error : state->errors) out.errors.push_back(error.ToString());
    return out;
  }
  out.ok = ParseAlerting(*alerting, &out.config);
  alerting->CheckUnknownKeys();
  for (const auto& error : state->errors) out.errors.push_back(error.ToString());
  return out;
}

std::string Joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& error : errors) out += error + "\n";
  return out;
}

TEST_CASE("ParseAlerting: every receiver with its keys and secrets from the environment",
          "[notify]") {
  ClearSecretsForTesting();
  const Parsed parsed =
      Parse(R"(
alerting:
  resend_delay: 30s
  alertmanagers:
    - urls: [http://am-0:9093, http://am-1:9093/prefix]
      timeout: 5s
      basic_auth: {username: agent, password: "${AM_PASSWORD}"}  # quoted: braces in a flow map
    - urls: [https://am.example]
      bearer_token: ${AM_TOKEN}
      name: central
  slack:
    - webhook_url: ${SLACK_WEBHOOK_URL}
      channel: "#ops"
      repeat_interval: 2h
  pagerduty:
    - routing_key: ${PAGERDUTY_ROUTING_KEY}
      severity: '{{ $labels.severity }}'
    - routing_key: ${PAGERDUTY_ROUTING_KEY}
      url: http://proxy/v2/enqueue
      severity: critical
      max_attempts: 5
  webhooks:
    - url: http://hooks.internal/alerts
      external_url: http://agent:9779
)",
            {{"AM_PASSWORD", "am-password-4711"},
             {"AM_TOKEN", "am-token-4711"},
             {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/slk4711"},
             {"PAGERDUTY_ROUTING_KEY", "pd-key-4711"}});
  INFO(Joined(parsed.errors));
  REQUIRE(parsed.ok);
  REQUIRE(parsed.errors.empty());
  const AlertingConfig& config = parsed.config;
  CHECK(config.resend_delay == 30s);
  REQUIRE(config.alertmanagers.size() == 2);
  CHECK(config.alertmanagers[0].name == "alertmanager:0");
  CHECK(config.alertmanagers[0].urls ==
        std::vector<std::string>{"http://am-0:9093", "http://am-1:9093/prefix"});
  CHECK(config.alertmanagers[0].http.timeout == 5s);
  CHECK(config.alertmanagers[0].http.username == "agent");
  CHECK(config.alertmanagers[0].http.password == "am-password-4711");
  CHECK(config.alertmanagers[0].http.queue_capacity == 10000);
  CHECK(config.alertmanagers[1].name == "alertmanager:central");
  CHECK(config.alertmanagers[1].http.headers ==
        std::vector<std::string>{"Authorization: Bearer am-token-4711"});
  REQUIRE(config.slack.size() == 1);
  CHECK(config.slack[0].name == "slack:ops");
  CHECK(config.slack[0].channel == "#ops");
  CHECK(config.slack[0].repeat_interval == 2h);
  CHECK(config.slack[0].webhook_url == "https://hooks.slack.com/services/T/B/slk4711");
  REQUIRE(config.pagerduty.size() == 2);
  CHECK(config.pagerduty[0].name == "pagerduty:0");
  CHECK(config.pagerduty[0].url == kPagerDutyUrl);
  CHECK(config.pagerduty[0].routing_key == "pd-key-4711");
  CHECK(config.pagerduty[0].repeat_interval == kDefaultRepeatInterval);
  CHECK(config.pagerduty[1].url == "http://proxy/v2/enqueue");
  CHECK(config.pagerduty[1].severity == "critical");
  CHECK(config.pagerduty[1].http.max_attempts == 5);
  REQUIRE(config.webhooks.size() == 1);
  CHECK(config.webhooks[0].name == "webhook");
  CHECK(config.webhooks[0].external_url == "http://agent:9779");
  // Every secret was registered for redaction, the Slack path on its own too.
  for (const char* secret :
       {"am-password-4711", "am-token-4711", "pd-key-4711", "services/T/B/slk4711", "slk4711"}) {
    CHECK(Redact(std::string("x ") + secret + " y") == "x *** y");
  }
  EventLoop loop;
  CurlMulti curl(&loop);
  const std::vector<NotifierPtr> notifiers = MakeNotifiers(config, &curl);
  std::vector<std::string> names;
  for (const auto& notifier : notifiers) names.push_back(notifier->name());
  CHECK(names == std::vector<std::string>{"alertmanager:0", "alertmanager:central", "slack:ops",
                                          "pagerduty:0", "pagerduty:1", "webhook"});
  ClearSecretsForTesting();
}

TEST_CASE("ParseAlerting: mistakes are reported with their place", "[notify]") {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"  slack:\n    - webhook_url: https://hooks.slack.com/services/T/B/x\n",
       "test.yaml:3:20: alerting.slack[0].webhook_url: a secret may not be written in the config "
       "file"},
      {"  slack:\n    - channel: '#ops'\n", "missing key 'webhook_url'"},
      {"  pagerduty:\n    - routing_key: ${KEY}\n      severity: urgent\n",
       "alerting.pagerduty[0].severity: expected critical, error, warning, info"},
      {"  pagerduty:\n    - routing_key: ${KEY}\n      severity: '{{ $value }}'\n",
       "only {{ $labels.NAME }} may be used here"},
      {"  pagerduty:\n    - url: http://x\n", "missing key 'routing_key'"},
      {"  alertmanagers:\n    - timeout: 5s\n", "missing key 'urls'"},
      {"  alertmanagers:\n    - urls: [am:9093]\n", "expected http:// or https:// URLs"},
      {"  alertmanagers:\n    - urls: ['http://u:pw@am:9093']\n", "may not hold a password"},
      {"  alertmanagers:\n    - urls: [http://am]\n      timout: 5s\n",
       "unknown key 'timout' (did you mean 'timeout'?)"},
      {"  alertmanagers:\n    - urls: [http://am]\n      timeout: 0s\n", "must be greater than 0"},
      {"  alertmanagers:\n    - urls: [http://am]\n      basic_auth: {username: a, pasword: b}\n",
       "unknown key 'pasword'"},
      {"  webhooks:\n    - url: http://a\n    - url: http://b\n      name: '0'\n",
       "two notifiers are named 'webhook:0'"},
      {"  resend_delay: soon\n", "alerting.resend_delay: expected a duration"},
      {"  slack: {webhook_url: x}\n", "alerting.slack: expected a list"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    const Parsed parsed = Parse("alerting:\n" + c.yaml, {{"KEY", "k"}});
    CHECK_FALSE((parsed.ok && parsed.errors.empty()));
    INFO(Joined(parsed.errors));
    CHECK(Joined(parsed.errors).find(c.error) != std::string::npos);
  }
}

TEST_CASE("ParseAlerting: secrets may come from *_file", "[notify]") {
  ClearSecretsForTesting();
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/notify-test-routing-key";
  FILE* file = std::fopen(path.c_str(), "w");
  REQUIRE(file != nullptr);
  std::fputs("file-key-4711\n", file);
  std::fclose(file);
  const Parsed parsed = Parse("alerting:\n  pagerduty:\n    - routing_key_file: " + path + "\n");
  std::remove(path.c_str());
  INFO(Joined(parsed.errors));
  REQUIRE(parsed.ok);
  CHECK(parsed.config.pagerduty.at(0).routing_key == "file-key-4711");
  CHECK(Redact("file-key-4711") == "***");
  ClearSecretsForTesting();
}

}  // namespace
}  // namespace sidecar::notify
