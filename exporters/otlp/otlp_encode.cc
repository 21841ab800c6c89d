#include "exporters/otlp/otlp_encode.h"

#include <charconv>
#include <cmath>
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

// A length-delimited field written in place: Open writes the tag and returns where the content
// starts; Close inserts the content's length there. The whole request is so written into one
// buffer (moving each message's bytes once per nesting level, which is cheap) instead of into
// a temporary string per message that is then copied into its parent, which held up to three
// copies of the body at once.
size_t Open(std::string& out, uint32_t field) {
  Tag(out, field, kLength);
  return out.size();
}

void Close(std::string& out, size_t start) {
  char length[10];
  size_t n = 0;
  for (uint64_t value = out.size() - start;; value >>= 7) {
    if (value < 0x80) {
      length[n++] = static_cast<char>(value);
      break;
    }
    length[n++] = static_cast<char>((value & 0x7f) | 0x80);
  }
  out.insert(start, length, n);
}

// KeyValue{1 key, 2 AnyValue{1 string_value}}
void Attributes(std::string& out, uint32_t field, const Labels& attributes) {
  for (const auto& [k, v] : attributes) {
    const size_t kv = Open(out, field);
    Bytes(out, 1, k);
    const size_t any = Open(out, 2);
    Bytes(out, 1, v);
    Close(out, any);
    Close(out, kv);
  }
}

void NumberPoint(std::string& out, const DataPoint& point, bool with_start) {
  const size_t start = Open(out, 1);
  if (with_start) Fixed64Field(out, 2, point.start_unix_nano);
  Fixed64Field(out, 3, point.time_unix_nano);
  DoubleField(out, 4, point.value);  // as_double
  Attributes(out, 7, point.attributes);
  Close(out, start);
}

void HistogramPoint(std::string& out, const DataPoint& point, const std::vector<double>& bounds) {
  const size_t start = Open(out, 1);
  Fixed64Field(out, 2, point.start_unix_nano);
  Fixed64Field(out, 3, point.time_unix_nano);
  Fixed64Field(out, 4, point.count);
  DoubleField(out, 5, point.sum);
  Tag(out, 6, kLength);
  Varint(out, point.bucket_counts.size() * 8);
  for (uint64_t count : point.bucket_counts) Fixed64(out, count);
  Tag(out, 7, kLength);
  Varint(out, bounds.size() * 8);
  for (double bound : bounds) Double(out, bound);
  Attributes(out, 9, point.attributes);
  DoubleField(out, 11, point.min);
  DoubleField(out, 12, point.max);
  Close(out, start);
}

constexpr uint64_t kCumulative = 2;

void MetricMessage(std::string& out, const Metric& metric) {
  const size_t start = Open(out, 2);  // ScopeMetrics.metrics
  Bytes(out, 1, metric.name);
  if (!metric.unit.empty()) Bytes(out, 3, metric.unit);
  switch (metric.kind) {
    case MetricKind::kGauge: {
      const size_t data = Open(out, 5);
      for (const DataPoint& p : metric.points) NumberPoint(out, p, false);
      Close(out, data);
      break;
    }
    case MetricKind::kSum: {
      const size_t data = Open(out, 7);
      for (const DataPoint& p : metric.points) NumberPoint(out, p, true);
      Tag(out, 2, kVarint);
      Varint(out, kCumulative);
      Tag(out, 3, kVarint);
      Varint(out, 1);  // is_monotonic
      Close(out, data);
      break;
    }
    case MetricKind::kHistogram: {
      const size_t data = Open(out, 9);
      for (const DataPoint& p : metric.points) HistogramPoint(out, p, metric.bounds);
      Tag(out, 2, kVarint);
      Varint(out, kCumulative);
      Close(out, data);
      break;
    }
  }
  Close(out, start);
}

