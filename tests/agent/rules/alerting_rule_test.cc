#include "agent/rules/alerting_rule.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/promql/storage.h"
#include "agent/rules/rule_group.h"

namespace sidecar::rules {
namespace {

using promql::Labels;
using promql::MakeLabels;
using promql::Timestamp;

constexpr Timestamp kMinute = 60 * 1000;

class StorageAppender : public Appender {
 public:
  explicit StorageAppender(promql::MemoryStorage* storage) : storage_(storage) {}
  void Append(const Labels& labels, Timestamp t, double v) override {
    Status status = storage_->Append(labels, t, v);
    REQUIRE(status.ok());
  }

 private:
  promql::MemoryStorage* storage_;
};

// A group of `rules` (YAML list items) with a 1m interval, evaluated over its own storage.
struct Fixture {
  explicit Fixture(const std::string& rules, GroupOptions options = {}) {
    std::vector<GroupDef> groups;
    std::vector<std::string> errors;
    const bool ok = ParseRuleFile(
        "test.yml", "groups:\n- name: g\n  interval: 1m\n  rules:\n" + rules, &groups, &errors);
    INFO((errors.empty() ? "" : errors[0]));
    REQUIRE(ok);
    group = std::make_unique<RuleGroup>(std::move(groups.at(0)), std::move(options));
  }
  void Set(const std::string& name, const std::string& job, Timestamp t, double v) {
    Labels labels = MakeLabels({{"__name__", name}, {"job", job}});
    REQUIRE(storage.Append(labels, t, v).ok());
  }
  void Eval(Timestamp t) { group->Eval(t, storage, appender); }
  // The points of every series named `name` in [mint, maxt], by labels.
  std::map<Labels, std::vector<promql::Point>> Series(const std::string& name, Timestamp mint,
                                                      Timestamp maxt) {
    auto matcher = promql::LabelMatcher::Make(promql::LabelMatcher::Type::kEqual, "__name__", name);
    REQUIRE(matcher.ok());
    std::map<Labels, std::vector<promql::Point>> out;
    for (promql::Series& series : storage.Select({*matcher}, mint, maxt)) {
      out[series.metric] = series.points;
    }
    return out;
  }

  promql::MemoryStorage storage;
  StorageAppender appender{&storage};
  std::unique_ptr<RuleGroup> group;
};

Labels AlertsLabels(const std::string& state, std::vector<promql::Label> extra = {}) {
  extra.push_back({"__name__", "ALERTS"});
  extra.push_back({"alertname", "Down"});
  extra.push_back({"alertstate", state});
  return MakeLabels(std::move(extra));
}

const char* const kDownRule =
    "  - alert: Down\n    expr: up == 0\n    for: 2m\n    labels:\n      severity: page\n";

TEST_CASE("AlertingRule: a match is pending, then firing once `for` has passed", "[rules]") {
  Fixture f(kDownRule);
  for (Timestamp t = 0; t <= 3 * kMinute; t += kMinute) f.Set("up", "db", t, 0);

  f.Eval(0);
  auto alerts = f.group->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].state == Alert::State::kPending);
  CHECK(alerts[0].labels ==
        MakeLabels({{"alertname", "Down"}, {"job", "db"}, {"severity", "page"}}));
  CHECK(alerts[0].active_at == 0);
  CHECK(alerts[0].value == 0);

  f.Eval(kMinute);
  CHECK(f.group->ActiveAlerts().at(0).state == Alert::State::kPending);
  f.Eval(2 * kMinute);
  alerts = f.group->ActiveAlerts();
  CHECK(alerts.at(0).state == Alert::State::kFiring);
  CHECK(alerts.at(0).fired_at == 2 * kMinute);
  CHECK(alerts.at(0).active_at == 0);

  // ALERTS: the pending series until 1m, then a staleness marker when it turned firing.
  auto series = f.Series("ALERTS", 0, 2 * kMinute);
  const Labels pending = AlertsLabels("pending", {{"job", "db"}, {"severity", "page"}});
  const Labels firing = AlertsLabels("firing", {{"job", "db"}, {"severity", "page"}});
  REQUIRE(series.count(pending) == 1);
  REQUIRE(series[pending].size() == 3);
  CHECK(series[pending][0] == promql::Point{0, 1});
  CHECK(series[pending][1] == promql::Point{kMinute, 1});
  CHECK(series[pending][2].t == 2 * kMinute);
  CHECK(promql::IsStaleNaN(series[pending][2].v));
  REQUIRE(series.count(firing) == 1);
  CHECK(series[firing] == std::vector<promql::Point>{{2 * kMinute, 1}});

