#include "exporters/run_codec.h"

#include <cstring>

namespace sidecar::exporters {
namespace {

void PutVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads what PutVarint wrote; the blob comes from Encode, so it is well formed.
uint64_t GetVarint(std::string_view& in) {
  uint64_t value = 0;
  for (int shift = 0; !in.empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return value;
}

}  // namespace

// A string is a varint: index << 1 for an interned one, (length << 1) | 1 followed by the
// bytes for an inline one.
void RunCodec::PutString(const std::string& s) {
  auto it = index_.find(std::string_view(s));
  if (it == index_.end() && s.size() <= kMaxInternedSize && names_.size() < kMaxNames &&
      name_bytes_ + s.size() <= kMaxNameBytes) {
    const std::string& stored = names_.emplace_back(s);
    name_bytes_ += s.size();
    it = index_.emplace(std::string_view(stored), static_cast<uint32_t>(names_.size() - 1)).first;
  }
  if (it != index_.end()) {
    PutVarint(scratch_, static_cast<uint64_t>(it->second) << 1);
    return;
  }
  PutVarint(scratch_, (static_cast<uint64_t>(s.size()) << 1) | 1);
  scratch_.append(s);
}

std::string RunCodec::Encode(const ProbeRun& run) {
  scratch_.clear();
  PutString(run.probe);
  PutString(run.type);
  PutVarint(scratch_, run.labels.size());
  for (const auto& [k, v] : run.labels) {
    PutString(k);
    PutString(v);
  }
  PutVarint(scratch_, static_cast<uint64_t>(run.unix_ms));
  PutVarint(scratch_, run.points.size());
  for (const MetricPoint& point : run.points) {
    PutString(point.name);
    scratch_.push_back(static_cast<char>(point.kind));
    PutVarint(scratch_, point.labels.size());
    for (const auto& [k, v] : point.labels) {
      PutString(k);
      PutString(v);
    }
    char bits[sizeof(double)];
    std::memcpy(bits, &point.value, sizeof(bits));
    scratch_.append(bits, sizeof(bits));
  }
  return std::string(scratch_);  // exactly sized; scratch_ keeps its capacity
}

ProbeRun RunCodec::Decode(std::string_view in) const {
  auto get_string = [&]() -> std::string {
    const uint64_t head = GetVarint(in);
    if ((head & 1) == 0) return names_[static_cast<size_t>(head >> 1)];
    const size_t size = static_cast<size_t>(head >> 1);
    std::string s(in.substr(0, size));
    in.remove_prefix(std::min(size, in.size()));
    return s;
  };
  ProbeRun run;
  run.probe = get_string();
  run.type = get_string();
  for (uint64_t n = GetVarint(in); n > 0; --n) {
    std::string key = get_string();
    run.labels.emplace_hint(run.labels.end(), std::move(key), get_string());
  }
  run.unix_ms = static_cast<int64_t>(GetVarint(in));
  run.points.resize(static_cast<size_t>(GetVarint(in)));
  for (MetricPoint& point : run.points) {
    point.name = get_string();
    point.kind = in.empty() ? PointKind::kGauge : static_cast<PointKind>(in.front());
    in.remove_prefix(std::min<size_t>(1, in.size()));
    point.labels.resize(static_cast<size_t>(GetVarint(in)));
    for (auto& [k, v] : point.labels) {
      k = get_string();
      v = get_string();
    }
    if (in.size() >= sizeof(double)) {
      std::memcpy(&point.value, in.data(), sizeof(double));
      in.remove_prefix(sizeof(double));
    }
  }
  return run;
}

}  // namespace sidecar::exporters
