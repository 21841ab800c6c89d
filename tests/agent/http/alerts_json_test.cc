#include "agent/http/alerts_json.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/common/redact.h"

namespace sidecar::http {
namespace {

TEST_CASE("RenderAlertsJson: alerts in the shape of Prometheus' /api/v1/alerts", "[http][rules]") {
  rules::RulesSnapshot snapshot;
  rules::Alert alert;
  alert.state = rules::Alert::State::kFiring;
  alert.labels = promql::MakeLabels({{"alertname", "DatabaseDown"}, {"severity", "critical"}});
  alert.annotations = {{"summary", "db is down"}};
  alert.active_at = 1'700'000'000'123;
  alert.value = 1;
  snapshot.alerts.push_back({"a.yml;db", alert});
  rules::GroupView group;
  group.name = "db";
  group.file = "a.yml";
  group.interval_ms = 15'000;
  group.rules.push_back({"DatabaseDown", true, "up == 0", "ok", "", 0.001, 1});
  snapshot.groups.push_back(group);

  const nlohmann::json body = nlohmann::json::parse(RenderAlertsJson(snapshot));
  CHECK(body["status"] == "success");
  REQUIRE(body["data"]["alerts"].size() == 1);
  const nlohmann::json& got = body["data"]["alerts"][0];
  CHECK(got["labels"]["alertname"] == "DatabaseDown");
  CHECK(got["annotations"]["summary"] == "db is down");
  CHECK(got["state"] == "firing");
  CHECK(got["activeAt"] == "2023-11-14T22:13:20.123Z");
  CHECK(got["value"] == "1e+00");
  CHECK(body["data"]["groups"][0]["rules"][0]["query"] == "up == 0");
  CHECK(body["data"]["groups"][0]["interval"] == 15);
}

TEST_CASE("RenderAlertsJson: a secret in an annotation or a notifier error is redacted",
          "[http][rules]") {
  const std::string sentinel = "sk_live_SENTINEL_ALERTS_4242";
  RegisterSecret(sentinel);
  rules::RulesSnapshot snapshot;
  rules::Alert alert;
  alert.labels = promql::MakeLabels({{"alertname", "X"}});
  alert.annotations = {{"summary", "key " + sentinel}};
  snapshot.alerts.push_back({"g", alert});
  snapshot.notifiers.push_back({"slack", {0, 1, 1, "POST https://hooks/" + sentinel + " failed"}});
  const std::string body = RenderAlertsJson(snapshot);
  CHECK(body.find(sentinel) == std::string::npos);
  CHECK_THAT(body, Catch::Contains("failed"));
}

}  // namespace
}  // namespace sidecar::http
