// The OTLP/HTTP metrics exporter: every `interval` the runs queued since the last export are
// aggregated (otlp_model.h), encoded as protobuf or JSON (otlp_encode.h), optionally gzipped, and
// POSTed to {endpoint}/v1/metrics on the exporter's own worker thread, so the loop never waits;
// the timeout bounds every attempt, so a hung collector is cut. A plain http:// endpoint (a
// collector in the task or pod, or a node-local one) is reached with the agent's own HTTP client
// (http_client.h), so the exporter adds no library to the process; https://, URLs with user
// info and a proxy from the environment (http_proxy, all_proxy) go through libcurl, loaded when
// the exporter is created. Retries follow otlp_retry.h; a request that exhausts them is dropped
// and counted. The ECS task metadata (/task, a link-local http:// address that no proxy
// reaches) is read once with the agent's client, on the worker, before the first export.
//
// Thread-safety: see QueuedExporter; the aggregator belongs to the worker.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "agent/config/config_node.h"
#include "exporters/otlp/otlp_model.h"
#include "exporters/otlp/otlp_resource.h"
#include "exporters/queued_exporter.h"

namespace sidecar::exporters::otlp {

struct OtlpOptions {
  std::string url = "http://localhost:4318/v1/metrics";
  bool json = false;  // http/json instead of http/protobuf
  bool gzip = false;
  std::vector<std::pair<std::string, std::string>> headers;  // values are secrets
  Duration timeout = std::chrono::seconds(10);
  int max_attempts = 5;
  Duration initial_backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::seconds(30);
  Attributes resource;           // from the config and the environment
  std::string ecs_metadata_uri;  // ECS_CONTAINER_METADATA_URI_V4; empty off ECS
  bool use_curl = false;         // https://, user info or a proxy: see above
  std::string proxy;             // for http://: http_proxy, all_proxy or ALL_PROXY
  std::string no_proxy;          // no_proxy or NO_PROXY, applied by libcurl
  // https:// only: the CA bundle that verifies the collector (instead of the system's), and a
  // client certificate and key for mutual TLS (OTEL_EXPORTER_OTLP_CERTIFICATE,
  // _CLIENT_CERTIFICATE, _CLIENT_KEY; the key may be in the certificate's file).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  Duration metadata_timeout = std::chrono::seconds(2);
};

// One HTTP exchange as the exporter saw it.
struct HttpAnswer {
  int status = 0;  // 0: no answer (connect failure, timeout)
  std::string body;
  std::string retry_after;
  std::string error;  // why there is no answer when status is 0
};

class OtlpExporter final : public QueuedExporter {
 public:
  OtlpExporter(QueueOptions queue, OtlpOptions options);
  ~OtlpExporter() override;

  const OtlpOptions& options() const { return options_; }

 protected:
  bool Consume(ProbeRun& run) override;
  void Deliver(std::vector<ProbeRun>& runs) override;

 private:
  HttpAnswer Post(const std::string& body);
  void ReadEcsMetadata();
  void Send(const ExportRequest& request);
  // Gives the memory freed after an export back to the kernel (see the .cc).
  void ReleaseFreedMemory();

  const OtlpOptions options_;
  Aggregator aggregator_;
  Attributes resource_;
  bool metadata_read_ = false;
  TimePoint last_trim_{};
  std::mt19937_64 random_{std::random_device{}()};
};

// Reads the `otlp` keys of an exporters[] entry (endpoint, protocol, compression, headers,
// timeout, interval, max_attempts, resource_attributes, service_name) with the OTEL_* variables
// as defaults. Returns nullptr after recording every problem in `node`.
ExporterPtr CreateOtlpExporter(config::ConfigNode& node, QueueOptions queue);

}  // namespace sidecar::exporters::otlp
