#include "exporters/statsd/statsd_format.h"

#include <fmt/format.h>

#include <cmath>

namespace sidecar::exporters::statsd {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

std::string CleanName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (!IsNameChar(c)) c = '_';
  }
  return out;
}

// Replaces every character of `forbidden` (and control characters) by '_'.
std::string CleanTag(std::string_view text, std::string_view forbidden) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || forbidden.find(c) != std::string_view::npos) {
      c = '_';
    }
  }
  return out;
}

std::string FormatValue(double value) { return fmt::format("{}", value); }

// Later tags of the same key win; empty values are left out (Prometheus reads them as absent).
Labels Merge(const Labels& first, const std::map<std::string, std::string>& second,
             const Labels& third) {
  Labels out;
  auto put = [&out](const std::string& key, const std::string& value) {
    for (auto& [k, v] : out) {
      if (k == key) {
        v = value;
        return;
      }
    }
    out.emplace_back(key, value);
  };
  for (const auto& [k, v] : first) put(k, v);
  for (const auto& [k, v] : second) put(k, v);
  for (const auto& [k, v] : third) put(k, v);
  std::erase_if(out, [](const auto& tag) { return tag.second.empty(); });
  return out;
}

}  // namespace

bool ParseTagStyle(std::string_view text, TagStyle* out) {
  if (text == "dogstatsd")
    *out = TagStyle::kDogStatsd;
  else if (text == "none")
    *out = TagStyle::kNone;
  else if (text == "influx")
    *out = TagStyle::kInflux;
  else if (text == "graphite")
    *out = TagStyle::kGraphite;
  else
    return false;
  return true;
}

bool ParseDurationAs(std::string_view text, DurationAs* out) {
  if (text == "timing")
    *out = DurationAs::kTiming;
  else if (text == "histogram")
    *out = DurationAs::kHistogram;
  else if (text == "distribution")
    *out = DurationAs::kDistribution;
  else
    return false;
  return true;
}

std::string FormatLine(const Format& format, std::string_view name, double value,
                       std::string_view type, const Labels& tags) {
  std::string head = CleanName(format.prefix) + CleanName(name);
  std::string tail;
  switch (format.tags) {
    case TagStyle::kNone:
      break;
    case TagStyle::kDogStatsd:
      for (const auto& [k, v] : tags) {
        tail += tail.empty() ? "|#" : ",";
        tail += CleanTag(k, ",|#:") + ":" + CleanTag(v, ",|#");
      }
      break;
    case TagStyle::kInflux:
      for (const auto& [k, v] : tags) {
        head += "," + CleanTag(k, ",=: |") + "=" + CleanTag(v, ",=: |");
      }
      break;
    case TagStyle::kGraphite:
      for (const auto& [k, v] : tags) {
        head += ";" + CleanTag(k, ";=~: |!^") + "=" + CleanTag(v, ";~: |");
      }
      break;
  }
  std::string line = head + ":" + FormatValue(value) + "|" + std::string(type) + tail;
  if (type == "g" && value < 0 && format.tags != TagStyle::kDogStatsd) {
    line = head + ":0|g" + tail + "\n" + line;
  }
  return line;
}

std::vector<std::string> FormatRun(const Format& format, const ProbeRun& run,
                                   CounterDeltas* deltas) {
  std::vector<std::string> lines;
  const Labels base =
      Merge(format.constant_tags, run.labels, {{"probe", run.probe}, {"type", run.type}});
  for (const MetricPoint& point : run.points) {
    if (!std::isfinite(point.value)) continue;
    const Labels tags = Merge(base, {}, point.labels);
    switch (point.kind) {
      case PointKind::kGauge:
        lines.push_back(FormatLine(format, point.name, point.value, "g", tags));
        break;
      case PointKind::kCounter:
        if (auto increase = deltas->Increase(run, point)) {
          lines.push_back(FormatLine(format, point.name, *increase, "c", tags));
        }
        break;
      case PointKind::kDuration:
        if (format.durations == DurationAs::kTiming) {
          std::string name = point.name;
          if (name.ends_with("_seconds")) name.resize(name.size() - 8);
          lines.push_back(FormatLine(format, name + "_ms", point.value * 1000, "ms", tags));
        } else {
          const char* type = format.durations == DurationAs::kHistogram ? "h" : "d";
          lines.push_back(FormatLine(format, point.name, point.value, type, tags));
        }
        break;
    }
  }
  return lines;
}

std::vector<Datagram> Pack(const std::vector<std::string>& lines, size_t max_size,
                           uint64_t* too_long) {
  std::vector<Datagram> out;
  for (const std::string& line : lines) {
    if (line.size() > max_size) {
      ++*too_long;
      continue;
    }
    if (out.empty() || out.back().payload.size() + 1 + line.size() > max_size) {
      out.push_back({line, 1});
    } else {
      out.back().payload += "\n" + line;
      ++out.back().points;
    }
  }
  return out;
}

}  // namespace sidecar::exporters::statsd
