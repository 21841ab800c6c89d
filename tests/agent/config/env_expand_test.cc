#include "agent/config/env_expand.h"

#include <catch2/catch.hpp>
#include <map>

namespace sidecar::config {
namespace {

TEST_CASE("ExpandEnv: the Compose and shell forms", "[config]") {
  const std::map<std::string, std::string> vars = {{"SET", "value"}, {"EMPTY", ""}};
  const EnvLookup env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"plain", "plain"},          {"${SET}", "value"},        {"a${SET}b", "avalueb"},
      {"${UNSET:-dflt}", "dflt"},  {"${EMPTY:-dflt}", "dflt"}, {"${EMPTY-dflt}", ""},
      {"${SET:+alt}", "alt"},      {"${EMPTY:+alt}", ""},      {"${EMPTY+alt}", "alt"},
      {"${UNSET+alt}", ""},        {"$$SET", "$SET"},          {"cost $5", "cost $5"},
      {"${SET:?needed}", "value"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    auto result = ExpandEnv(c.in, env);
    REQUIRE(result.ok());
    CHECK(result->value == c.out);
  }
  CHECK(ExpandEnv("${SET}", env)->used_env);
  CHECK_FALSE(ExpandEnv("${UNSET:-x}", env)->used_env);

  const Case errors[] = {
      {"${UNSET}", "environment variable UNSET is not set"},
      {"${EMPTY:?give it}", "environment variable EMPTY is empty: give it"},
      {"${SET", "unterminated"},
      {"${1X}", "does not start with a variable name"},
      {"${SET:x}", "expected one of ${VAR}, ${VAR:-default}"},
      {"${SET:}", "expected -, + or ? after ':'"},
  };
  for (const Case& c : errors) {
    INFO(c.in);
    auto result = ExpandEnv(c.in, env);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.status().message(), Catch::Contains(c.out));
  }
}

}  // namespace
}  // namespace sidecar::config
