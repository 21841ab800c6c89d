#include "probes/redis/redis_reply.h"

#include <fmt/format.h>

#include <charconv>

#include "probes/redis/redis_metrics.h"

namespace sidecar::probes::redis {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<double> ParseCount(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return static_cast<double>(value);
}

}  // namespace

std::string FirstLine(std::string_view text, size_t max_length) {
  std::string_view line = text.substr(0, text.find_first_of("\r\n"));
  if (line.size() <= max_length) {
    return std::string(line);
  }
  return std::string(line.substr(0, max_length - 3)) + "...";
}

ReplyProblem ClassifyErrorReply(std::string_view command, std::string_view error) {
  const std::string line = FirstLine(error);
  if (command == "AUTH" || StartsWith(error, "WRONGPASS")) {
    return {"auth", "credentials rejected: " + line};
  }
  if (StartsWith(error, "NOAUTH")) {
    return {"auth", "password required: " + line};
  }
  if (StartsWith(error, "NOPERM")) {
    return {"auth", "permission denied: " + line};
  }
  if (StartsWith(error, "LOADING")) {
    return {"protocol", "server loading dataset"};
  }
  if (StartsWith(error, "BUSY")) {
    return {"protocol", "server busy running a script: " + line};
  }
  if (StartsWith(error, "MASTERDOWN")) {
    return {"protocol", "replica has lost its master: " + line};
  }
  return {"protocol", "unexpected reply to " + std::string(command) + ": -" + line};
}

RedisInfo ParseRedisInfo(std::string_view text) {
  RedisInfo info;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const size_t colon = line.find(':');
    if (line.empty() || line.front() == '#' || colon == std::string_view::npos) {
      continue;
    }
    std::string_view field = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (field == "redis_version") {
      info.version = std::string(value);
    } else if (field == "role") {
      info.role = std::string(value);
    } else if (field == "used_memory") {
      info.used_memory = ParseCount(value);
    } else if (field == "maxmemory") {
      info.maxmemory = ParseCount(value);
    } else if (field == "connected_clients") {
      info.connected_clients = ParseCount(value);
    } else if (field == "master_link_status") {
      if (value == "up" || value == "down") {
        info.master_link_up = value == "up";
      }
    }
  }
  return info;
}

std::vector<Sample> InfoSamples(const RedisInfo& info) {
  std::vector<Sample> samples;
  auto add = [&samples](const MetricDef& metric, std::optional<double> value) {
    if (value) samples.push_back(Sample{&metric, {}, *value});
  };
  add(kRedisUsedMemoryBytes, info.used_memory);
  add(kRedisMaxmemoryBytes, info.maxmemory);
  add(kRedisConnectedClients, info.connected_clients);
  if (!info.version.empty() || !info.role.empty()) {
    samples.push_back(Sample{&kRedisInfo, {{"version", info.version}, {"role", info.role}}, 1});
  }
  if (info.master_link_up && info.role != "master") {
    add(kRedisMasterLinkUp, *info.master_link_up ? 1.0 : 0.0);
  }
  return samples;
}

std::optional<std::string> MemoryAboveRatio(const RedisInfo& info, double max_ratio) {
  if (!info.used_memory || !info.maxmemory || *info.maxmemory <= 0) {
    return std::nullopt;
  }
  const double ratio = *info.used_memory / *info.maxmemory;
  if (ratio <= max_ratio) {
    return std::nullopt;
  }
  return fmt::format("used_memory is {:.1f}% of maxmemory, above {:g}%", ratio * 100,
                     max_ratio * 100);
}

}  // namespace sidecar::probes::redis
