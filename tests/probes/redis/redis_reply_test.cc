#include "probes/redis/redis_reply.h"

#include <catch2/catch.hpp>

#include "probes/redis/redis_metrics.h"

namespace sidecar::probes::redis {
namespace {

TEST_CASE("ClassifyErrorReply: error replies become a failure kind and a short reason", "[redis]") {
  struct Case {
    const char* command;
    const char* error;
    const char* failure;
    const char* reason;
  };
  const Case cases[] = {
      {"AUTH", "WRONGPASS invalid username-password pair or user is disabled.", "auth",
       "credentials rejected: WRONGPASS invalid username-password pair or user is disabled."},
      {"AUTH", "ERR invalid password", "auth", "credentials rejected: ERR invalid password"},
      {"AUTH", "ERR AUTH <password> called without any password configured for the default user.",
       "auth",
       "credentials rejected: ERR AUTH <password> called without any password configured for "
       "the default user."},
      {"PING", "NOAUTH Authentication required.", "auth",
       "password required: NOAUTH Authentication required."},
      {"PING", "NOPERM this user has no permissions to run the 'ping' command", "auth",
       "permission denied: NOPERM this user has no permissions to run the 'ping' command"},
      {"PING", "LOADING Redis is loading the dataset in memory", "protocol",
       "server loading dataset"},
      {"PING", "BUSY Redis is busy running a script.", "protocol",
       "server busy running a script: BUSY Redis is busy running a script."},
      {"PING", "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
       "protocol",
       "replica has lost its master: MASTERDOWN Link with MASTER is down and "
       "replica-serve-stale-data is set to 'no'."},
      {"PING", "ERR max number of clients reached", "protocol",
       "unexpected reply to PING: -ERR max number of clients reached"},
      {"PING", "ERR first line\r\nsecond line", "protocol",
       "unexpected reply to PING: -ERR first line"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.command, c.error);
    ReplyProblem problem = ClassifyErrorReply(c.command, c.error);
    CHECK(problem.failure == c.failure);
    CHECK(problem.reason == c.reason);
  }
}

TEST_CASE("FirstLine: keeps one line and cuts long ones", "[redis]") {
  CHECK(FirstLine("one\ntwo") == "one");
  CHECK(FirstLine("one\r\ntwo") == "one");
  CHECK(FirstLine("") == "");
  CHECK(FirstLine(std::string(200, 'x'), 10) == "xxxxxxx...");
  CHECK(FirstLine("exactly10!", 10) == "exactly10!");
}

TEST_CASE("ParseRedisInfo: reads the fields the probe exports from INFO sections", "[redis]") {
  const std::string text =
      "# Server\r\n"
      "redis_version:7.0.15\r\n"
      "redis_mode:standalone\r\n"
      "\r\n"
      "# Clients\r\n"
      "connected_clients:12\r\n"
      "\r\n"
      "# Memory\r\n"
      "used_memory:1048576\r\n"
      "used_memory_human:1.00M\r\n"
      "maxmemory:4194304\r\n"
      "\r\n"
      "# Replication\r\n"
      "role:slave\r\n"
      "master_host:10.0.0.5\r\n"
      "master_link_status:down\r\n";
  const RedisInfo info = ParseRedisInfo(text);
  CHECK(info.version == "7.0.15");
  CHECK(info.role == "slave");
  CHECK(info.connected_clients == 12);
  CHECK(info.used_memory == 1048576);
  CHECK(info.maxmemory == 4194304);
  REQUIRE(info.master_link_up.has_value());
  CHECK_FALSE(*info.master_link_up);
}

TEST_CASE("ParseRedisInfo: tolerates missing, malformed and unknown fields", "[redis]") {
  struct Case {
    const char* text;
    bool has_used_memory;
    bool has_link;
  };
  const Case cases[] = {
      {"", false, false},
      {"# Memory\n", false, false},
      {"used_memory:12ab\r\n", false, false},
      {"used_memory:\r\n", false, false},
      {"used_memory:-5\r\n", false, false},
      {"no colon here\nused_memory:7\n", true, false},
      {"role:master\r\nmaster_link_status:sideways\r\n", false, false},
      {"master_link_status:up", false, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const RedisInfo info = ParseRedisInfo(c.text);
    CHECK(info.used_memory.has_value() == c.has_used_memory);
    CHECK(info.master_link_up.has_value() == c.has_link);
  }
  CHECK(ParseRedisInfo("role:master\r\n").role == "master");
  CHECK(ParseRedisInfo("master_link_status:up").master_link_up == true);
}

TEST_CASE("InfoSamples: one sample per known fact, the link only on replicas", "[redis]") {
  RedisInfo info;
  CHECK(InfoSamples(info).empty());

  info.version = "7.2.4";
  info.role = "master";
  info.used_memory = 1000;
  info.maxmemory = 0;
  info.connected_clients = 3;
  info.master_link_up = true;  // ignored: masters have no master link
  std::vector<Sample> samples = InfoSamples(info);
  REQUIRE(samples.size() == 4);
  CHECK(samples[0].metric == &kRedisUsedMemoryBytes);
  CHECK(samples[0].value == 1000);
  CHECK(samples[1].metric == &kRedisMaxmemoryBytes);
  CHECK(samples[1].value == 0);
  CHECK(samples[2].metric == &kRedisConnectedClients);
  CHECK(samples[3].metric == &kRedisInfo);
  CHECK(samples[3].value == 1);
  CHECK(samples[3].labels == Labels{{"version", "7.2.4"}, {"role", "master"}});

  RedisInfo replica;
  replica.role = "slave";
  replica.master_link_up = false;
  samples = InfoSamples(replica);
  REQUIRE(samples.size() == 2);
  CHECK(samples[1].metric == &kRedisMasterLinkUp);
  CHECK(samples[1].value == 0);
}

TEST_CASE("MemoryAboveRatio: degraded only above the ratio of a set maxmemory", "[redis]") {
  struct Case {
    std::optional<double> used;
    std::optional<double> max;
    double ratio;
    const char* reason;  // nullptr: not above
  };
  const Case cases[] = {
      {935, 1000, 0.9, "used_memory is 93.5% of maxmemory, above 90%"},
      {900, 1000, 0.9, nullptr},
      {100, 1000, 0.9, nullptr},
      {5000, 0, 0.9, nullptr},  // maxmemory 0: no limit
      {std::nullopt, 1000, 0.9, nullptr},
      {935, std::nullopt, 0.9, nullptr},
      {2, 1000, 0.001, "used_memory is 0.2% of maxmemory, above 0.1%"},
  };
  for (const Case& c : cases) {
    RedisInfo info;
    info.used_memory = c.used;
    info.maxmemory = c.max;
    CAPTURE(c.used.value_or(-1), c.max.value_or(-1), c.ratio);
    auto reason = MemoryAboveRatio(info, c.ratio);
    if (c.reason == nullptr) {
      CHECK_FALSE(reason.has_value());
    } else {
      REQUIRE(reason.has_value());
      CHECK(*reason == c.reason);
    }
  }
}

}  // namespace
}  // namespace sidecar::probes::redis
