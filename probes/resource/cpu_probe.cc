#include "probes/resource/cpu_probe.h"

#include <fmt/format.h>

#include "probes/resource/resource_metrics.h"

namespace sidecar::probes::resource {
namespace {

// "of limit 0.5 cores", or "of 2 CPUs" when no quota binds.
std::string DescribeLimit(const CpuReading& reading) {
  if (reading.quota_cores && *reading.quota_cores <= reading.online_cpus) {
    return fmt::format("of limit {:g} cores", *reading.quota_cores);
  }
  return fmt::format("of {} CPUs", reading.online_cpus);
}

}  // namespace

void CpuProbe::Start(const ProbeContext& /*ctx*/, Done done) { done(Run()); }

std::optional<double> CpuProbe::UsageRatio(const CpuReading& current, TimePoint at) const {
  if (!previous_) {
    return std::nullopt;
  }
  if (source_.kind() == SourceKind::kHost) {
    if (current.host_total_jiffies <= previous_->host_total_jiffies ||
        current.host_busy_jiffies < previous_->host_busy_jiffies) {
      return std::nullopt;
    }
    return static_cast<double>(current.host_busy_jiffies - previous_->host_busy_jiffies) /
           static_cast<double>(current.host_total_jiffies - previous_->host_total_jiffies);
  }
  const double wall_seconds = ToSeconds(at - previous_at_);
  const double used_seconds = current.usage_seconds - previous_->usage_seconds;
  if (wall_seconds <= 0 || used_seconds < 0 || current.LimitCores() <= 0) {
    return std::nullopt;
  }
  return used_seconds / (wall_seconds * current.LimitCores());
}

ProbeResult CpuProbe::Run() {
  const TimePoint now = now_();
  Result<CpuReading> reading = source_.Read();
  if (!reading.ok()) {
    return ProbeResult::Failed("read", reading.status().message());
  }
  ProbeResult result = ProbeResult::Healthy();
  result.samples.push_back({&kCpuUsageSeconds, {}, reading->usage_seconds});
  result.samples.push_back({&kCpuLimitCores, {}, reading->LimitCores()});
  if (reading->throttled_seconds) {
    result.samples.push_back({&kCpuThrottledSeconds, {}, *reading->throttled_seconds});
  }
  const std::optional<double> ratio = UsageRatio(*reading, now);
  previous_ = *reading;
  previous_at_ = now;
  if (!ratio) {
    result.reason = "first sample";
    return result;
  }
  result.samples.push_back({&kCpuUsageRatio, {}, *ratio});
  const Assessment assessment = level_.Update(*ratio, now);
  if (assessment.verdict == Verdict::kHealthy) {
    return result;
  }
  result.verdict = assessment.verdict;
  result.failure = "threshold";
  result.reason = "cpu usage " + FormatPercent(*ratio) + " " + DescribeLimit(*reading) + " " +
                  DescribeLevel(assessment);
  return result;
}

}  // namespace sidecar::probes::resource
