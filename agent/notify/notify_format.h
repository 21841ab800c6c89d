// What the notifiers put on the wire, as pure functions: RFC 3339 times, Alertmanager's
// postableAlert and webhook messages, the label-set fingerprint Alertmanager and Prometheus use
// (also the PagerDuty dedup key), Slack's text and PagerDuty's events. No I/O.
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/notify/notifier.h"

namespace sidecar::notify {

// Compact JSON; invalid UTF-8 in a label value is replaced, never thrown about.
std::string DumpJson(const nlohmann::json& value);

// "2026-11-22T07:04:55.123Z" (UTC, always milliseconds).
std::string FormatRfc3339Ms(promql::Timestamp ms);

// The label set's fingerprint as Prometheus' model computes it (FNV-1a 64), 16 hex digits.
std::string Fingerprint(const promql::Labels& labels);

// One postableAlert of Alertmanager's API v2 (labels, annotations, startsAt, endsAt,
// generatorURL; times left out when 0).
nlohmann::json PostableAlert(const AlertNotice& alert);

// The JSON Alertmanager's webhook_config POSTs (version "4"), for `alerts` as one group.
nlohmann::json WebhookMessage(const std::vector<AlertNotice>& alerts, std::string_view receiver,
                              std::string_view external_url);

// One readable line per alert: "[FIRING] DatabaseDown postgres-main: the summary". The word
// after the name is the `probe` label, else `instance`; the text after the colon is the
// summary annotation, else the description.
std::string SlackText(const std::vector<AlertNotice>& alerts);

// PagerDuty's severity for a label or configured value: critical, error, warning or info
// (common synonyms mapped; anything else, or nothing, is "error" as in Alertmanager).
std::string PagerDutySeverity(std::string_view value);

// One Events API v2 event: trigger (payload with summary, source, severity, timestamp,
// custom_details) or resolve (routing_key, dedup_key and event_action only).
nlohmann::json PagerDutyEvent(const AlertNotice& alert, std::string_view routing_key,
                              std::string_view severity, std::string_view default_source);

// Expands "{{ $labels.NAME }}" and "{{ .Labels.NAME }}" in `text` (the only actions allowed in
// a notifier's own settings). Returns false, with `error` set, on any other action.
bool ExpandLabelTemplate(std::string_view text, const promql::Labels& labels, std::string* out,
                         std::string* error);

}  // namespace sidecar::notify
