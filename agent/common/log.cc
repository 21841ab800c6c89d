#include "agent/common/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "agent/common/redact.h"

namespace sidecar {
namespace {

std::string Timestamp(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

std::string FormatLine(const spdlog::details::log_msg& msg, bool json) {
  const std::string text = Redact(std::string_view(msg.payload.data(), msg.payload.size()));
  const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
  if (json) {
    nlohmann::json line = {{"time", Timestamp(msg.time)},
                           {"level", std::string(level.data(), level.size())},
                           {"msg", text}};
    // Invalid UTF-8 from a server error message must not throw: replace it.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return Timestamp(msg.time) + " " + std::string(level.data(), level.size()) + " " + text + "\n";
}

// Writes redacted lines to a FILE* (stderr) or appends them to a string (tests).
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingSink(bool json, std::string* capture) : json_(json), capture_(capture) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string line = FormatLine(msg, json_);
    if (capture_ != nullptr) {
      capture_->append(line);
      return;
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  const bool json_;
  std::string* capture_;
};

void Install(std::shared_ptr<spdlog::sinks::sink> sink, spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>("agent", std::move(sink));
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

bool ParseLogFormat(std::string_view text, LogFormat* format) {
  if (text == "auto") {
    *format = LogFormat::kAuto;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else if (text == "text") {
    *format = LogFormat::kText;
  } else {
    return false;
  }
  return true;
}

bool IsLogLevel(std::string_view text) {
  return text == "trace" || text == "debug" || text == "info" || text == "warn" ||
         text == "error" || text == "off";
}

void SetUpLogging(LogFormat format, std::string_view level) {
  const bool json = format == LogFormat::kJson || (format == LogFormat::kAuto && !isatty(2));
  Install(std::make_shared<RedactingSink>(json, nullptr),
          spdlog::level::from_str(std::string(level)));
}

void SetUpLoggingForTesting(std::string* sink, LogFormat format) {
  Install(std::make_shared<RedactingSink>(format == LogFormat::kJson, sink), spdlog::level::trace);
}

}  // namespace sidecar
