// The `statsd` entry of exporters[]: its keys, their defaults and the Datadog variables.
#include <cctype>

#include "exporters/statsd/statsd_exporter.h"

namespace sidecar::exporters::statsd {
namespace {

std::optional<std::string> Env(config::ConfigNode& node, const char* name) {
  auto value = node.state().env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

bool ParsePort(const std::string& text, uint16_t* port) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

ExporterPtr CreateStatsdExporter(config::ConfigNode& node, QueueOptions queue) {
  const size_t errors_before = node.state().errors.size();
  StatsdOptions options;

  // Config beats the environment; an explicit host beats DD_DOGSTATSD_SOCKET.
  const bool host_given = node.Has("host") || node.Has("port");
  if (auto host = Env(node, "DD_AGENT_HOST")) options.host = *host;
  if (auto port = Env(node, "DD_DOGSTATSD_PORT")) {
    if (!ParsePort(*port, &options.port)) {
      node.ErrorHere("DD_DOGSTATSD_PORT: expected a port 1-65535, got '" + *port + "'");
    }
  }
  if (auto socket = Env(node, "DD_DOGSTATSD_SOCKET"); socket && !host_given) {
    options.socket_path = *socket;
  }
  if (auto host = node.GetString("host")) options.host = *host;
  if (auto port = node.GetInt("port", 1, 65535)) options.port = static_cast<uint16_t>(*port);
  if (auto socket = node.GetString("socket")) {
    if (host_given) node.Error("socket", "give either socket or host/port, not both");
    options.socket_path = *socket;
  }
  options.max_packet_size = options.socket_path.empty() ? kUdpPacketSize : kUnixPacketSize;
  if (auto size = node.GetInt("max_packet_size", 64, 65467)) {
    options.max_packet_size = static_cast<size_t>(*size);
  }

  if (auto prefix = node.GetString("prefix")) options.format.prefix = *prefix;
  if (auto style = node.GetString("tag_style")) {
    if (!ParseTagStyle(*style, &options.format.tags)) {
      node.Error("tag_style", "expected dogstatsd, none, influx or graphite; got '" + *style + "'");
    }
  }
  if (auto durations = node.GetString("durations")) {
    if (!ParseDurationAs(*durations, &options.format.durations)) {
      node.Error("durations",
                 "expected timing, histogram or distribution; got '" + *durations + "'");
    }
  }
  // Datadog's unified service tags, unless the config sets the same tag.
  std::map<std::string, std::string> tags;
  if (auto value = Env(node, "DD_ENV")) tags["env"] = *value;
  if (auto value = Env(node, "DD_SERVICE")) tags["service"] = *value;
  if (auto value = Env(node, "DD_VERSION")) tags["version"] = *value;
  if (auto configured = node.GetStringMap("tags")) {
    for (const auto& [k, v] : *configured) tags[k] = v;
  }
  options.format.constant_tags.assign(tags.begin(), tags.end());

  if (node.state().errors.size() != errors_before) return nullptr;
  return std::make_unique<StatsdExporter>(std::move(queue), std::move(options));
}

}  // namespace sidecar::exporters::statsd
