#include "probes/redis/redis_url.h"

#include <catch2/catch.hpp>

namespace sidecar::probes::redis {
namespace {

struct UrlCase {
  const char* text;
  bool tls;
  const char* username;
  const char* password;  // nullptr: none
  const char* host;
  uint16_t port;
  int64_t db;
};

TEST_CASE("ParseRedisUrl: the forms Node and Python clients accept", "[redis]") {
  const UrlCase cases[] = {
      {"redis://cache", false, "", nullptr, "cache", 6379, 0},
      {"redis://cache:6380", false, "", nullptr, "cache", 6380, 0},
      {"redis://cache:6379/", false, "", nullptr, "cache", 6379, 0},
      {"redis://cache:6379/3", false, "", nullptr, "cache", 6379, 3},
      {"redis://cache/15", false, "", nullptr, "cache", 6379, 15},
      {"redis://cache?db=2", false, "", nullptr, "cache", 6379, 2},
      {"REDIS://Cache.Internal:1", false, "", nullptr, "Cache.Internal", 1, 0},
      {"rediss://cache.abc.use1.cache.amazonaws.com:6379", true, "", nullptr,
       "cache.abc.use1.cache.amazonaws.com", 6379, 0},
      {"redis://:s3cret@cache:6379/0", false, "", "s3cret", "cache", 6379, 0},
      {"redis://app:s3cret@cache", false, "app", "s3cret", "cache", 6379, 0},
      {"redis://app@cache", false, "app", nullptr, "cache", 6379, 0},
      {"redis://:@cache", false, "", nullptr, "cache", 6379, 0},
      {"redis://@cache", false, "", nullptr, "cache", 6379, 0},
      {"redis://:p%40ss%2Fw%3Ard@cache", false, "", "p@ss/w:rd", "cache", 6379, 0},
      {"redis://:p@ss@cache", false, "", "p@ss", "cache", 6379, 0},
      {"redis://:a:b@cache", false, "", "a:b", "cache", 6379, 0},
      {"redis://us%65r:pw@cache", false, "user", "pw", "cache", 6379, 0},
      {"redis://:pa+ss@cache", false, "", "pa+ss", "cache", 6379, 0},
      {"redis://127.0.0.1:16379", false, "", nullptr, "127.0.0.1", 16379, 0},
      {"redis://[::1]", false, "", nullptr, "::1", 6379, 0},
      {"rediss://u:p@[2001:db8::5]:6380/1", true, "u", "p", "2001:db8::5", 6380, 1},
      {"redis://redis_master-1:65535", false, "", nullptr, "redis_master-1", 65535, 0},
  };
  for (const UrlCase& c : cases) {
    CAPTURE(c.text);
    auto url = ParseRedisUrl(c.text);
    REQUIRE(url.ok());
    CHECK(url->tls == c.tls);
    CHECK(url->username == c.username);
    if (c.password == nullptr) {
      CHECK_FALSE(url->password.has_value());
    } else {
      REQUIRE(url->password.has_value());
      CHECK(*url->password == c.password);
    }
    CHECK(url->host == c.host);
    CHECK(url->port == c.port);
    CHECK(url->db == c.db);
  }
}

TEST_CASE("ParseRedisUrl: malformed URLs are refused with a precise message", "[redis]") {
  const std::pair<const char*, const char*> cases[] = {
      {"cache:6379", "expected a URL such as redis://"},
      {"", "expected a URL such as redis://"},
      {"http://cache:6379", "unsupported scheme 'http': use redis:// or rediss://"},
      {"unix:///run/redis.sock", "unsupported scheme 'unix'"},
      {"redis+sentinel://cache", "unsupported scheme 'redis+sentinel'"},
      {"redis://", "missing host"},
      {"redis://:pw@", "missing host"},
      {"redis://:6379", "missing host"},
      {"redis://cache:0", "invalid port '0': expected a number from 1 to 65535"},
      {"redis://cache:65536", "invalid port '65536'"},
      {"redis://cache:63x9", "invalid port '63x9'"},
      {"redis://cache:", "invalid port ''"},
      {"redis://cache:-1", "invalid port '-1'"},
      {"redis://cache/abc", "invalid database '/abc' in the path"},
      {"redis://cache/0/1", "invalid database '/0/1'"},
      {"redis://cache/-1", "invalid database '/-1'"},
      {"redis://cache?db=x", "invalid ?db= value"},
      {"redis://cache/1?db=2", "the database is given both in the path and as ?db="},
      {"redis://cache?ssl_cert_reqs=none", "unsupported query parameter 'ssl_cert_reqs'"},
      {"redis://::1:6379", "an IPv6 address must be in brackets"},
      {"redis://[::1", "unterminated IPv6 address"},
      {"redis://[::1]x", "unexpected 'x' after the IPv6 address"},
      {"redis://[nothex]:1", "invalid IPv6 address 'nothex'"},
      {"redis://ca che", "invalid host 'ca che'"},
      {"redis://cache#frag", "a URL fragment"},
      {"redis://:bad%zzpw@cache", "invalid percent-encoding in the password"},
      {"redis://:badpw%4@cache", "invalid percent-encoding in the password"},
      {"redis://us%er:pw@cache", "invalid percent-encoding in the user name"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    auto url = ParseRedisUrl(text);
    REQUIRE_FALSE(url.ok());
    CHECK(url.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(url.status().message(), Catch::Contains(expected));
  }
}

TEST_CASE("ParseRedisUrl: an error never quotes any part of the password", "[redis]") {
  const char* const cases[] = {
      "redis://:SENTINEL/pw@cache",     // raw '/' in the password
      "redis://:SENTINEL?pw@cache",     // raw '?'
      "redis://:SENTINEL#pw@cache",     // raw '#'
      "redis://:SENTINEL%G1@cache",     // bad escape
      "redis://:SENTINELpw@cache:bad",  // bad port after a password
      "redis://:SENTINELpw@cache/x",    // bad db after a password
  };
  for (const char* text : cases) {
    CAPTURE(text);
    auto url = ParseRedisUrl(text);
    REQUIRE_FALSE(url.ok());
    CHECK(url.status().message().find("SENTINEL") == std::string::npos);
  }
}

TEST_CASE("FormatRedisTarget: shows where the probe goes, never the password", "[redis]") {
  RedisUrl url;
  url.host = "cache";
  CHECK(FormatRedisTarget(url, false) == "redis://cache:6379");
  CHECK(FormatRedisTarget(url, true) == "redis://:***@cache:6379");
  url.tls = true;
  url.username = "app";
  url.port = 6380;
  url.db = 2;
  url.password = "hunter22";
  CHECK(FormatRedisTarget(url, true) == "rediss://app:***@cache:6380/2");
  CHECK(FormatRedisTarget(url, false) == "rediss://app@cache:6380/2");
  url.host = "::1";
  CHECK(FormatRedisTarget(url, false) == "rediss://app@[::1]:6380/2");
}

}  // namespace
}  // namespace sidecar::probes::redis
