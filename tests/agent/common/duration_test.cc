#include "agent/common/duration.h"

#include <catch2/catch.hpp>

namespace sidecar {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("ParseDuration: accepts the forms Prometheus users write", "[duration]") {
  CHECK(ParseDuration("5s") == seconds(5));
  CHECK(ParseDuration("250ms") == milliseconds(250));
  CHECK(ParseDuration("1m30s") == seconds(90));
  CHECK(ParseDuration("1h") == seconds(3600));
  CHECK(ParseDuration("1.5s") == milliseconds(1500));
  CHECK(ParseDuration("100us") == std::chrono::microseconds(100));
  CHECK(ParseDuration("0") == Duration::zero());
}

TEST_CASE("ParseDuration: rejects what is not a duration", "[duration]") {
  for (const char* bad : {"", "5", "5 s", "5secs", "-5s", "s", "1.2.3s", "5x", "ms"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad).has_value());
  }
}

TEST_CASE("FormatDuration: prints the shortest exact form", "[duration]") {
  CHECK(FormatDuration(seconds(5)) == "5s");
  CHECK(FormatDuration(milliseconds(250)) == "250ms");
  CHECK(FormatDuration(seconds(90)) == "1m30s");
  CHECK(FormatDuration(milliseconds(1500)) == "1500ms");
  CHECK(FormatDuration(Duration::zero()) == "0s");
  CHECK(FormatDuration(seconds(3600)) == "1h");
}

}  // namespace
}  // namespace sidecar
