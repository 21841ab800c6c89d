// Logging setup: spdlog with one sink that redacts secrets (agent/common/redact.h) from every
// line and writes JSON lines (containers: awslogs, CloudWatch, kubectl logs) or readable text
// (a terminal). Code logs through spdlog's functions as usual: spdlog::warn("...", args).
// Thread-safe (spdlog's own locking).
#pragma once

#include <string>
#include <string_view>

namespace sidecar {

enum class LogFormat { kAuto, kJson, kText };

// Parses "auto", "json", "text"; false for anything else.
bool ParseLogFormat(std::string_view text, LogFormat* format);
// Parses "trace", "debug", "info", "warn", "error", "off"; false for anything else.
bool IsLogLevel(std::string_view text);

// Installs the default logger writing to stderr. kAuto means text on a terminal, JSON otherwise.
// May be called again (on reload) to change format or level.
void SetUpLogging(LogFormat format, std::string_view level);

// Installs a logger that appends formatted lines to `sink` (tests assert on what was logged).
void SetUpLoggingForTesting(std::string* sink, LogFormat format);

}  // namespace sidecar