  auto for_state = f.Series("ALERTS_FOR_STATE", 0, 2 * kMinute);
  const Labels for_labels = MakeLabels({{"__name__", "ALERTS_FOR_STATE"},
                                        {"alertname", "Down"},
                                        {"job", "db"},
                                        {"severity", "page"}});
  REQUIRE(for_state.count(for_labels) == 1);
  CHECK(for_state[for_labels].size() == 3);
  CHECK(for_state[for_labels].back() == promql::Point{2 * kMinute, 0});
}

TEST_CASE("AlertingRule: for 0 fires at the first match", "[rules]") {
  Fixture f("  - alert: Down\n    expr: up == 0\n");
  f.Set("up", "db", 0, 0);
  f.Eval(0);
  REQUIRE(f.group->ActiveAlerts().size() == 1);
  CHECK(f.group->ActiveAlerts()[0].state == Alert::State::kFiring);
  CHECK(f.group->ActiveAlerts()[0].fired_at == 0);
}

TEST_CASE("AlertingRule: ALERTS_FOR_STATE holds active_at in whole seconds", "[rules]") {
  Fixture f("  - alert: Down\n    expr: up == 0\n");
  f.Set("up", "db", 90500, 0);
  f.Eval(90500);
  auto for_state = f.Series("ALERTS_FOR_STATE", 0, kMinute * 10);
  REQUIRE(for_state.size() == 1);
  CHECK(for_state.begin()->second == std::vector<promql::Point>{{90500, 90}});
}

TEST_CASE("AlertingRule: a pending alert whose match is gone is dropped", "[rules]") {
  Fixture f(kDownRule);
  f.Set("up", "db", 0, 0);
  f.Set("up", "db", kMinute, 1);
  f.Eval(0);
  f.Eval(kMinute);
  CHECK(f.group->ActiveAlerts().empty());
  CHECK(f.group->AlertsToSend(kMinute, kMinute).empty());
  auto series = f.Series("ALERTS", 0, kMinute);
  REQUIRE(series.size() == 1);
  REQUIRE(series.begin()->second.size() == 2);
  CHECK(promql::IsStaleNaN(series.begin()->second[1].v));
}

TEST_CASE("AlertingRule: a resolved alert is sent and kept 15 minutes, then forgotten", "[rules]") {
  Fixture f("  - alert: Down\n    expr: up == 0\n");
  f.Set("up", "db", 0, 0);
  f.Set("up", "db", kMinute, 1);
  f.Eval(0);
  auto sent = f.group->AlertsToSend(0, kMinute);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].state == Alert::State::kFiring);

  f.Eval(kMinute);
  CHECK(f.group->ActiveAlerts().empty());
  CHECK(f.group->RuleStatuses().at(0).alerts.empty());
  sent = f.group->AlertsToSend(kMinute, 10 * kMinute);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].state == Alert::State::kInactive);
  CHECK(sent[0].resolved_at == kMinute);
  CHECK(sent[0].valid_until == kMinute + 4 * 10 * kMinute);
  CHECK(f.group->AlertsToSend(kMinute, 10 * kMinute).empty());

  // Resent as any other after the resend delay while retained: last 1m + 10m < 12m.
  for (Timestamp t = 2 * kMinute; t <= 11 * kMinute; t += kMinute) {
    f.Eval(t);
    CHECK(f.group->AlertsToSend(t, 10 * kMinute).empty());
  }
  f.Eval(12 * kMinute);
  CHECK(f.group->AlertsToSend(12 * kMinute, 10 * kMinute).size() == 1);
  // Retention: kept while now - resolved_at <= 15m, dropped after.
  f.Eval(16 * kMinute);
  CHECK(f.group->AlertsToSend(16 * kMinute, 0).size() == 1);
  f.Eval(17 * kMinute);
  CHECK(f.group->AlertsToSend(17 * kMinute, 0).empty());
}

