// The levels of the resource probes, how long a value must stay at or above one before the
// verdict changes, and how levels and values read in a reason.
//
// Config keys, in the probe's entry (the shipped config/agent.yaml uses them):
//   degraded_above: 85%    # a fraction (0.85) or a percentage (85%); `none` turns it off
//   unhealthy_above: 95%
//   for: 2m                # default 0: one run at or above a level is enough
// A value at a level counts as above it, so `unhealthy_above: 100%` means "full".
// (`critical:` is taken: it is the common key that makes a probe decide readiness.)
//
// SustainedLevel is thread-compatible (one probe, on the loop thread); the rest is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/common/duration.h"
#include "agent/common/status.h"
#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::probes::resource {

struct Thresholds {
  std::optional<double> degraded_above;   // a fraction in (0, 1]
  std::optional<double> unhealthy_above;  // a fraction in (0, 1]
  Duration sustain = Duration::zero();    // config key `for`
};

// "0.8" or "80%" as a fraction in (0, 1]. Errors say why: "120% is more than 100%".
Result<double> ParseFraction(std::string_view text);

// Reads degraded_above, unhealthy_above and for from a probe's entry over the type's defaults.
// Returns nullopt after recording every problem in `node`.
std::optional<Thresholds> ReadThresholds(config::ConfigNode& node, const Thresholds& defaults);

struct Assessment {
  Verdict verdict = Verdict::kHealthy;
  double threshold = 0;              // the level reached, when not healthy
  Duration held = Duration::zero();  // how long the value has been at or above it
};

// The since-when state of one value: a level counts once the value has stayed at or above it
// for `sustain`. Falling below degraded_above ends the streak at once (no delay on the way
// down), so one spike does not flip health and recovery is not held back.
class SustainedLevel {
 public:
  explicit SustainedLevel(Thresholds thresholds) : thresholds_(thresholds) {}

  Assessment Update(double value, TimePoint now);

 private:
  Thresholds thresholds_;
  std::optional<TimePoint> degraded_since_;   // start of the streak at or above degraded_above
  std::optional<TimePoint> unhealthy_since_;  // start of the streak at or above unhealthy_above
};

// "(unhealthy above 95%) for 2m10s"; the duration only once the value has held a whole second.
std::string DescribeLevel(const Assessment& assessment);

// 0.97 -> "97%", 0.855 -> "85.5%".
std::string FormatPercent(double fraction);

// 536870912 -> "512MiB", 1610612736 -> "1.5GiB", 100 -> "100B".
std::string FormatBytes(double bytes);

}  // namespace sidecar::probes::resource
