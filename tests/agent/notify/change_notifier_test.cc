// ChangeFilter: what Slack, PagerDuty and webhooks hear about, with time given by hand.
#include "agent/notify/change_notifier.h"

#include <catch2/catch.hpp>

namespace sidecar::notify {
namespace {

using namespace std::chrono_literals;

AlertNotice Notice(const std::string& name, bool resolved) {
  AlertNotice alert;
  alert.labels = promql::MakeLabels({{"alertname", name}});
  alert.resolved = resolved;
  return alert;
}

std::vector<std::string> Names(const std::vector<AlertNotice>& alerts) {
  std::vector<std::string> out;
  for (const auto& alert : alerts) {
    out.push_back(std::string(promql::GetLabel(alert.labels, "alertname")) +
                  (alert.resolved ? ":resolved" : ":firing"));
  }
  return out;
}

TEST_CASE("ChangeFilter: new firing, repeat after repeat_interval, resolved once", "[notify]") {
  ChangeFilter filter(4h);
  const TimePoint t0 = TimePoint(1000h);
  struct Step {
    Duration at;
    std::vector<AlertNotice> in;
    std::vector<std::string> out;
  };
  const std::vector<Step> steps = {
      {0s, {Notice("A", false)}, {"A:firing"}},
      {1min, {Notice("A", false)}, {}},  // resent by the manager: quiet
      {1min, {Notice("A", false), Notice("B", false)}, {"B:firing"}},
      {4h - 1s, {Notice("A", false)}, {}},       // not yet 4h since sent
      {4h, {Notice("A", false)}, {"A:firing"}},  // the repeat
      {4h + 1min, {Notice("A", true)}, {"A:resolved"}},
      {4h + 2min, {Notice("A", true)}, {}},              // resolved is sent once
      {4h + 3min, {Notice("A", false)}, {"A:firing"}},   // fires again: new
      {4h + 3min, {Notice("C", true)}, {"C:resolved"}},  // never seen firing: still told
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    INFO("step " << i);
    CHECK(Names(filter.Filter(steps[i].in, t0 + steps[i].at)) == steps[i].out);
  }
}

TEST_CASE("ChangeFilter: alerts not seen for an hour are forgotten", "[notify]") {
  ChangeFilter filter(4h);
  const TimePoint t0 = TimePoint(1000h);
  CHECK(filter.Filter({Notice("A", false), Notice("B", false)}, t0).size() == 2);
  CHECK(filter.Filter({Notice("B", false)}, t0 + 61min).empty());
  CHECK(filter.tracked() == 1);
  CHECK(Names(filter.Filter({Notice("A", false)}, t0 + 62min)) ==
        std::vector<std::string>{"A:firing"});
}

}  // namespace
}  // namespace sidecar::notify
