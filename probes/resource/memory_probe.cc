#include "probes/resource/memory_probe.h"

#include "probes/resource/resource_metrics.h"

namespace sidecar::probes::resource {

void MemoryProbe::Start(const ProbeContext& /*ctx*/, Done done) { done(Run()); }

ProbeResult MemoryProbe::Run() {
  const TimePoint now = now_();
  Result<MemoryReading> reading = source_.Read();
  if (!reading.ok()) {
    return ProbeResult::Failed("read", reading.status().message());
  }
  if (reading->limit_bytes == 0) {
    return ProbeResult::Failed("read", Target() + ": memory limit is 0");
  }
  const double limit = static_cast<double>(reading->limit_bytes);
  const double ratio = static_cast<double>(reading->working_set_bytes) / limit;
  ProbeResult result = ProbeResult::Healthy();
  result.samples.push_back({&kMemoryUsageBytes, {}, static_cast<double>(reading->usage_bytes)});
  result.samples.push_back(
      {&kMemoryWorkingSetBytes, {}, static_cast<double>(reading->working_set_bytes)});
  result.samples.push_back({&kMemoryLimitBytes, {}, limit});
  result.samples.push_back({&kMemoryUsageRatio, {}, ratio});
  if (reading->oom_kills) {
    result.samples.push_back({&kOomKills, {}, static_cast<double>(*reading->oom_kills)});
  }
  const Assessment assessment = level_.Update(ratio, now);
  if (assessment.verdict == Verdict::kHealthy) {
    return result;
  }
  result.verdict = assessment.verdict;
  result.failure = "threshold";
  if (source_.kind() == SourceKind::kHost) {
    result.reason = "host memory in use " + FormatPercent(ratio) + " of " + FormatBytes(limit);
  } else {
    result.reason = "memory working set " + FormatPercent(ratio) +
                    (reading->limit_is_host_total ? " of host memory " : " of limit ") +
                    FormatBytes(limit);
  }
  result.reason += " " + DescribeLevel(assessment);
  return result;
}

}  // namespace sidecar::probes::resource
