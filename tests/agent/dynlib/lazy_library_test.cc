// LazyLibrary: a library that is missing or too old is one clear error, never a crash.
#include "agent/dynlib/lazy_library.h"

#include <catch2/catch.hpp>

namespace sidecar::dynlib {
namespace {

TEST_CASE("LazyLibrary: a missing library is refused with its name and its Debian package",
          "[dynlib]") {
  constexpr const char* kSymbols[] = {"anything", nullptr};
  LazyLibrary library("libsidecar-missing.so.7", "libsidecar-missing7", kSymbols);
  const Status status = library.Load();
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(),
             Catch::StartsWith("cannot load libsidecar-missing.so.7 (Debian package "
                               "libsidecar-missing7): "));
  CHECK(library.Load().message() == status.message());  // the first answer stays
}

TEST_CASE("LazyLibrary: a library without a symbol the agent calls is refused as too old",
          "[dynlib]") {
  constexpr const char* kSymbols[] = {"zlibVersion", "sidecar_no_such_function", nullptr};
  LazyLibrary library("libz.so.1", "zlib1g", kSymbols);
  const Status status = library.Load();
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() ==
        "libz.so.1 has no sidecar_no_such_function: the installed zlib1g is older than the one "
        "the agent was built with");
}

TEST_CASE("LazyLibrary: the symbols of a present library resolve to the library's functions",
          "[dynlib]") {
  constexpr const char* kSymbols[] = {"zlibVersion", nullptr};
  LazyLibrary library("libz.so.1", "zlib1g", kSymbols);
  REQUIRE(library.Load().ok());
  auto version = Resolve<const char* (*)()>(library, "zlibVersion");
  CHECK(std::string(version()).substr(0, 2) == "1.");
}

TEST_CASE("LazyLibrary: libcurl and libpq load with every function the agent forwards",
          "[dynlib]") {
  CHECK(Curl().Load().message().empty());
  CHECK(Pq().Load().message().empty());
}

}  // namespace
}  // namespace sidecar::dynlib