TEST_CASE("AlertingRule: a resolved alert that matches again starts over as pending", "[rules]") {
  Fixture f(kDownRule);
  const double values[] = {0, 0, 0, 1, 0};
  for (int i = 0; i < 5; ++i) f.Set("up", "db", i * kMinute, values[i]);
  for (int i = 0; i < 5; ++i) f.Eval(i * kMinute);
  auto alerts = f.group->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].state == Alert::State::kPending);
  CHECK(alerts[0].active_at == 4 * kMinute);
  CHECK(alerts[0].resolved_at == 0);
}

TEST_CASE("AlertingRule: keep_firing_for holds a firing alert after its match is gone", "[rules]") {
  // As promtool 2.42 shows it: firing at 2m, no match from 4m, still firing at 6m, not at 7m.
  Fixture f("  - alert: Down\n    expr: up == 0\n    for: 2m\n    keep_firing_for: 3m\n");
  const double values[] = {0, 0, 0, 0, 1, 1, 1, 1};
  for (int i = 0; i < 8; ++i) f.Set("up", "db", i * kMinute, values[i]);
  for (int i = 0; i <= 6; ++i) f.Eval(i * kMinute);
  auto alerts = f.group->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].state == Alert::State::kFiring);
  CHECK(alerts[0].keep_firing_since == 4 * kMinute);
  CHECK(alerts[0].fired_at == 2 * kMinute);
  f.Eval(7 * kMinute);
  CHECK(f.group->ActiveAlerts().empty());
  auto sent = f.group->AlertsToSend(7 * kMinute, kMinute);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].resolved_at == 7 * kMinute);
  auto series = f.Series("ALERTS", 6 * kMinute, 7 * kMinute);
  REQUIRE(series.size() == 1);
  REQUIRE(series.begin()->second.size() == 2);
  CHECK(series.begin()->second[0] == promql::Point{6 * kMinute, 1});
  CHECK(promql::IsStaleNaN(series.begin()->second[1].v));
}

TEST_CASE("AlertingRule: keep_firing_for restarts when the match comes back", "[rules]") {
  Fixture f("  - alert: Down\n    expr: up == 0\n    keep_firing_for: 2m\n");
  const double values[] = {0, 1, 0, 1, 1, 1};
  for (int i = 0; i < 6; ++i) f.Set("up", "db", i * kMinute, values[i]);
  for (int i = 0; i <= 4; ++i) f.Eval(i * kMinute);
  REQUIRE(f.group->ActiveAlerts().size() == 1);
  CHECK(f.group->ActiveAlerts()[0].keep_firing_since == 3 * kMinute);
  f.Eval(5 * kMinute);
  CHECK(f.group->ActiveAlerts().empty());
}

TEST_CASE("AlertingRule: firing alerts are resent only once the resend delay has passed",
          "[rules]") {
  Fixture f("  - alert: Down\n    expr: up == 0\n");
  for (int i = 0; i < 4; ++i) f.Set("up", "db", i * kMinute, 0);
  f.Eval(0);
  auto sent = f.group->AlertsToSend(0, kMinute);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].last_sent_at == 0);
  CHECK(sent[0].valid_until == 4 * kMinute);
  // Prometheus resends when last_sent_at + resend_delay is strictly before now.
  f.Eval(kMinute);
  CHECK(f.group->AlertsToSend(kMinute, kMinute).empty());
  f.Eval(2 * kMinute);
  sent = f.group->AlertsToSend(2 * kMinute, kMinute);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].valid_until == 6 * kMinute);
  // valid_until uses the larger of the group interval and the resend delay.
  f.Eval(3 * kMinute);
  sent = f.group->AlertsToSend(3 * kMinute, 0);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].valid_until == 3 * kMinute + 4 * kMinute);
}

TEST_CASE("AlertingRule: pending alerts are never sent", "[rules]") {
  Fixture f(kDownRule);
  f.Set("up", "db", 0, 0);
  f.Eval(0);
  CHECK(f.group->AlertsToSend(0, 0).empty());
}

