#include "probes/redis/redis_options.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

namespace sidecar::probes::redis {
namespace {

using Env = std::map<std::string, std::string>;

struct Read {
  std::shared_ptr<config::ParseState> state;
  std::optional<RedisOptions> options;

  std::string Errors() const {
    std::string out;
    for (const config::ConfigError& error : state->errors) {
      out += error.ToString() + "\n";
    }
    return out;
  }
};

// Reads `entry` (the YAML of one probe, indented by four spaces) as probes[0] of test.yaml.
Read ReadEntry(const std::string& entry, Env env = {}) {
  Read read;
  read.state = std::make_shared<config::ParseState>();
  read.state->file = "test.yaml";
  read.state->env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto root = config::ConfigNode::Parse("probes:\n  -\n" + entry, read.state);
  auto probes = root.GetMapList("probes");
  REQUIRE(probes.size() == 1);
  read.options = ReadRedisOptions(probes[0]);
  probes[0].CheckUnknownKeys();
  return read;
}

// A file that is removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/redis_options_test_XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_CASE("RedisOptions: defaults for a plain URL", "[redis]") {
  Read read = ReadEntry("    url: redis://cache:6379/1\n");
  INFO(read.Errors());
  REQUIRE(read.options.has_value());
  CHECK(read.options->url.host == "cache");
  CHECK(read.options->url.db == 1);
  CHECK_FALSE(read.options->password.has_value());
  CHECK(read.options->username.empty());
  CHECK(read.options->info);
  CHECK_FALSE(read.options->max_memory_ratio.has_value());
  CHECK(read.options->tls_context == nullptr);
}

TEST_CASE("RedisOptions: username and password keys override the URL's", "[redis]") {
  Read read = ReadEntry(
      "    url: ${REDIS_URL}\n"
      "    username: probe\n"
      "    password: ${REDIS_PASSWORD}\n",
      {{"REDIS_URL", "redis://app:from-url-pw@cache"}, {"REDIS_PASSWORD", "from-key-pw"}});
  INFO(read.Errors());
  REQUIRE(read.options.has_value());
  CHECK(read.options->username == "probe");
  CHECK(read.options->password == "from-key-pw");
}

TEST_CASE("RedisOptions: the password comes from the URL, or from password_file", "[redis]") {
  Read from_url = ReadEntry("    url: ${REDIS_URL}\n", {{"REDIS_URL", "redis://:p%40ss@cache"}});
  REQUIRE(from_url.options.has_value());
  CHECK(from_url.options->password == "p@ss");

  TempFile file("file-password\n");
  Read from_file = ReadEntry("    url: redis://cache\n    password_file: " + file.path() + "\n");
  INFO(from_file.Errors());
  REQUIRE(from_file.options.has_value());
  CHECK(from_file.options->password == "file-password");
}

TEST_CASE("RedisOptions: rediss builds a TLS context with the CA, and verifies the URL host",
          "[redis]") {
  Read read = ReadEntry("    url: rediss://cache.internal:6380\n");
  INFO(read.Errors());
  REQUIRE(read.options.has_value());
  CHECK(read.options->tls_context != nullptr);
  CHECK(read.options->server_name == "cache.internal");
  CHECK(read.options->verify);

  Read named = ReadEntry(
      "    url: rediss://10.0.0.5:6380\n"
      "    tls:\n"
      "      server_name: cache.internal\n"
      "      insecure_skip_verify: true\n");
  INFO(named.Errors());
  REQUIRE(named.options.has_value());
  CHECK(named.options->server_name == "cache.internal");
  CHECK_FALSE(named.options->verify);
}

TEST_CASE("RedisOptions: every mistake is reported with its key and position", "[redis]") {
  const std::string not_pem = std::string(AGENT_SOURCE_DIR) + "/CMakeLists.txt";
  struct Case {
    std::string entry;
    Env env;
    std::string expected;
  };
  const Case cases[] = {
      {"    info: false\n", {}, "test.yaml:3:5: probes[0]: url is required"},
      {"    url: redis://:literal-pw@cache\n", {}, "probes[0].url: a secret may not be written"},
      {"    url: ${URL}\n",
       {{"URL", "http://cache"}},
       "test.yaml:3:10: probes[0].url: unsupported scheme 'http'"},
      {"    url: redis://cache:99999\n", {}, "probes[0].url: invalid port '99999'"},
      {"    url: redis://cache\n    tls:\n      ca_file: /x.pem\n",
       {},
       "probes[0].tls: TLS settings for a redis:// URL: use rediss://"},
      {"    url: rediss://cache\n    tls:\n      ca_file: /nonexistent/ca.pem\n",
       {},
       "test.yaml:5:16: probes[0].tls.ca_file: cannot read '/nonexistent/ca.pem': No such file"},
      {"    url: rediss://cache\n    tls:\n      ca_file: " + not_pem + "\n",
       {},
       "probes[0].tls.ca_file: no PEM CA certificate in '" + not_pem + "'"},
      {"    url: rediss://cache\n    tls:\n      cert_file: /c.pem\n",
       {},
       "probes[0].tls.cert_file: a client certificate needs its key_file"},
      {"    url: rediss://cache\n    tls:\n      key_file: /k.pem\n",
       {},
       "probes[0].tls.key_file: a client key needs its cert_file"},
      {"    url: rediss://cache\n    tls:\n      cert_file: /no/c.pem\n      key_file: /no/k\n",
       {},
       "probes[0].tls.cert_file: cannot read '/no/c.pem'"},
      {"    url: rediss://cache\n    tls:\n      server_name: ''\n",
       {},
       "probes[0].tls.server_name: must not be empty"},
      {"    url: rediss://cache\n    tls:\n      insecure_skip_verify: maybe\n",
       {},
       "probes[0].tls.insecure_skip_verify: expected true or false, got 'maybe'"},
      {"    url: redis://cache\n    tls: yes\n", {}, "probes[0].tls: expected a mapping"},
      {"    url: redis://cache\n    max_memory_ratio: 1.5\n",
       {},
       "probes[0].max_memory_ratio: expected a ratio above 0 and at most 1, such as 0.9, got 1.5"},
      {"    url: redis://cache\n    max_memory_ratio: 0\n",
       {},
       "probes[0].max_memory_ratio: expected a ratio above 0"},
      {"    url: redis://cache\n    max_memory_ratio: lots\n",
       {},
       "probes[0].max_memory_ratio: expected a number, got 'lots'"},
      {"    url: redis://cache\n    info: false\n    max_memory_ratio: 0.9\n",
       {},
       "probes[0].max_memory_ratio: needs info: true"},
      {"    url: redis://cache\n    info: sometimes\n",
       {},
       "probes[0].info: expected true or false"},
      {"    url: redis://cache\n    username: app\n",
       {},
       "probes[0].username: user 'app' has no password"},
      {"    url: redis://cache\n    password: hunter22\n",
       {},
       "probes[0].password: a secret may not be written in the config file"},
      {"    url: redis://cache\n    passwrod: ${P}\n",
       {{"P", "x"}},
       "unknown key 'passwrod' (did you mean 'password'?)"},
      {"    url: rediss://cache\n    tls:\n      ca_fiel: /x\n",
       {},
       "probes[0].tls: unknown key 'ca_fiel' (did you mean 'ca_file'?)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.entry);
    Read read = ReadEntry(c.entry, c.env);
    CHECK_THAT(read.Errors(), Catch::Contains(c.expected));
    if (c.expected.find("unknown key") == std::string::npos) {
      CHECK_FALSE(read.options.has_value());
    }
  }
}

TEST_CASE("RedisOptions: a broken URL from the environment never shows its password", "[redis]") {
  const char* const urls[] = {"http://:SENTINEL-pw@cache", "redis://:SENTINEL-pw@cache:x",
                              "redis://:SENTINEL/pw@cache", "redis://:SENTINEL%zz@cache"};
  for (const char* url : urls) {
    CAPTURE(url);
    Read read = ReadEntry("    url: ${REDIS_URL}\n", {{"REDIS_URL", url}});
    REQUIRE_FALSE(read.options.has_value());
    CHECK(read.Errors().find("SENTINEL") == std::string::npos);
  }
}

TEST_CASE("RedisOptions: an unreadable SSL_CERT_FILE is a config error", "[redis]") {
  const char* previous = std::getenv("SSL_CERT_FILE");
  const std::string saved = previous == nullptr ? "" : previous;
  setenv("SSL_CERT_FILE", "/nonexistent/bundle.pem", 1);
  Read read = ReadEntry("    url: rediss://cache\n");
  if (previous == nullptr) {
    unsetenv("SSL_CERT_FILE");
  } else {
    setenv("SSL_CERT_FILE", saved.c_str(), 1);
  }
  CHECK_THAT(read.Errors(),
             Catch::Contains("probes[0]: tls: cannot read '/nonexistent/bundle.pem': No such file "
                             "or directory (from SSL_CERT_FILE)"));
  CHECK_FALSE(read.options.has_value());
}

}  // namespace
}  // namespace sidecar::probes::redis
