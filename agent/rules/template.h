// The Go text/template language as Prometheus uses it in alert labels and annotations:
// {{ $labels.instance }}, {{ $value }}, {{ .Labels.job }}, {{ $externalLabels.x }},
// {{ if }}/{{ else }}/{{ end }}, {{ range }}, {{ with }}, pipelines, comparison functions
// (eq ne lt le gt ge, and or not, len, index, printf, print) and Prometheus' own (humanize,
// humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, title, toUpper,
// toLower, reReplaceAll, match, first, label, value, stripPort, safeHtml). `query` is refused:
// a rule's template may not run queries in the agent.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agent/common/status.h"
#include "agent/promql/value.h"

namespace sidecar::rules {

struct TemplateData {
  std::map<std::string, std::string> labels;           // $labels / .Labels
  double value = 0;                                    // $value / .Value
  std::map<std::string, std::string> external_labels;  // $externalLabels
  std::string external_url;                            // $externalURL
};

// Parses `text` only: the load-time check (an unknown function, an unclosed action).
Status CheckTemplate(std::string_view text);
// The same, naming the template in the message as promtool does:
// template: __alert_DatabaseDown:1: function "foo" not defined.
Status CheckTemplate(std::string_view name, std::string_view text);

// Expands `text`. `name` is used in error messages ("__alert_DatabaseDown"). Errors mirror
// Prometheus': the rule still fires, with the error text in place of the expansion.
Result<std::string> ExpandTemplate(std::string_view name, std::string_view text,
                                   const TemplateData& data);

}  // namespace sidecar::rules