TEST_CASE("AlertingRule: labels and annotations are expanded from the sample", "[rules]") {
  GroupOptions options;
  options.external_labels = {{"site", "eu1"}};
  options.external_url = "http://agent:9100";
  Fixture f(
      "  - alert: Down\n    expr: up < 1\n    labels:\n      where: '{{ $labels.job }}'\n"
      "    annotations:\n      summary: '{{ $labels.__name__ }} of {{ $labels.job }} is "
      "{{ $value }} at {{ $externalLabels.site }} {{ $externalURL }}'\n",
      options);
  f.Set("up", "db", 0, 0.5);
  f.Eval(0);
  auto alerts = f.group->ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].labels == MakeLabels({{"alertname", "Down"}, {"job", "db"}, {"where", "db"}}));
  CHECK(alerts[0].annotations.at("summary") == "up of db is 0.5 at eu1 http://agent:9100");
  CHECK(alerts[0].value == 0.5);
}

TEST_CASE("AlertingRule: a label that expands to nothing keeps its template in ALERTS", "[rules]") {
  // Prometheus builds ALERTS from the rule's unexpanded labels overlaid with the alert's.
  Fixture f("  - alert: Down\n    expr: up == 0\n    labels:\n      x: '{{ $labels.nope }}'\n");
  f.Set("up", "db", 0, 0);
  f.Eval(0);
  REQUIRE(f.group->ActiveAlerts().size() == 1);
  CHECK(f.group->ActiveAlerts()[0].labels == MakeLabels({{"alertname", "Down"}, {"job", "db"}}));
  auto series = f.Series("ALERTS", 0, 0);
  REQUIRE(series.size() == 1);
  CHECK(promql::GetLabel(series.begin()->first, "x") == "{{ $labels.nope }}");
}

TEST_CASE("AlertingRule: two samples with the same alert labels are an error", "[rules]") {
  Fixture f("  - alert: Down\n    expr: up == 0\n    labels:\n      job: same\n");
  f.Set("up", "a", 0, 0);
  f.Set("up", "b", 0, 0);
  f.Eval(0);
  auto status = f.group->RuleStatuses().at(0);
  CHECK(status.health == "err");
  CHECK(status.last_error ==
        "vector contains metrics with the same labelset after applying alert labels");
  CHECK(f.group->ActiveAlerts().empty());
  CHECK(f.storage.series_count() == 2);
}

TEST_CASE("AlertingRule: a failing expression keeps the alerts and writes nothing", "[rules]") {
  // `a + ignoring(i) b` fails once two `a` series match the same `b`.
  Fixture f("  - alert: Down\n    expr: a + ignoring(i) b\n");
  auto set = [&](const char* name, const char* i, Timestamp t) {
    REQUIRE(f.storage.Append(MakeLabels({{"__name__", name}, {"i", i}}), t, 1).ok());
  };
  set("a", "1", 0);
  set("b", "", 0);
  f.Eval(0);
  REQUIRE(f.group->ActiveAlerts().size() == 1);
  CHECK(f.group->AlertsToSend(0, kMinute).size() == 1);
  set("a", "2", 5 * kMinute);
  f.Eval(5 * kMinute);
  auto status = f.group->RuleStatuses().at(0);
  CHECK(status.health == "err");
  CHECK_FALSE(status.last_error.empty());
  REQUIRE(f.group->ActiveAlerts().size() == 1);
  CHECK(f.group->ActiveAlerts()[0].state == Alert::State::kFiring);
  CHECK(f.group->AlertsToSend(5 * kMinute, kMinute).empty());
  auto series = f.Series("ALERTS", 0, 10 * kMinute);
  REQUIRE(series.size() == 1);
  CHECK(series.begin()->second == std::vector<promql::Point>{{0, 1}});
}

TEST_CASE("AlertingRule: more alerts than the group limit drops them all", "[rules]") {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  REQUIRE(ParseRuleFile("t.yml",
                        "groups:\n- name: g\n  limit: 1\n  rules:\n"
                        "  - alert: Down\n    expr: up == 0\n",
                        &groups, &errors));
  RuleGroup group(std::move(groups[0]), {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  REQUIRE(storage.Append(MakeLabels({{"__name__", "up"}, {"job", "a"}}), 0, 0).ok());
  group.Eval(0, storage, appender);
  CHECK(group.ActiveAlerts().size() == 1);
  REQUIRE(storage.Append(MakeLabels({{"__name__", "up"}, {"job", "b"}}), kMinute, 0).ok());
  group.Eval(kMinute, storage, appender);
  CHECK(group.ActiveAlerts().empty());
  CHECK(group.RuleStatuses()[0].last_error == "exceeded limit of 1 with 2 alerts");
}

}  // namespace
}  // namespace sidecar::rules
