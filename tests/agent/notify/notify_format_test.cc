// The notifiers' wire formats: pure functions, table-driven, no I/O.
#include "agent/notify/notify_format.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/notify/alertmanager_notifier.h"
#include "agent/notify/http_sender.h"
#include "agent/notify/slack_notifier.h"

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;
using promql::MakeLabels;

AlertNotice Alert(std::string name, std::string target, std::string summary, bool resolved) {
  AlertNotice alert;
  alert.labels = MakeLabels({{"alertname", name}, {"probe", target}, {"severity", "critical"}});
  if (!summary.empty()) alert.annotations["summary"] = summary;
  alert.starts_at = 1700000000123;
  alert.ends_at = resolved ? 1700000600000 : 1700000240000;
  alert.resolved = resolved;
  alert.generator_url = "http://agent:9779/alerts";
  return alert;
}

TEST_CASE("FormatRfc3339Ms: UTC with exactly three fraction digits", "[notify]") {
  const std::vector<std::pair<promql::Timestamp, std::string>> cases = {
      {0, "1970-01-01T00:00:00.000Z"},
      {1700000000123, "2023-11-14T22:13:20.123Z"},
      {1700000000005, "2023-11-14T22:13:20.005Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {951782400000, "2000-02-29T00:00:00.000Z"},
  };
  for (const auto& [ms, text] : cases) {
    INFO(ms);
    CHECK(FormatRfc3339Ms(ms) == text);
  }
}

TEST_CASE("Fingerprint: Prometheus' FNV-1a label-set hash as 16 hex digits", "[notify]") {
  // FNV-1a 64 of the empty set is the offset basis.
  CHECK(Fingerprint({}) == "cbf29ce484222325");
  const auto a = MakeLabels({{"alertname", "Down"}, {"job", "db"}});
  const auto b = MakeLabels({{"job", "db"}, {"alertname", "Down"}});
  CHECK(Fingerprint(a) == Fingerprint(b));
  CHECK(Fingerprint(a).size() == 16);
  CHECK(Fingerprint(a) != Fingerprint(MakeLabels({{"alertname", "Down"}, {"job", "cache"}})));
}

TEST_CASE("PostableAlert: labels, annotations, times and generatorURL", "[notify]") {
  const nlohmann::json firing = PostableAlert(Alert("DatabaseDown", "pg", "down", false));
  CHECK(firing["labels"] ==
        nlohmann::json({{"alertname", "DatabaseDown"}, {"probe", "pg"}, {"severity", "critical"}}));
  CHECK(firing["annotations"] == nlohmann::json({{"summary", "down"}}));
  CHECK(firing["startsAt"] == "2023-11-14T22:13:20.123Z");
  CHECK(firing["endsAt"] == "2023-11-14T22:17:20.000Z");
  CHECK(firing["generatorURL"] == "http://agent:9779/alerts");
  AlertNotice bare;
  bare.labels = MakeLabels({{"alertname", "X"}});
  const nlohmann::json minimal = PostableAlert(bare);
  CHECK_FALSE(minimal.contains("startsAt"));
  CHECK_FALSE(minimal.contains("endsAt"));
  CHECK_FALSE(minimal.contains("generatorURL"));
  CHECK(minimal["annotations"].is_object());
}

TEST_CASE("WebhookMessage: Alertmanager's webhook JSON, version 4", "[notify]") {
  AlertNotice other = Alert("DatabaseDown", "pg-replica", "down", true);
  const nlohmann::json message =
      WebhookMessage({Alert("DatabaseDown", "pg", "down", false), other}, "webhook", "http://x");
  CHECK(message["version"] == "4");
  CHECK(message["status"] == "firing");
  CHECK(message["receiver"] == "webhook");
  CHECK(message["externalURL"] == "http://x");
  CHECK(message["groupKey"].is_string());
  CHECK(message["truncatedAlerts"] == 0);
  CHECK(message["groupLabels"] == nlohmann::json::object());
  CHECK(message["commonLabels"] ==
        nlohmann::json({{"alertname", "DatabaseDown"}, {"severity", "critical"}}));
  CHECK(message["commonAnnotations"] == nlohmann::json({{"summary", "down"}}));
  REQUIRE(message["alerts"].size() == 2);
  const auto& first = message["alerts"][0];
  CHECK(first["status"] == "firing");
  CHECK(first["labels"]["probe"] == "pg");
  CHECK(first["startsAt"] == "2023-11-14T22:13:20.123Z");
  CHECK(first["endsAt"] == "0001-01-01T00:00:00Z");
  CHECK(first["fingerprint"] == Fingerprint(Alert("DatabaseDown", "pg", "", false).labels));
  CHECK(first["generatorURL"] == "http://agent:9779/alerts");
  CHECK(message["alerts"][1]["status"] == "resolved");
  CHECK(message["alerts"][1]["endsAt"] == "2023-11-14T22:23:20.000Z");
  CHECK(WebhookMessage({other}, "w", "")["status"] == "resolved");
}

TEST_CASE("SlackText: one readable line per alert", "[notify]") {
  AlertNotice by_instance;
  by_instance.labels = MakeLabels({{"alertname", "HostDown"}, {"instance", "10.0.0.1:9100"}});
  by_instance.annotations["description"] = "no answer";
  AlertNotice bare;
  bare.labels = MakeLabels({{"alertname", "Watchdog"}});
  CHECK(SlackText({Alert("DatabaseDown", "postgres-main", "summary", false),
                   Alert("CacheDown", "redis", "gone", true), by_instance, bare}) ==
        "[FIRING] DatabaseDown postgres-main: summary\n"
        "[RESOLVED] CacheDown redis: gone\n"
        "[FIRING] HostDown 10.0.0.1:9100: no answer\n"
        "[FIRING] Watchdog");
}

TEST_CASE("PagerDutySeverity: maps label values onto the four severities", "[notify]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"critical", "critical"}, {"CRITICAL", "critical"}, {"page", "critical"},
      {"error", "error"},       {"warning", "warning"},   {"warn", "warning"},
      {"info", "info"},         {"none", "info"},         {"", "error"},
      {"bogus", "error"},
  };
  for (const auto& [value, severity] : cases) {
    INFO(value);
    CHECK(PagerDutySeverity(value) == severity);
  }
}

