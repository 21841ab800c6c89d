// The OTLP/HTTP metrics exporter: every `interval` the runs queued since the last export are
// aggregated (otlp_model.h), encoded as protobuf or JSON (otlp_encode.h), optionally gzipped, and
// POSTed to {endpoint}/v1/metrics with libcurl's easy interface on the exporter's own worker
// thread (CURLOPT_TIMEOUT_MS bounds every attempt, so a hung collector is cut; the loop never
// waits). Retries follow otlp_retry.h; a request that exhausts them is dropped and counted.
// The ECS task metadata (/task) is read once, on the worker, before the first export.
//
// Thread-safety: see QueuedExporter; the curl handle and aggregator belong to the worker.
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
  Duration metadata_timeout = std::chrono::seconds(2);
};

// One HTTP exchange as the exporter saw it.
struct HttpAnswer {
  int status = 0;  // 0: no answer (connect failure, timeout)
  std::string body;
  std::string retry_after;
  std::string error;  // curl's message when status is 0
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
