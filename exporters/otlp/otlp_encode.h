// ExportMetricsServiceRequest in the two OTLP/HTTP encodings: protobuf (written by hand from
// the field numbers of opentelemetry-proto's metrics.proto, common.proto, resource.proto and
// metrics_service.proto) and the OTLP JSON mapping (lowerCamelCase keys, enums as integers,
// 64-bit integers as decimal strings). Also the partial_success of the response. Pure.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "exporters/otlp/otlp_model.h"

namespace sidecar::exporters::otlp {

std::string EncodeProtobuf(const ExportRequest& request);
std::string EncodeJson(const ExportRequest& request);

struct PartialSuccess {
  int64_t rejected_data_points = 0;
  std::string error_message;
};

// The partial_success of an ExportMetricsServiceResponse body, when it has one; nullopt for an
// empty body, full success or a body that cannot be read.
std::optional<PartialSuccess> DecodePartialSuccessProtobuf(std::string_view body);
std::optional<PartialSuccess> DecodePartialSuccessJson(std::string_view body);

}  // namespace sidecar::exporters::otlp
