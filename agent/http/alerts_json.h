// The /alerts page: the agent's pending and firing alerts in the shape of Prometheus'
// GET /api/v1/alerts ({"status":"success","data":{"alerts":[...]}}), so tools that read
// Prometheus read the agent, plus the rule groups' health and the notifiers' delivery totals.
//
// Pure function; thread-safe.
#pragma once

#include <string>

#include "agent/rules/rule_manager.h"

namespace sidecar::http {

std::string RenderAlertsJson(const rules::RulesSnapshot& snapshot);

}  // namespace sidecar::http
