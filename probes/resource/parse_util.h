// Small text helpers shared by the cgroup and /proc parsers. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/common/status.h"

namespace sidecar::probes::resource {

std::string_view TrimSpace(std::string_view text);

// Whitespace-separated tokens.
std::vector<std::string_view> SplitFields(std::string_view text);

// Calls fn(line) for each line, without its newline.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    fn(text.substr(start, end - start));
    start = end + 1;
  }
}

// A whole unsigned decimal token, nothing before or after.
std::optional<uint64_t> ToUint(std::string_view token);

// "got 'abc'", with the token cut to a readable length.
std::string Got(std::string_view token);

// The value of `key` in a flat "key value" file (cpu.stat, memory.stat, memory.events,
// /proc/meminfo after its colon is dropped). nullopt when the key is absent; an error when its
// value is not a number.
Result<std::optional<uint64_t>> LookupKey(std::string_view text, std::string_view key);

}  // namespace sidecar::probes::resource
