// Access to the real servers the test command (tests/run.sh) starts, through environment
// variables it exports. A missing variable fails the test: an integration test that cannot
// reach its server must not pass.
#pragma once

#include <string>

namespace sidecar::testing {

// The value of `name`; FAILs the current test when it is unset.
std::string RequireEnv(const char* name);

// Path of a file under tests/testdata.
std::string TestDataPath(const std::string& relative);

}  // namespace sidecar::testing
