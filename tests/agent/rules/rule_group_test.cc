#include "agent/rules/rule_group.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "agent/promql/storage.h"

namespace sidecar::rules {
namespace {

using promql::Labels;
using promql::MakeLabels;
using promql::Point;
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

GroupDef ParseGroup(const std::string& group_yaml) {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  const bool ok = ParseRuleFile("test.yml", "groups:\n" + group_yaml, &groups, &errors);
  INFO((errors.empty() ? "" : errors[0]));
  REQUIRE(ok);
  return std::move(groups.at(0));
}

std::string Group(const std::string& rules) {
  return "- name: g\n  interval: 1m\n  rules:\n" + rules;
}

std::map<Labels, std::vector<Point>> Series(const promql::MemoryStorage& storage,
                                            const std::string& name) {
  auto matcher = promql::LabelMatcher::Make(promql::LabelMatcher::Type::kEqual, "__name__", name);
  REQUIRE(matcher.ok());
  std::map<Labels, std::vector<Point>> out;
  for (promql::Series& series : storage.Select({*matcher}, 0, 1000 * kMinute)) {
    out[series.metric] = series.points;
  }
  return out;
}

void Set(promql::MemoryStorage& storage, const std::string& name, const std::string& job,
         Timestamp t, double v) {
  REQUIRE(storage.Append(MakeLabels({{"__name__", name}, {"job", job}}), t, v).ok());
}

TEST_CASE("RuleGroup: a recording rule feeds a later alerting rule at the same time", "[rules]") {
  RuleGroup group(ParseGroup(Group("  - record: job:up:sum\n    expr: sum by (job) (up)\n"
                                   "  - alert: JobDown\n    expr: job:up:sum == 0\n")),
                  {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  Set(storage, "up", "db", 0, 0);
  Set(storage, "up", "web", 0, 1);
  group.Eval(0, storage, appender);
  auto recorded = Series(storage, "job:up:sum");
  CHECK(recorded.size() == 2);
  CHECK(recorded[MakeLabels({{"__name__", "job:up:sum"}, {"job", "db"}})] ==
        std::vector<Point>{{0, 0}});
  auto alerts = group.ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].labels == MakeLabels({{"alertname", "JobDown"}, {"job", "db"}}));
  CHECK(alerts[0].state == Alert::State::kFiring);
}

TEST_CASE("RuleGroup: a recording rule sets its name and labels, and an empty label removes",
          "[rules]") {
  RuleGroup group(ParseGroup(Group("  - record: doubled\n    expr: up * 2\n    labels:\n"
                                   "      job: ''\n      team: db\n"
                                   "  - record: one\n    expr: '1'\n")),
                  {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  Set(storage, "up", "db", 0, 1);
  group.Eval(kMinute, storage, appender);
  CHECK(Series(storage, "doubled") ==
        std::map<Labels, std::vector<Point>>{
            {MakeLabels({{"__name__", "doubled"}, {"team", "db"}}), {{kMinute, 2}}}});
  // A scalar becomes one sample with the record name as its only label.
  CHECK(Series(storage, "one") ==
        std::map<Labels, std::vector<Point>>{{MakeLabels({{"__name__", "one"}}), {{kMinute, 1}}}});
  for (const RuleStatus& status : group.RuleStatuses()) {
    CHECK(status.health == "ok");
    CHECK(status.last_evaluation == kMinute);
  }
}

TEST_CASE("RuleGroup: a recording rule whose labels make two samples alike fails", "[rules]") {
  RuleGroup group(ParseGroup(Group("  - record: r\n    expr: up\n    labels:\n      job: same\n")),
                  {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  Set(storage, "up", "a", 0, 1);
  Set(storage, "up", "b", 0, 1);
  group.Eval(0, storage, appender);
  CHECK(group.RuleStatuses()[0].health == "err");
  CHECK(group.RuleStatuses()[0].last_error ==
        "vector contains metrics with the same labelset after applying rule labels");
  CHECK(Series(storage, "r").empty());
}

TEST_CASE("RuleGroup: a series a rule no longer produces gets a staleness marker", "[rules]") {
  RuleGroup group(ParseGroup(Group("  - record: r\n    expr: up == 1\n")), {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  Set(storage, "up", "a", 0, 1);
  Set(storage, "up", "b", 0, 1);
  group.Eval(0, storage, appender);
  Set(storage, "up", "b", kMinute, 0);
  group.Eval(kMinute, storage, appender);
  group.Eval(2 * kMinute, storage, appender);
  auto series = Series(storage, "r");
  REQUIRE(series.size() == 2);
  const auto& b = series[MakeLabels({{"__name__", "r"}, {"job", "b"}})];
  REQUIRE(b.size() == 2);
  CHECK(b[0] == Point{0, 1});
  CHECK(b[1].t == kMinute);
  CHECK(promql::IsStaleNaN(b[1].v));
  // Marked once only.
  const auto& a = series[MakeLabels({{"__name__", "r"}, {"job", "a"}})];
  CHECK(a == std::vector<Point>{{0, 1}, {kMinute, 1}, {2 * kMinute, 1}});
}

TEST_CASE("RuleGroup: a failing rule keeps its series unmarked and the others still run",
          "[rules]") {
  RuleGroup group(ParseGroup(Group("  - record: r\n    expr: a + ignoring(i) b\n"
                                   "  - record: s\n    expr: b\n")),
                  {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  REQUIRE(storage.Append(MakeLabels({{"__name__", "a"}, {"i", "1"}}), 0, 1).ok());
  REQUIRE(storage.Append(MakeLabels({{"__name__", "b"}}), 0, 1).ok());
  group.Eval(0, storage, appender);
  CHECK(group.RuleStatuses()[0].health == "ok");
  REQUIRE(storage.Append(MakeLabels({{"__name__", "a"}, {"i", "2"}}), kMinute, 1).ok());
  group.Eval(kMinute, storage, appender);
  auto statuses = group.RuleStatuses();
  CHECK(statuses[0].health == "err");
  CHECK_FALSE(statuses[0].last_error.empty());
  CHECK(statuses[1].health == "ok");
  CHECK(Series(storage, "r").begin()->second == std::vector<Point>{{0, 2}});
  CHECK(Series(storage, "s").begin()->second == std::vector<Point>{{0, 1}, {kMinute, 1}});
}

TEST_CASE("RuleGroup: a rule whose result is not a vector or scalar fails", "[rules]") {
  RuleGroup group(ParseGroup(Group("  - record: r\n    expr: '\"text\"'\n")), {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  group.Eval(0, storage, appender);
  CHECK(group.RuleStatuses()[0].health == "err");
  CHECK(group.RuleStatuses()[0].last_error == "rule result is not a vector or scalar");
}

TEST_CASE("RuleGroup: a recording rule above the group limit fails", "[rules]") {
  RuleGroup group(ParseGroup("- name: g\n  limit: 1\n  rules:\n  - record: r\n    expr: up\n"), {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  Set(storage, "up", "a", 0, 1);
  Set(storage, "up", "b", 0, 1);
  group.Eval(0, storage, appender);
  CHECK(group.RuleStatuses()[0].last_error == "exceeded limit of 1 with 2 series");
  CHECK(Series(storage, "r").empty());
}

TEST_CASE("RuleGroup: rules are unknown before the first evaluation", "[rules]") {
  GroupOptions options;
  options.default_interval_ms = 15000;
  RuleGroup group(ParseGroup("- name: g\n  rules:\n  - record: r\n    expr: up\n"), options);
  CHECK(group.name() == "g");
  CHECK(group.file() == "test.yml");
  CHECK(group.interval_ms() == 15000);
  REQUIRE(group.RuleStatuses().size() == 1);
  CHECK(group.RuleStatuses()[0].health == "unknown");
  CHECK(group.RuleStatuses()[0].def->record == "r");
  RuleGroup own(ParseGroup(Group("  - record: r\n    expr: up\n")), options);
  CHECK(own.interval_ms() == kMinute);
}

TEST_CASE("RuleGroup: CopyState keeps alerts across a reload and marks removed rules' series",
          "[rules]") {
  const std::string alert = "  - alert: Down\n    expr: up == 0\n    for: 1m\n";
  RuleGroup old_group(ParseGroup(Group("  - record: r\n    expr: up\n" + alert)), {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  for (int i = 0; i < 3; ++i) Set(storage, "up", "db", i * kMinute, 0);
  old_group.Eval(0, storage, appender);
  old_group.Eval(kMinute, storage, appender);
  REQUIRE(old_group.ActiveAlerts().at(0).state == Alert::State::kFiring);
  CHECK(old_group.AlertsToSend(kMinute, kMinute).size() == 1);

  // The new version of the group drops the recording rule.
  RuleGroup new_group(ParseGroup(Group(alert)), {});
  new_group.CopyState(old_group);
  REQUIRE(new_group.ActiveAlerts().size() == 1);
  CHECK(new_group.ActiveAlerts()[0].fired_at == kMinute);
  new_group.Eval(2 * kMinute, storage, appender);
  auto alerts = new_group.ActiveAlerts();
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].state == Alert::State::kFiring);
  CHECK(alerts[0].active_at == 0);
  // Sent at 1m: not due again at 2m.
  CHECK(new_group.AlertsToSend(2 * kMinute, kMinute).empty());
  auto recorded = Series(storage, "r");
  REQUIRE(recorded.size() == 1);
  const auto& points = recorded.begin()->second;
  REQUIRE(points.size() == 3);
  CHECK(points[2].t == 2 * kMinute);
  CHECK(promql::IsStaleNaN(points[2].v));
}

TEST_CASE("RuleGroup: CopyState matches rules by name and labels", "[rules]") {
  RuleGroup old_group(
      ParseGroup(Group("  - alert: Down\n    expr: up == 0\n    labels:\n      sev: page\n")), {});
  promql::MemoryStorage storage;
  StorageAppender appender(&storage);
  Set(storage, "up", "db", 0, 0);
  old_group.Eval(0, storage, appender);
  REQUIRE(old_group.ActiveAlerts().size() == 1);
  RuleGroup changed(
      ParseGroup(Group("  - alert: Down\n    expr: up == 0\n    labels:\n      sev: info\n")), {});
  changed.CopyState(old_group);
  CHECK(changed.ActiveAlerts().empty());
  RuleGroup same(ParseGroup(Group("  - alert: Down\n    expr: up < 1\n    labels:\n"
                                  "      sev: page\n")),
                 {});
  same.CopyState(old_group);
  CHECK(same.ActiveAlerts().size() == 1);
}

}  // namespace
}  // namespace sidecar::rules
