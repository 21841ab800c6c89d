#include "exporters/otlp/otlp_retry.h"

#include <catch2/catch.hpp>

namespace sidecar::exporters::otlp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("OTLP retry: only 429, 502, 503, 504 and no answer are retried", "[exporters][otlp]") {
  const std::pair<int, bool> cases[] = {{0, true},    {200, false}, {400, false}, {401, false},
                                        {403, false}, {404, false}, {413, false}, {429, true},
                                        {500, false}, {501, false}, {502, true},  {503, true},
                                        {504, true}};
  for (const auto& [status, retryable] : cases) {
    INFO(status);
    CHECK(IsRetryable(status) == retryable);
  }
}

TEST_CASE("OTLP retry: Retry-After in seconds or as an HTTP-date", "[exporters][otlp]") {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 21 Oct 2015 07:28:00
  struct Case {
    const char* value;
    std::optional<Duration> want;
  };
  const Case cases[] = {
      {"120", seconds(120)},
      {" 3 ", seconds(3)},
      {"0", seconds(0)},
      {"Wed, 21 Oct 2015 07:28:30 GMT", seconds(30)},
      {"Wed, 21 Oct 2015 07:00:00 GMT", seconds(0)},  // in the past: now
      {"", std::nullopt},
      {"soon", std::nullopt},
      {"-5", std::nullopt},
      {"99999999999", std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.value);
    CHECK(ParseRetryAfter(c.value, now) == c.want);
  }
}

TEST_CASE("OTLP retry: backoff doubles up to the cap, with jitter between half and all of it",
          "[exporters][otlp]") {
  struct Case {
    int attempt;
    double random;
    Duration want;
  };
  const Case cases[] = {
      {1, 0.0, milliseconds(500)}, {1, 0.999999, milliseconds(999)},
      {2, 0.0, seconds(1)},        {3, 0.0, seconds(2)},
      {6, 0.0, seconds(15)},       {20, 0.0, seconds(15)},
  };
  for (const Case& c : cases) {
    INFO(c.attempt);
    const Duration got = Backoff(c.attempt, seconds(1), seconds(30), c.random);
    CHECK(std::chrono::duration_cast<milliseconds>(got) == c.want);
  }
}

}  // namespace
}  // namespace sidecar::exporters::otlp
