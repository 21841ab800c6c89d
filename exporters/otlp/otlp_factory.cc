// The `otlp` entry of exporters[]: its keys, their defaults and the OTEL_* variables, which work
// as the OpenTelemetry specification says (config keys beat them).
#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "agent/common/redact.h"
#include "agent/dynlib/lazy_library.h"
#include "agent/http/http_client.h"
#include "exporters/otlp/otlp_exporter.h"

namespace sidecar::exporters::otlp {
namespace {

std::optional<std::string> Env(config::ConfigNode& node, const char* name) {
  auto value = node.state().env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

std::optional<Duration> Millis(config::ConfigNode& node, const char* name) {
  auto text = Env(node, name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  const long long ms = std::strtoll(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || ms <= 0) {
    node.ErrorHere(std::string(name) + ": expected milliseconds, got '" + *text + "'");
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

std::string WithPath(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/v1/metrics";
}

bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// Chooses the transport: libcurl for anything but a plain http:// URL, and for one with a proxy
// in the environment, read as libcurl reads it (only the lower-case http_proxy for http://, then
// all_proxy and ALL_PROXY; no_proxy or NO_PROXY, which libcurl applies).
void ChooseTransport(config::ConfigNode& node, OtlpOptions* options) {
  if (!http::ParsePlainHttpUrl(options->url)) {
    options->use_curl = true;
    return;
  }
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    if (auto proxy = Env(node, name)) {
      options->use_curl = true;
      options->proxy = *proxy;
      options->no_proxy = Env(node, "no_proxy").value_or(Env(node, "NO_PROXY").value_or(""));
      return;
    }
  }
}

}  // namespace

ExporterPtr CreateOtlpExporter(config::ConfigNode& node, QueueOptions queue) {
  const size_t errors_before = node.state().errors.size();
  OtlpOptions options;
  queue.flush_interval = std::chrono::seconds(60);

  // Endpoint: the per-signal variable is used as-is, the general one gets /v1/metrics.
  if (auto base = Env(node, "OTEL_EXPORTER_OTLP_ENDPOINT")) options.url = WithPath(*base);
  if (auto url = Env(node, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) options.url = *url;
  if (auto base = node.GetString("endpoint")) options.url = WithPath(*base);
  if (!IsHttpUrl(options.url)) {
    node.Error("endpoint",
               "expected an http:// or https:// URL, got '" + RedactUrl(options.url) + "'");
  }

  std::string protocol =
      Env(node, "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL")
          .value_or(Env(node, "OTEL_EXPORTER_OTLP_PROTOCOL").value_or("http/protobuf"));
  if (auto v = node.GetString("protocol")) protocol = *v;
  if (protocol == "http/json") {
    options.json = true;
  } else if (protocol != "http/protobuf") {
    node.Error("protocol", "expected http/protobuf or http/json, got '" + protocol + "'");
  }
  std::string compression =
      Env(node, "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION")
          .value_or(Env(node, "OTEL_EXPORTER_OTLP_COMPRESSION").value_or("none"));
  if (auto v = node.GetString("compression")) compression = *v;
  if (compression == "gzip") {
    options.gzip = true;
  } else if (compression != "none") {
    node.Error("compression", "expected gzip or none, got '" + compression + "'");
  }

  // Headers (an API key): values are secrets, never shown in a log or /health.
  std::map<std::string, std::string> headers;
  for (const char* name : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"}) {
    if (auto text = Env(node, name)) {
      auto parsed = ParseResourceAttributes(*text);  // the same k=v,k=v percent-encoded form
      if (!parsed) {
        node.ErrorHere(std::string(name) + ": expected key=value,key=value");
      } else {
        for (const auto& [k, v] : *parsed) headers[k] = v;
      }
    }
  }
  if (auto configured = node.GetStringMap("headers")) {
    for (const auto& [k, v] : *configured) headers[k] = v;
  }
  for (const auto& [k, v] : headers) {
    RegisterSecret(v);
    options.headers.emplace_back(k, v);
  }

  if (auto v = Millis(node, "OTEL_EXPORTER_OTLP_TIMEOUT")) options.timeout = *v;
  if (auto v = Millis(node, "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT")) options.timeout = *v;
  if (auto v = node.GetDuration("timeout")) options.timeout = *v;
  if (auto v = Millis(node, "OTEL_METRIC_EXPORT_INTERVAL")) queue.flush_interval = *v;
  if (auto v = node.GetDuration("interval")) queue.flush_interval = *v;
  if (options.timeout <= Duration::zero()) node.Error("timeout", "must be more than 0s");
  if (queue.flush_interval < std::chrono::milliseconds(10)) {
    node.Error("interval", "must be at least 10ms");
  }
  if (auto v = node.GetInt("max_attempts", 1, 20)) options.max_attempts = static_cast<int>(*v);
  if (auto v = node.GetDuration("initial_backoff")) options.initial_backoff = *v;
  if (auto v = node.GetDuration("max_backoff")) options.max_backoff = *v;

  options.resource =
      EnvironmentAttributes([&node](const std::string& name) { return node.state().env(name); });
  if (auto text = Env(node, "OTEL_RESOURCE_ATTRIBUTES"); text && !ParseResourceAttributes(*text)) {
    node.ErrorHere("OTEL_RESOURCE_ATTRIBUTES: expected key=value,key=value (percent-encoded)");
  }
  if (auto configured = node.GetStringMap("resource_attributes")) {
    for (const auto& [k, v] : *configured) options.resource[k] = v;
  }
  if (auto service = node.GetString("service_name")) options.resource["service.name"] = *service;
  if (auto uri = Env(node, "ECS_CONTAINER_METADATA_URI_V4")) options.ecs_metadata_uri = *uri;

  ChooseTransport(node, &options);
  if (options.use_curl && node.state().errors.size() == errors_before) {
    if (Status loaded = dynlib::Curl().Load(); !loaded.ok()) {
      node.Error("endpoint", RedactUrl(options.url) + " needs libcurl: " + loaded.message());
    }
  }
  if (node.state().errors.size() != errors_before) return nullptr;
  if (options.use_curl) {
    static std::once_flag curl_ready;
    std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  return std::make_unique<OtlpExporter>(std::move(queue), std::move(options));
}

}  // namespace sidecar::exporters::otlp
