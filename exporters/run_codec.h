// A compact, owned copy of a ProbeRun for the exporters' queues: one heap block per run, with
// the strings that repeat from run to run (probe names, types, metric names, label keys and
// values) stored once in an intern table and referred to by index.
//
// A ProbeRun as such is a tree of small allocations (a std::string per name, a vector per label
// set): about 1.2 KiB for a run of a dozen points, 0.3 MiB for a full default queue of 256 runs.
// Encoded, the same run is about 150 bytes. The intern table is bounded (kMaxNames strings,
// kMaxNameBytes bytes, strings up to kMaxInternedSize long); past its bounds a string is stored
// inline in the run, so memory stays bounded whatever the labels hold.
//
// Thread-compatible: Encode and Decode share the table, so the caller serialises them (the
// QueuedExporter holds its queue mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "exporters/exporter.h"

namespace sidecar::exporters {

class RunCodec {
 public:
  static constexpr size_t kMaxNames = 1024;
  static constexpr size_t kMaxNameBytes = 32 * 1024;
  static constexpr size_t kMaxInternedSize = 128;

  // The encoded run, sized to fit (no spare capacity).
  std::string Encode(const ProbeRun& run);
  // The run `Encode` was given. `blob` must come from this codec's Encode.
  ProbeRun Decode(std::string_view blob) const;

  size_t names() const { return names_.size(); }

 private:
  void PutString(const std::string& s);

  std::deque<std::string> names_;  // a deque: push_back keeps the keys' views valid
  std::unordered_map<std::string_view, uint32_t> index_;
  size_t name_bytes_ = 0;
  std::string scratch_;  // reused while encoding
};

}  // namespace sidecar::exporters
