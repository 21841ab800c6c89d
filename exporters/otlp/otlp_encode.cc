#include "exporters/otlp/otlp_encode.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace sidecar::exporters::otlp {
namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLength = 2;

void Varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void Tag(std::string& out, uint32_t field, uint32_t wire) { Varint(out, (field << 3) | wire); }

void Fixed64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void Double(std::string& out, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  Fixed64(out, bits);
}

void Bytes(std::string& out, uint32_t field, std::string_view bytes) {
  Tag(out, field, kLength);
  Varint(out, bytes.size());
  out.append(bytes);
}

void Fixed64Field(std::string& out, uint32_t field, uint64_t value) {
  Tag(out, field, kFixed64);
  Fixed64(out, value);
}

void DoubleField(std::string& out, uint32_t field, double value) {
  Tag(out, field, kFixed64);
  Double(out, value);
}

// KeyValue{1 key, 2 AnyValue{1 string_value}}
std::string KeyValue(const std::string& key, const std::string& value) {
  std::string any;
  Bytes(any, 1, value);
  std::string kv;
  Bytes(kv, 1, key);
  Bytes(kv, 2, any);
  return kv;
}

void Attributes(std::string& out, uint32_t field, const Labels& attributes) {
  for (const auto& [k, v] : attributes) Bytes(out, field, KeyValue(k, v));
}

std::string NumberPoint(const DataPoint& point, bool with_start) {
  std::string out;
  if (with_start) Fixed64Field(out, 2, point.start_unix_nano);
  Fixed64Field(out, 3, point.time_unix_nano);
  DoubleField(out, 4, point.value);  // as_double
  Attributes(out, 7, point.attributes);
  return out;
}

std::string HistogramPoint(const DataPoint& point, const std::vector<double>& bounds) {
  std::string out;
  Fixed64Field(out, 2, point.start_unix_nano);
  Fixed64Field(out, 3, point.time_unix_nano);
  Fixed64Field(out, 4, point.count);
  DoubleField(out, 5, point.sum);
  std::string packed;
  for (uint64_t count : point.bucket_counts) Fixed64(packed, count);
  Bytes(out, 6, packed);
  packed.clear();
  for (double bound : bounds) Double(packed, bound);
  Bytes(out, 7, packed);
  Attributes(out, 9, point.attributes);
  DoubleField(out, 11, point.min);
  DoubleField(out, 12, point.max);
  return out;
}

constexpr uint64_t kCumulative = 2;

std::string MetricMessage(const Metric& metric) {
  std::string out;
  Bytes(out, 1, metric.name);
  if (!metric.unit.empty()) Bytes(out, 3, metric.unit);
  std::string data;
  switch (metric.kind) {
    case MetricKind::kGauge:
      for (const DataPoint& p : metric.points) Bytes(data, 1, NumberPoint(p, false));
      Bytes(out, 5, data);
      break;
    case MetricKind::kSum:
      for (const DataPoint& p : metric.points) Bytes(data, 1, NumberPoint(p, true));
      Tag(data, 2, kVarint);
      Varint(data, kCumulative);
      Tag(data, 3, kVarint);
      Varint(data, 1);  // is_monotonic
      Bytes(out, 7, data);
      break;
    case MetricKind::kHistogram:
      for (const DataPoint& p : metric.points) Bytes(data, 1, HistogramPoint(p, metric.bounds));
      Tag(data, 2, kVarint);
      Varint(data, kCumulative);
      Bytes(out, 9, data);
      break;
  }
  return out;
}

using Json = nlohmann::ordered_json;

Json JsonAttributes(const Labels& attributes) {
  Json out = Json::array();
  for (const auto& [k, v] : attributes) {
    out.push_back({{"key", k}, {"value", {{"stringValue", v}}}});
  }
  return out;
}

Json JsonPoint(const Metric& metric, const DataPoint& point) {
  Json out = Json::object();
  if (metric.kind != MetricKind::kGauge) {
    out["startTimeUnixNano"] = std::to_string(point.start_unix_nano);
  }
  out["timeUnixNano"] = std::to_string(point.time_unix_nano);
  if (metric.kind == MetricKind::kHistogram) {
    out["count"] = std::to_string(point.count);
    out["sum"] = point.sum;
    Json buckets = Json::array();
    for (uint64_t count : point.bucket_counts) buckets.push_back(std::to_string(count));
    out["bucketCounts"] = std::move(buckets);
    out["explicitBounds"] = metric.bounds;
    out["attributes"] = JsonAttributes(point.attributes);
    out["min"] = point.min;
    out["max"] = point.max;
  } else {
    out["asDouble"] = point.value;
    out["attributes"] = JsonAttributes(point.attributes);
  }
  return out;
}

