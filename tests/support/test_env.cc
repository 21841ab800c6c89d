#include "tests/support/test_env.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace sidecar::testing {

std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    FAIL(std::string(name) +
         " is not set: run the suite through tests/run.sh, which starts "
         "the servers integration tests need");
  }
  return value;
}

std::string TestDataPath(const std::string& relative) {
  return std::string(AGENT_TESTDATA_DIR) + "/" + relative;
}

}  // namespace sidecar::testing
