// The extra CAs of $SSL_CERT_FILE: parsed once per process (ParsedCaFiles), added to every new
// connection's trust store, and never trusted where they should not be.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "probes/http/status_page.h"
#include "tests/probes/http/http_test_util.h"
#include "tests/support/https_test_server.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::http {
namespace {

using sidecar::testing::HttpsTestServer;
using sidecar::testing::RequireEnv;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A file in the temporary directory, removed at the end of the test.
struct TempFile {
  std::string path;
  TempFile() {
    char name[] = "/tmp/http_ca_files_test_XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
  }
  ~TempFile() { std::remove(path.c_str()); }
  void Write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
};

TestResponse CloseEach(const TestRequest&) {
  TestResponse response;
  response.body = "{}";
  response.headers = {{"Content-Type", "application/json"}, {"Connection", "close"}};
  return response;
}

TEST_CASE("ParsedCaFiles: a bundle is parsed once, and again only when the file changes",
          "[http][integration]") {
  const std::string ca_pem = ReadFile(RequireEnv("AGENT_TEST_TLS_CA"));
  REQUIRE(!ca_pem.empty());
  TempFile file;
  file.Write(ca_pem);
  const auto first = ParsedCaFiles::Get(file.path);
  CHECK(first->certs.size() == 1);
  CHECK(ParsedCaFiles::Get(file.path) == first);  // the same parse, not a new one

  file.Write(ca_pem + ca_pem);  // another size: parsed again
  const auto second = ParsedCaFiles::Get(file.path);
  CHECK(second != first);
  CHECK(second->certs.size() == 2);
  CHECK(first->certs.size() == 1);  // a holder of the old parse keeps it intact

  CHECK(ParsedCaFiles::Get(file.path + ".missing")->certs.empty());
  file.Write("not a certificate\n");
  CHECK(ParsedCaFiles::Get(file.path)->certs.empty());
}

TEST_CASE(
    "HttpProbe: with SSL_CERT_FILE every new connection trusts its CAs, and a bundle without "
    "the server's CA is still refused",
    "[http][integration]") {
  HttpsTestServer server(&CloseEach);
  Harness harness;
  ProbePtr trusted = MakeProbe("    url: " + server.Url("/") + "\n",
                               {{"SSL_CERT_FILE", RequireEnv("AGENT_TEST_TLS_CA")}});
  for (int run = 0; run < 3; ++run) {
    const ProbeResult result = harness.Run(*trusted);
    INFO("run " << run << ": " << Describe(result));
    CHECK(result.verdict == Verdict::kHealthy);
  }
  CHECK(server.accepted() == 3);  // a new connection (new TLS setup) for every run

  // The system bundle alone does not hold the test CA: verification stays on.
  TempFile other;
  other.Write(ReadFile("/etc/ssl/certs/ca-certificates.crt"));
  ProbePtr untrusted =
      MakeProbe("    url: " + server.Url("/") + "\n", {{"SSL_CERT_FILE", other.path}});
  for (int run = 0; run < 2; ++run) {
    const ProbeResult result = harness.Run(*untrusted);
    INFO("run " << run << ": " << Describe(result));
    CHECK(result.failure == "tls");
  }
  // ... and the first probe, still running in the same process, is not affected.
  CHECK(harness.Run(*trusted).verdict == Verdict::kHealthy);
}

}  // namespace
}  // namespace sidecar::probes::http
