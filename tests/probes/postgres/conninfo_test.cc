#include "probes/postgres/conninfo.h"

#include <catch2/catch.hpp>

#include "agent/common/redact.h"

namespace sidecar::probes::postgres {
namespace {

using std::chrono::seconds;

ConnInfo Parse(const std::string& text) {
  auto info = ParseConnInfo(text);
  REQUIRE(info.ok());
  return info.value();
}

std::string Param(const ConnParams& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return "<absent>";
}

TEST_CASE("ParseConnInfo: reads URLs of both schemes and key=value strings", "[postgres_unit]") {
  struct Case {
    const char* text;
    bool is_url;
    std::map<std::string, std::string> expected;  // a subset of the options
  };
  const Case cases[] = {
      {"postgres://app@db.internal:6432/orders?sslmode=require&connect_timeout=3",
       true,
       {{"user", "app"},
        {"host", "db.internal"},
        {"port", "6432"},
        {"dbname", "orders"},
        {"sslmode", "require"},
        {"connect_timeout", "3"}}},
      {"postgresql://db/orders?application_name=web",
       true,
       {{"host", "db"}, {"dbname", "orders"}, {"application_name", "web"}}},
      {"postgres://a:5432,b:5433/x", true, {{"host", "a,b"}, {"port", "5432,5433"}}},
      {"postgres://%2Fvar%2Frun%2Fpostgresql/x", true, {{"host", "/var/run/postgresql"}}},
      {"host=10.0.0.5 port=5433 dbname=orders user=app sslmode=verify-full",
       false,
       {{"host", "10.0.0.5"}, {"port", "5433"}, {"dbname", "orders"}, {"sslmode", "verify-full"}}},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const ConnInfo info = Parse(c.text);
    CHECK(info.is_url == c.is_url);
    for (const auto& [key, value] : c.expected) {
      INFO(key);
      REQUIRE(info.options.count(key) == 1);
      CHECK(info.options.at(key) == value);
    }
  }
}

TEST_CASE("ParseConnInfo: an invalid string is refused with libpq's message, redacted",
          "[postgres_unit]") {
  RegisterSecret("Sentinel-Pw-4711");
  for (const char* bad : {"postgres://app:Sentinel-Pw-4711@db/x?sslmode",
                          "host=db password=Sentinel-Pw-4711 bogus_option=1", "host='unterminated",
                          "postgres://db/x?nosuchparam=1"}) {
    INFO(bad);
    auto info = ParseConnInfo(bad);
    REQUIRE_FALSE(info.ok());
    CHECK_FALSE(info.status().message().empty());
    CHECK(info.status().message().find("Sentinel-Pw-4711") == std::string::npos);
    CHECK(info.status().message().find('\n') == std::string::npos);
  }
}

TEST_CASE("HostEntries: applies libpq's defaults and says which hosts need a lookup",
          "[postgres_unit]") {
  struct Case {
    const char* text;
    ConnDefaults defaults;
    std::vector<std::tuple<std::string, std::string, std::string, bool>> hosts;
  };
  const Case cases[] = {
      {"postgres://db.internal/x", {}, {{"db.internal", "", "5432", true}}},
      {"postgres://10.0.0.5:6432/x", {}, {{"10.0.0.5", "", "6432", true}}},
      {"dbname=x", {}, {{"/var/run/postgresql", "", "5432", false}}},
      {"dbname=x", {"envhost", "", "7777"}, {{"envhost", "", "7777", true}}},
      {"host=/tmp/sock dbname=x", {}, {{"/tmp/sock", "", "5432", false}}},
      {"host=@abstract dbname=x", {}, {{"@abstract", "", "5432", false}}},
      {"host=a,b port=1,2", {}, {{"a", "", "1", true}, {"b", "", "2", true}}},
      {"host=a,b port=9", {}, {{"a", "", "9", true}, {"b", "", "9", true}}},
      {"host=db hostaddr=10.1.1.1", {}, {{"db", "10.1.1.1", "5432", false}}},
      {"hostaddr=10.1.1.1", {"envhost", "", ""}, {{"envhost", "10.1.1.1", "5432", false}}},
      {"hostaddr=10.1.1.1,10.1.1.2",
       {},
       {{"", "10.1.1.1", "5432", false}, {"", "10.1.1.2", "5432", false}}},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto hosts = HostEntries(Parse(c.text), c.defaults);
    REQUIRE(hosts.ok());
    REQUIRE(hosts->size() == c.hosts.size());
    for (size_t i = 0; i < c.hosts.size(); ++i) {
      CHECK((*hosts)[i].host == std::get<0>(c.hosts[i]));
      CHECK((*hosts)[i].hostaddr == std::get<1>(c.hosts[i]));
      CHECK((*hosts)[i].port == std::get<2>(c.hosts[i]));
      CHECK((*hosts)[i].NeedsLookup() == std::get<3>(c.hosts[i]));
    }
  }
}

TEST_CASE("HostEntries: refuses lists libpq could not match", "[postgres_unit]") {
  CHECK_FALSE(HostEntries(Parse("host=a,b,c port=1,2"), {}).ok());
  CHECK_FALSE(HostEntries(Parse("host=a,b hostaddr=10.0.0.1"), {}).ok());
  CHECK_FALSE(HostEntries(Parse("host=a port=99999"), {}).ok());
}

TEST_CASE("BuildConnectParams: hands libpq addresses, the password and a statement timeout",
          "[postgres_unit]") {
  const ConnInfo info = Parse(
      "postgres://app:urlpw@db.internal:6432/orders?sslmode=verify-full&options=-c%20"
      "search_path%3Dapp&application_name=web");
  const std::vector<HostEntry> hosts = {{"db.internal", "10.0.0.5", "6432"},
                                        {"db.internal", "10.0.0.6", "6432"}};
  const ConnParams params = BuildConnectParams(info, hosts, std::nullopt, seconds(4));
  CHECK(Param(params, "host") == "db.internal,db.internal");
  CHECK(Param(params, "hostaddr") == "10.0.0.5,10.0.0.6");
  CHECK(Param(params, "port") == "6432,6432");
  CHECK(Param(params, "password") == "urlpw");
  CHECK(Param(params, "sslmode") == "verify-full");
  CHECK(Param(params, "dbname") == "orders");
  CHECK(Param(params, "application_name") == "web");
  CHECK(Param(params, "fallback_application_name") == "<absent>");
  // Ours first, so the user's own -c settings still win.
  CHECK(Param(params, "options") == "-c statement_timeout=4000 -c search_path=app");
  CHECK(Param(params, "gssencmode") == "disable");

  const ConnParams overridden =
      BuildConnectParams(Parse("host=db gssencmode=prefer"), {{"db", "10.0.0.5", "5432"}},
                         std::string("filepw"), std::chrono::milliseconds(0));
  CHECK(Param(overridden, "password") == "filepw");
  CHECK(Param(overridden, "options") == "-c statement_timeout=1");
  CHECK(Param(overridden, "gssencmode") == "prefer");
  CHECK(Param(overridden, "fallback_application_name") == "sidecar-agent");
}

TEST_CASE("DisplayTarget: shows where the probe connects, never the password", "[postgres_unit]") {
  const std::string url = "postgres://app:Sentinel-Pw-99@db:5432/orders?sslmode=require";
  CHECK(DisplayTarget(url, Parse(url)) == "postgres://app:***@db:5432/orders?sslmode=require");
  const std::string conninfo = "host=db port=6432 user=app password=Sentinel-Pw-99 dbname=orders";
  CHECK(DisplayTarget(conninfo, Parse(conninfo)) == "postgres://app@db:6432/orders");
  const std::string multi = "host=a,b port=1,2 dbname=x";
  CHECK(DisplayTarget(multi, Parse(multi)) == "postgres://a:1,b:2/x");
  const std::string bare = "hostaddr=10.0.0.5";
  CHECK(DisplayTarget(bare, Parse(bare)) == "postgres://10.0.0.5");
}

TEST_CASE("ConnectTimeout: reads connect_timeout as libpq documents it", "[postgres_unit]") {
  CHECK(ConnectTimeout(Parse("host=db")).value() == std::nullopt);
  CHECK(ConnectTimeout(Parse("host=db connect_timeout=10")).value() == seconds(10));
  CHECK(ConnectTimeout(Parse("host=db connect_timeout=1")).value() == seconds(2));
  CHECK(ConnectTimeout(Parse("host=db connect_timeout=0")).value() == std::nullopt);
  CHECK(ConnectTimeout(Parse("host=db connect_timeout=-5")).value() == std::nullopt);
  CHECK_FALSE(ConnectTimeout(Parse("host=db connect_timeout=abc")).ok());
  CHECK_FALSE(ConnectTimeout(Parse("host=db connect_timeout=5s")).ok());
}

}  // namespace
}  // namespace sidecar::probes::postgres
