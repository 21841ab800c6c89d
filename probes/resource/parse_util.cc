#include "probes/resource/parse_util.h"

#include <charconv>

namespace sidecar::probes::resource {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

std::optional<uint64_t> ToUint(std::string_view token) {
  uint64_t value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::string Got(std::string_view token) {
  std::string shown(token.substr(0, 40));
  if (token.size() > 40) shown += "...";
  return "got '" + shown + "'";
}

Result<std::optional<uint64_t>> LookupKey(std::string_view text, std::string_view key) {
  std::optional<uint64_t> found;
  Status error;
  ForEachLine(text, [&](std::string_view line) {
    const std::vector<std::string_view> fields = SplitFields(line);
    if (found || !error.ok() || fields.empty() || fields[0] != key) {
      return;
    }
    found = fields.size() < 2 ? std::nullopt : ToUint(fields[1]);
    if (!found) {
      error = Status::InvalidArgument(std::string(key) + ": expected a number, " +
                                      Got(fields.size() < 2 ? "" : fields[1]));
    }
  });
  if (!error.ok()) {
    return error;
  }
  return found;
}

}  // namespace sidecar::probes::resource
