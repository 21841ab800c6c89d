#include "agent/rules/rule_manager.h"

#include <catch2/catch.hpp>

#include "agent/loop/event_loop.h"

namespace sidecar::rules {
namespace {

using promql::MakeLabels;

// Records what the manager hands to a notifier.
class RecordingNotifier : public notify::Notifier {
 public:
  explicit RecordingNotifier(std::vector<std::vector<notify::AlertNotice>>* calls)
      : calls_(calls) {}
  const std::string& name() const override { return name_; }
  void Notify(const std::vector<notify::AlertNotice>& alerts) override {
    calls_->push_back(alerts);
  }
  notify::NotifierStats stats() const override { return {}; }

 private:
  std::string name_ = "recording";
  std::vector<std::vector<notify::AlertNotice>>* calls_;
};

std::vector<GroupDef> Groups(const std::string& text) {
  std::vector<GroupDef> groups;
  std::vector<std::string> errors;
  REQUIRE(ParseRuleFile("test.rules.yml", text, &groups, &errors));
  REQUIRE(errors.empty());
  return groups;
}

constexpr char kRules[] = R"(groups:
  - name: deps
    interval: 10s
    rules:
      - alert: DependencyDown
        expr: probe_success == 0
        for: 20s
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.probe }} is down"}
)";

struct Fixture {
  EventLoop loop;
  promql::Timestamp now = 1'700'000'000'000;
  double success = 1;
  std::vector<std::vector<notify::AlertNotice>> calls;
  RuleManager manager{
      &loop,
      [this] {
        return std::vector<promql::Sample>{
            {MakeLabels({{"__name__", "probe_success"}, {"probe", "db"}}), 0, success}};
      },
      [this] { return now; }};

  void Start(const std::string& rules) {
    RuleManagerOptions options;
    options.group.default_interval_ms = 15'000;
    options.group.external_labels = {{"cluster", "prod"}};
    options.resend_delay_ms = 60'000;
    std::vector<notify::NotifierPtr> notifiers;
    notifiers.push_back(std::make_unique<RecordingNotifier>(&calls));
    manager.Update(Groups(rules), options, std::move(notifiers));
  }
  void Step(int64_t ms) {
    now += ms;
    manager.EvaluateAllNow();
  }
  std::string StateOfOnlyAlert() {
    auto snapshot = manager.snapshot();
    if (snapshot->alerts.empty()) return "none";
    return std::string(AlertStateName(snapshot->alerts[0].alert.state));
  }
};

TEST_CASE(
    "RuleManager: an alert goes pending, fires after `for`, then resolves, and the "
    "notifier gets what Prometheus would send",
    "[rules][manager]") {
  Fixture f;
  f.Start(kRules);
  f.Step(0);
  CHECK(f.StateOfOnlyAlert() == "none");
  f.success = 0;
  f.Step(10'000);
  CHECK(f.StateOfOnlyAlert() == "pending");
  CHECK(f.calls.empty());  // pending alerts are never sent
  f.Step(10'000);
  CHECK(f.StateOfOnlyAlert() == "pending");
  f.Step(10'000);
  CHECK(f.StateOfOnlyAlert() == "firing");
  REQUIRE(f.calls.size() == 1);
  REQUIRE(f.calls[0].size() == 1);
  const notify::AlertNotice& firing = f.calls[0][0];
  CHECK(promql::GetLabel(firing.labels, "alertname") == "DependencyDown");
  CHECK(promql::GetLabel(firing.labels, "cluster") == "prod");  // external labels added
  CHECK(promql::GetLabel(firing.labels, "severity") == "critical");
  CHECK(firing.annotations.at("summary") == "db is down");
  CHECK_FALSE(firing.resolved);
  CHECK(firing.starts_at == f.now);
  // endsAt = now + 4 * max(interval 10s, resend delay 60s).
  CHECK(firing.ends_at == f.now + 240'000);

  // Not re-sent before the resend delay.
  f.Step(10'000);
  CHECK(f.calls.size() == 1);

  f.success = 1;
  f.Step(10'000);
  CHECK(f.StateOfOnlyAlert() == "none");
  REQUIRE(f.calls.size() == 2);
  REQUIRE(f.calls[1].size() == 1);
  CHECK(f.calls[1][0].resolved);
  CHECK(f.calls[1][0].ends_at == f.now);
}

TEST_CASE("RuleManager: a reload keeps the state of alerts of groups that stay",
          "[rules][manager]") {
  Fixture f;
  f.Start(kRules);
  f.success = 0;
  f.Step(0);
  f.Step(10'000);
  CHECK(f.StateOfOnlyAlert() == "pending");
  f.Start(kRules);
  f.Step(10'000);
  f.Step(10'000);
  CHECK(f.StateOfOnlyAlert() == "firing");  // `for` counted from before the reload
}

TEST_CASE("RuleManager: the ring keeps what the rules read and the snapshot shows the groups",
          "[rules][manager]") {
  Fixture f;
  f.Start(R"(groups:
  - name: rates
    rules:
      - record: probe:success:avg10m
        expr: avg_over_time(probe_success[10m])
)");
  f.Step(0);
  auto snapshot = f.manager.snapshot();
  REQUIRE(snapshot->groups.size() == 1);
  CHECK(snapshot->groups[0].interval_ms == 15'000);  // the default evaluation interval
  CHECK(snapshot->groups[0].evaluations == 1);
  REQUIRE(snapshot->groups[0].rules.size() == 1);
  CHECK(snapshot->groups[0].rules[0].health == "ok");
  CHECK(snapshot->ring_series >= 2);  // the scraped series and the recorded one
  // 10 minutes of range plus the lookback and an interval.
  CHECK(f.manager.ring().retention_ms() >= 600'000);
}

}  // namespace
}  // namespace sidecar::rules
