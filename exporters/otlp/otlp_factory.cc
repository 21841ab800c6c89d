// The `otlp` entry of exporters[]: its keys, their defaults and the OTEL_* variables, which work
// as the OpenTelemetry specification says (config keys beat them).
#include <curl/curl.h>

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
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

// The TLS files: `tls: {ca_file, cert_file, key_file}` (as the http probe and the Collector's
// otlphttp exporter name them) over the OTEL_EXPORTER_OTLP_[METRICS_]CERTIFICATE,
// _CLIENT_CERTIFICATE and _CLIENT_KEY variables. Each must be readable now, so a missing secret
// volume is a config error rather than an export failure a minute later.
void ReadTls(config::ConfigNode& node, OtlpOptions* options) {
  struct File {
    std::string* value;
    const char* key;
    const char* suffix;
  };
  const File files[] = {{&options->ca_file, "ca_file", "CERTIFICATE"},
                        {&options->cert_file, "cert_file", "CLIENT_CERTIFICATE"},
                        {&options->key_file, "key_file", "CLIENT_KEY"}};
  for (const File& file : files) {
    const std::string general = std::string("OTEL_EXPORTER_OTLP_") + file.suffix;
    const std::string metrics = std::string("OTEL_EXPORTER_OTLP_METRICS_") + file.suffix;
    if (auto v = Env(node, general.c_str())) *file.value = *v;
    if (auto v = Env(node, metrics.c_str())) *file.value = *v;
  }
  auto tls = node.GetMap("tls");
  for (const File& file : files) {
    if (tls) {
      if (auto v = tls->GetString(file.key)) *file.value = *v;
    }
    if (file.value->empty() || access(file.value->c_str(), R_OK) == 0) continue;
    const std::string message = "cannot read '" + *file.value + "': " + std::strerror(errno);
    if (tls && tls->Has(file.key)) {
      tls->Error(file.key, message);
    } else {
      node.ErrorHere(std::string("OTEL_EXPORTER_OTLP_") + file.suffix +
                     " (or _METRICS_): " + message);
    }
  }
  if (!options->key_file.empty() && options->cert_file.empty()) {
    node.Error("tls",
               "key_file (OTEL_EXPORTER_OTLP_CLIENT_KEY) needs cert_file "
               "(OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE)");
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

  ReadTls(node, &options);
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