TEST_CASE("PagerDutyEvent: trigger with payload, resolve with the same dedup key", "[notify]") {
  AlertNotice alert = Alert("DatabaseDown", "pg", "", false);
  alert.annotations["description"] = "long text";
  const nlohmann::json trigger = PagerDutyEvent(alert, "KEY", "critical", "host-1");
  CHECK(trigger["routing_key"] == "KEY");
  CHECK(trigger["event_action"] == "trigger");
  CHECK(trigger["dedup_key"] == Fingerprint(alert.labels));
  CHECK(trigger["payload"]["summary"] == "DatabaseDown");  // no summary annotation
  CHECK(trigger["payload"]["source"] == "host-1");         // no instance label
  CHECK(trigger["payload"]["severity"] == "critical");
  CHECK(trigger["payload"]["timestamp"] == "2023-11-14T22:13:20.123Z");
  CHECK(trigger["payload"]["custom_details"]["labels"]["probe"] == "pg");
  CHECK(trigger["payload"]["custom_details"]["annotations"]["description"] == "long text");
  alert.resolved = true;
  const nlohmann::json resolve = PagerDutyEvent(alert, "KEY", "critical", "host-1");
  CHECK(resolve == nlohmann::json({{"routing_key", "KEY"},
                                   {"dedup_key", trigger["dedup_key"]},
                                   {"event_action", "resolve"}}));
  AlertNotice with_instance = Alert("X", "p", std::string(2000, 's'), false);
  promql::SetLabel(with_instance.labels, "instance", "db:5432");
  const nlohmann::json long_one = PagerDutyEvent(with_instance, "KEY", "info", "host-1");
  CHECK(long_one["payload"]["source"] == "db:5432");
  CHECK(long_one["payload"]["summary"].get<std::string>().size() == 1024);
}

TEST_CASE("ExpandLabelTemplate: only label references are allowed", "[notify]") {
  const auto labels = MakeLabels({{"severity", "warning"}, {"team", "db"}});
  struct Case {
    std::string text;
    bool ok;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"critical", true, "critical"},
      {"{{ $labels.severity }}", true, "warning"},
      {"{{$labels.severity}}", true, "warning"},
      {"{{ .Labels.team }}-{{ $labels.severity }}", true, "db-warning"},
      {"{{ $labels.missing }}", true, ""},
      {"{{ $value }}", false, ""},
      {"{{ $labels.severity | toUpper }}", false, ""},
      {"{{ $labels.severity ", false, ""},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    std::string out;
    std::string error;
    CHECK(ExpandLabelTemplate(c.text, labels, &out, &error) == c.ok);
    if (c.ok) CHECK(out == c.out);
    if (!c.ok) CHECK_FALSE(error.empty());
  }
}

TEST_CASE("RetryBackoff: doubles up to the cap, with jitter between half and all of it",
          "[notify]") {
  CHECK(RetryBackoff(1, 1s, 30s, 0.0) == 500ms);
  CHECK(RetryBackoff(1, 1s, 30s, 1.0) == 1s);
  CHECK(RetryBackoff(3, 1s, 30s, 1.0) == 4s);
  CHECK(RetryBackoff(10, 1s, 30s, 1.0) == 30s);
  CHECK(RetryBackoff(100, 1s, 30s, 0.0) == 15s);
  for (int status : {0, 429, 500, 502, 503, 504}) CHECK(IsRetryableStatus(status));
  for (int status : {200, 400, 401, 403, 404, 410}) CHECK_FALSE(IsRetryableStatus(status));
}

TEST_CASE("AlertsEndpoint and UrlOrigin: what is POSTed to and what may be printed", "[notify]") {
  CHECK(AlertsEndpoint("http://am:9093") == "http://am:9093/api/v2/alerts");
  CHECK(AlertsEndpoint("http://am:9093/prefix/") == "http://am:9093/prefix/api/v2/alerts");
  CHECK(UrlOrigin("https://hooks.slack.com/services/T0/B0/SECRET") ==
        "https://hooks.slack.com/***");
  CHECK(UrlOrigin("https://u:p@hooks.example/x?y") == "https://hooks.example/***");
  CHECK(UrlOrigin("not a url") == "***");
}

}  // namespace
}  // namespace sidecar::notify
