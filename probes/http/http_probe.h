// The http probe: one HTTP(S) request per run through libcurl's multi interface on the agent's
// loop (agent/loop/curl_multi.h), with per-phase timing, TLS facts and the providers'
// rate-limit headroom (http_metrics.h), and answers classified the way an operator reads them
// (http_classify.h). Provider presets (claude, openai, stripe, github) are data on this probe:
// `type: http` + `preset: claude` (http_options.h).
//
// Redirects are followed by the probe itself, not by libcurl, so that no header marked secret
// (API keys, Authorization, cookies) is ever sent to another scheme, host or port. The body is
// read up to max_body_size; a larger one aborts the transfer. Each probe keeps its own multi
// handle, so connections are reused across its runs when the server allows keep-alive.
//
// Threading: like every probe, loop thread only.
#pragma once

#include "agent/config/config_node.h"
#include "probes/probe.h"

namespace sidecar::probes::http {

// Reads the probe's keys (see http_options.h); nullptr after recording every problem in `node`.
ProbePtr CreateHttpProbe(config::ConfigNode& node);

}  // namespace sidecar::probes::http