// The JSON encoding is written as text into one buffer (no document tree: building an
// nlohmann::ordered_json first cost several times the writing).
void JsonString(std::string& out, std::string_view s) {
  bool plain = true;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {  // the usual case: names, label keys and values in printable ASCII
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  // Escapes, and invalid UTF-8 replaced by U+FFFD, as nlohmann's serializer does them.
  out.append(nlohmann::json(std::string(s))
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void JsonNumber(std::string& out, double value) {
  if (!std::isfinite(value)) {  // the aggregator leaves these out; JSON has no such number
    out.append("null");
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

// A 64-bit integer as the OTLP JSON mapping wants it: a decimal string.
void JsonInt64(std::string& out, uint64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.push_back('"');
  out.append(buffer, result.ptr);
  out.push_back('"');
}

void JsonAttributes(std::string& out, const Labels& attributes) {
  out.append("\"attributes\":[");
  bool first = true;
  for (const auto& [k, v] : attributes) {
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"key\":");
    JsonString(out, k);
    out.append(",\"value\":{\"stringValue\":");
    JsonString(out, v);
    out.append("}}");
  }
  out.push_back(']');
}

void JsonPoint(std::string& out, const Metric& metric, const DataPoint& point) {
  out.push_back('{');
  if (metric.kind != MetricKind::kGauge) {
    out.append("\"startTimeUnixNano\":");
    JsonInt64(out, point.start_unix_nano);
    out.push_back(',');
  }
  out.append("\"timeUnixNano\":");
  JsonInt64(out, point.time_unix_nano);
  if (metric.kind == MetricKind::kHistogram) {
    out.append(",\"count\":");
    JsonInt64(out, point.count);
    out.append(",\"sum\":");
    JsonNumber(out, point.sum);
    out.append(",\"bucketCounts\":[");
    for (size_t i = 0; i < point.bucket_counts.size(); ++i) {
      if (i > 0) out.push_back(',');
      JsonInt64(out, point.bucket_counts[i]);
    }
    out.append("],\"explicitBounds\":[");
    for (size_t i = 0; i < metric.bounds.size(); ++i) {
      if (i > 0) out.push_back(',');
      JsonNumber(out, metric.bounds[i]);
    }
    out.append("],");
    JsonAttributes(out, point.attributes);
    out.append(",\"min\":");
    JsonNumber(out, point.min);
    out.append(",\"max\":");
    JsonNumber(out, point.max);
  } else {
    out.append(",\"asDouble\":");
    JsonNumber(out, point.value);
    out.push_back(',');
    JsonAttributes(out, point.attributes);
  }
  out.push_back('}');
}

void JsonMetric(std::string& out, const Metric& metric) {
  out.append("{\"name\":");
  JsonString(out, metric.name);
  if (!metric.unit.empty()) {
    out.append(",\"unit\":");
    JsonString(out, metric.unit);
  }
  switch (metric.kind) {
    case MetricKind::kGauge:
      out.append(",\"gauge\":{");
      break;
    case MetricKind::kSum:
      out.append(",\"sum\":{");
      break;
    case MetricKind::kHistogram:
      out.append(",\"histogram\":{");
      break;
  }
  out.append("\"dataPoints\":[");
  for (size_t i = 0; i < metric.points.size(); ++i) {
    if (i > 0) out.push_back(',');
    JsonPoint(out, metric, metric.points[i]);
  }
  out.push_back(']');
  if (metric.kind != MetricKind::kGauge) out.append(",\"aggregationTemporality\":2");
  if (metric.kind == MetricKind::kSum) out.append(",\"isMonotonic\":true");
  out.append("}}");
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
  std::string out;
  // Roughly what a point with a handful of attributes takes, so the buffer rarely grows.
  out.reserve(256 + request.Points() * 160);
  const size_t resource_metrics = Open(out, 1);
  const size_t resource = Open(out, 1);
  Attributes(out, 1, request.resource);
  Close(out, resource);
  const size_t scope_metrics = Open(out, 2);
  const size_t scope = Open(out, 1);
  Bytes(out, 1, request.scope_name);
  if (!request.scope_version.empty()) Bytes(out, 2, request.scope_version);
  Close(out, scope);
  for (const Metric& metric : request.metrics) MetricMessage(out, metric);
  Close(out, scope_metrics);
  Close(out, resource_metrics);
  return out;
}

std::string EncodeJson(const ExportRequest& request) {
  std::string out;
  out.reserve(256 + request.Points() * 400);
  out.append("{\"resourceMetrics\":[{\"resource\":{");
  JsonAttributes(out, request.resource);
  out.append("},\"scopeMetrics\":[{\"scope\":{\"name\":");
  JsonString(out, request.scope_name);
  if (!request.scope_version.empty()) {
    out.append(",\"version\":");
    JsonString(out, request.scope_version);
  }
  out.append("},\"metrics\":[");
  for (size_t i = 0; i < request.metrics.size(); ++i) {
    if (i > 0) out.push_back(',');
    JsonMetric(out, request.metrics[i]);
  }
  out.append("]}]}]}");
  return out;
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
