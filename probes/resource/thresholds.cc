#include "probes/resource/thresholds.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <iterator>

#include "probes/resource/parse_util.h"

namespace sidecar::probes::resource {
namespace {

// Reads `key` as a fraction or `none` into `level`, leaving the default when absent.
void ReadLevel(config::ConfigNode& node, std::string_view key, std::optional<double>& level) {
  const std::optional<std::string> text = node.GetString(key);
  if (!text) {
    return;
  }
  if (TrimSpace(*text) == "none") {
    level.reset();
    return;
  }
  const Result<double> fraction = ParseFraction(*text);
  if (!fraction.ok()) {
    node.Error(key, fraction.status().message());
    return;
  }
  level = *fraction;
}

// One decimal, without a trailing ".0".
std::string Short(double value) {
  std::string text = fmt::format("{:.1f}", value);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) {
    text.resize(text.size() - 2);
  }
  return text;
}

}  // namespace

Result<double> ParseFraction(std::string_view text) {
  const std::string trimmed(TrimSpace(text));
  const bool percent = !trimmed.empty() && trimmed.back() == '%';
  const std::string number = percent ? trimmed.substr(0, trimmed.size() - 1) : trimmed;
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(value)) {
    return Status::InvalidArgument(
        "expected a fraction such as 0.8 or a percentage such as 80%, got '" + trimmed + "'");
  }
  if (percent && value > 100) {
    return Status::InvalidArgument(trimmed + " is more than 100%");
  }
  if (!percent && value > 1) {
    return Status::InvalidArgument("expected a fraction from 0 to 1 or a percentage such as " +
                                   Short(value) + "%, got '" + trimmed + "'");
  }
  if (value <= 0) {
    return Status::InvalidArgument("must be above 0, got '" + trimmed + "'");
  }
  return percent ? value / 100 : value;
}

std::optional<Thresholds> ReadThresholds(config::ConfigNode& node, const Thresholds& defaults) {
  const size_t errors_before = node.state().errors.size();
  Thresholds thresholds = defaults;
  ReadLevel(node, "degraded_above", thresholds.degraded_above);
  ReadLevel(node, "unhealthy_above", thresholds.unhealthy_above);
  if (std::optional<Duration> sustain = node.GetDuration("for")) {
    thresholds.sustain = *sustain;
  }
  if (node.state().errors.size() == errors_before && thresholds.degraded_above &&
      thresholds.unhealthy_above && *thresholds.degraded_above >= *thresholds.unhealthy_above) {
    std::string message = "degraded_above " + FormatPercent(*thresholds.degraded_above) +
                          " must be below unhealthy_above " +
                          FormatPercent(*thresholds.unhealthy_above);
    if (!node.Has("unhealthy_above")) {
      message += " (this type's default: raise it too, or set unhealthy_above: none)";
    }
    node.Error(node.Has("degraded_above") ? "degraded_above" : "unhealthy_above", message);
  }
  if (node.state().errors.size() != errors_before) {
    return std::nullopt;
  }
  return thresholds;
}

Assessment SustainedLevel::Update(double value, TimePoint now) {
  const bool unhealthy = thresholds_.unhealthy_above && value >= *thresholds_.unhealthy_above;
  const bool degraded =
      unhealthy || (thresholds_.degraded_above && value >= *thresholds_.degraded_above);
  if (!degraded) {
    degraded_since_.reset();
    unhealthy_since_.reset();
    return Assessment{};
  }
  if (!degraded_since_) {
    degraded_since_ = now;
  }
  if (!unhealthy) {
    unhealthy_since_.reset();
  } else if (!unhealthy_since_) {
    unhealthy_since_ = now;
  }
  if (unhealthy_since_ && now - *unhealthy_since_ >= thresholds_.sustain) {
    return Assessment{Verdict::kUnhealthy, *thresholds_.unhealthy_above, now - *unhealthy_since_};
  }
  if (thresholds_.degraded_above && now - *degraded_since_ >= thresholds_.sustain) {
    return Assessment{Verdict::kDegraded, *thresholds_.degraded_above, now - *degraded_since_};
  }
  return Assessment{};
}

std::string DescribeLevel(const Assessment& assessment) {
  std::string text = "(";
  text += VerdictName(assessment.verdict);
  text += " above " + FormatPercent(assessment.threshold) + ")";
  const auto whole_seconds = std::chrono::floor<std::chrono::seconds>(assessment.held);
  if (whole_seconds.count() > 0) {
    text += " for " + FormatDuration(whole_seconds);
  }
  return text;
}

std::string FormatPercent(double fraction) { return Short(fraction * 100) + "%"; }

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  return (unit == 0 ? fmt::format("{:.0f}", bytes) : Short(bytes)) + kUnits[unit];
}

}  // namespace sidecar::probes::resource
