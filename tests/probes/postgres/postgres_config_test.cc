#include <catch2/catch.hpp>

#include "tests/probes/postgres/pg_test_support.h"

namespace sidecar::probes::postgres::testing {
namespace {

bool HasError(const Built& built, const std::string& path, const std::string& words) {
  for (const auto& error : built.state->errors) {
    if (error.path == path && error.message.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("PostgresProbe config: a URL from the environment makes a probe", "[postgres_unit]") {
  const Built built =
      Build("url: ${PG_URL}\n    query: SELECT 2\n    expect: \"2\"\n    facts: false\n",
            {{"PG_URL", "postgresql://app:Sentinel-Cfg-1@db:6432/orders?sslmode=require"}});
  INFO(built.Errors());
  REQUIRE(built.probe != nullptr);
  CHECK(built.state->errors.empty());
  CHECK(built.probe->Target() == "postgresql://app:***@db:6432/orders?sslmode=require");
}

TEST_CASE("PostgresProbe config: a conninfo string shows as a URL without its password",
          "[postgres_unit]") {
  const Built built =
      Build("url: ${PG_URL}\n", {{"PG_URL",
                                  "host=db port=6432 user=app password=Sentinel-Cfg-2 "
                                  "dbname=orders connect_timeout=3"}});
  INFO(built.Errors());
  REQUIRE(built.probe != nullptr);
  CHECK(built.probe->Target() == "postgres://app@db:6432/orders");
}

TEST_CASE("PostgresProbe config: url is required", "[postgres_unit]") {
  const Built built = Build("query: SELECT 1\n");
  CHECK(built.probe == nullptr);
  INFO(built.Errors());
  CHECK(HasError(built, "probes[0]", "url: required"));
}

TEST_CASE("PostgresProbe config: a password written in the config file is refused",
          "[postgres_unit]") {
  const Built built = Build("url: postgres://app:Sentinel-Cfg-3@db/orders\n");
  CHECK(built.probe == nullptr);
  INFO(built.Errors());
  CHECK(HasError(built, "probes[0].url", "secret"));
  CHECK(built.Errors().find("Sentinel-Cfg-3") == std::string::npos);

  const Built literal_password = Build("url: postgres://app@db/orders\n    password: hunter22\n");
  CHECK(literal_password.probe == nullptr);
  CHECK(HasError(literal_password, "probes[0].password", "secret"));

  const Built conninfo = Build("url: \"host=db dbname=orders password=Sentinel-Cfg-4\"\n");
  CHECK(conninfo.probe == nullptr);
  CHECK(HasError(conninfo, "probes[0].url", "secret"));
}

TEST_CASE("PostgresProbe config: a URL libpq cannot parse is refused with its message",
          "[postgres_unit]") {
  const Built built = Build("url: postgres://db/orders?bogus=1\n");
  CHECK(built.probe == nullptr);
  INFO(built.Errors());
  CHECK(HasError(built, "probes[0].url", "bogus"));
}

TEST_CASE("PostgresProbe config: unknown keys and bad values are all reported", "[postgres_unit]") {
  const Built built = Build(
      "url: postgres://app@db/orders\n    querry: SELECT 1\n    max_connections_ratio: 1.5\n"
      "    max_replication_lag: soon\n    facts: maybe\n");
  CHECK(built.probe == nullptr);
  INFO(built.Errors());
  CHECK(HasError(built, "probes[0]", "unknown key 'querry'"));
  CHECK(HasError(built, "probes[0].max_connections_ratio", "at most 1"));
  CHECK(HasError(built, "probes[0].max_replication_lag", "duration"));
  CHECK(HasError(built, "probes[0].facts", "true or false"));
}

TEST_CASE("PostgresProbe config: service files are refused", "[postgres_unit]") {
  const Built built = Build("url: \"service=orders\"\n");
  CHECK(built.probe == nullptr);
  CHECK(HasError(built, "probes[0].url", "service"));
}

}  // namespace
}  // namespace sidecar::probes::postgres::testing