std::optional<uint64_t> ReadVarint(std::string_view& in) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// Skips or reads the fields of one message; calls `on` for each (field, wire, varint, bytes).
template <typename On>
bool Walk(std::string_view in, On on) {
  while (!in.empty()) {
    auto key = ReadVarint(in);
    if (!key) return false;
    const uint32_t field = static_cast<uint32_t>(*key >> 3);
    const uint32_t wire = static_cast<uint32_t>(*key & 7);
    uint64_t number = 0;
    std::string_view bytes;
    if (wire == kVarint) {
      auto v = ReadVarint(in);
      if (!v) return false;
      number = *v;
    } else if (wire == kFixed64 || wire == 5) {
      const size_t size = wire == kFixed64 ? 8 : 4;
      if (in.size() < size) return false;
      in.remove_prefix(size);
    } else if (wire == kLength) {
      auto length = ReadVarint(in);
      if (!length || *length > in.size()) return false;
      bytes = in.substr(0, *length);
      in.remove_prefix(*length);
    } else {
      return false;
    }
    on(field, wire, number, bytes);
  }
  return true;
}

}  // namespace

std::string EncodeProtobuf(const ExportRequest& request) {
  std::string resource;
  Attributes(resource, 1, request.resource);
  std::string scope;
  Bytes(scope, 1, request.scope_name);
  if (!request.scope_version.empty()) Bytes(scope, 2, request.scope_version);
  std::string scope_metrics;
  Bytes(scope_metrics, 1, scope);
  for (const Metric& metric : request.metrics) Bytes(scope_metrics, 2, MetricMessage(metric));
  std::string resource_metrics;
  Bytes(resource_metrics, 1, resource);
  Bytes(resource_metrics, 2, scope_metrics);
  std::string out;
  Bytes(out, 1, resource_metrics);
  return out;
}

std::string EncodeJson(const ExportRequest& request) {
  Json metrics = Json::array();
  for (const Metric& metric : request.metrics) {
    Json points = Json::array();
    for (const DataPoint& point : metric.points) points.push_back(JsonPoint(metric, point));
    Json entry = {{"name", metric.name}};
    if (!metric.unit.empty()) entry["unit"] = metric.unit;
    switch (metric.kind) {
      case MetricKind::kGauge:
        entry["gauge"] = {{"dataPoints", std::move(points)}};
        break;
      case MetricKind::kSum:
        entry["sum"] = {{"dataPoints", std::move(points)},
                        {"aggregationTemporality", kCumulative},
                        {"isMonotonic", true}};
        break;
      case MetricKind::kHistogram:
        entry["histogram"] = {{"dataPoints", std::move(points)},
                              {"aggregationTemporality", kCumulative}};
        break;
    }
    metrics.push_back(std::move(entry));
  }
  Json scope = {{"name", request.scope_name}};
  if (!request.scope_version.empty()) scope["version"] = request.scope_version;
  Json body = {
      {"resourceMetrics",
       Json::array({{{"resource", {{"attributes", JsonAttributes(request.resource)}}},
                     {"scopeMetrics", Json::array({{{"scope", std::move(scope)},
                                                    {"metrics", std::move(metrics)}}})}}})}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<PartialSuccess> DecodePartialSuccessProtobuf(std::string_view body) {
  std::optional<PartialSuccess> found;
  const bool ok = Walk(body, [&](uint32_t field, uint32_t wire, uint64_t, std::string_view bytes) {
    if (field != 1 || wire != kLength) return;
    PartialSuccess partial;
    Walk(bytes, [&](uint32_t f, uint32_t w, uint64_t number, std::string_view text) {
      if (f == 1 && w == kVarint) partial.rejected_data_points = static_cast<int64_t>(number);
      if (f == 2 && w == kLength) partial.error_message = std::string(text);
    });
    found = partial;
  });
  if (!ok || !found) return std::nullopt;
  if (found->rejected_data_points == 0 && found->error_message.empty()) return std::nullopt;
  return found;
}

std::optional<PartialSuccess> DecodePartialSuccessJson(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("partialSuccess")) return std::nullopt;
  const nlohmann::json& partial = json["partialSuccess"];
  if (!partial.is_object()) return std::nullopt;
  PartialSuccess out;
  if (partial.contains("rejectedDataPoints")) {
    const auto& n = partial["rejectedDataPoints"];
    if (n.is_string())
      out.rejected_data_points = std::strtoll(n.get<std::string>().c_str(), nullptr, 10);
    if (n.is_number_integer()) out.rejected_data_points = n.get<int64_t>();
  }
  if (partial.contains("errorMessage") && partial["errorMessage"].is_string()) {
    out.error_message = partial["errorMessage"].get<std::string>();
  }
  if (out.rejected_data_points == 0 && out.error_message.empty()) return std::nullopt;
  return out;
}

}  // namespace sidecar::exporters::otlp
