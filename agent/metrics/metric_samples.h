// The agent's own series as PromQL samples: prometheus-cpp metric families flattened the way a
// Prometheus scrape of /metrics sees them (counters and gauges as is, histograms as _bucket{le},
// _sum and _count, summaries as {quantile}, _sum and _count), so a rule written for Prometheus
// reads the same names and labels inside the agent.
//
// Pure function; thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "agent/promql/value.h"

namespace sidecar::metrics {

std::vector<promql::Sample> FamiliesToSamples(
    const std::vector<prometheus::MetricFamily>& families);

}  // namespace sidecar::metrics
