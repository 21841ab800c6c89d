// The tcp probe against local servers (tests/support/https_test_server.h), plain and TLS.
#include "probes/tcp/tcp_probe.h"

#include <catch2/catch.hpp>
#include <optional>

#include "agent/loop/event_loop.h"
#include "agent/loop/resolver.h"
#include "tests/support/https_test_server.h"
#include "tests/support/probe_config.h"
#include "tests/support/test_env.h"

namespace sidecar::probes::tcp {
namespace {

using namespace std::chrono_literals;
using sidecar::testing::HttpsTestServer;
using sidecar::testing::RequireEnv;
using sidecar::testing::TestRequest;
using sidecar::testing::TestResponse;

using Parsed = sidecar::testing::ParsedProbe;

Parsed Parse(const std::string& entry) {
  return sidecar::testing::ParseProbeEntry(entry, &CreateTcpProbe);
}

ProbePtr Make(const std::string& entry) {
  Parsed parsed = Parse(entry);
  INFO(parsed.errors);
  REQUIRE(parsed.probe);
  return std::move(parsed.probe);
}

struct Harness {
  EventLoop loop;
  Resolver resolver{&loop};
  std::optional<ProbeResult> result;
  int completions = 0;

  void Start(Probe& probe, Duration timeout = 10s) {
    result.reset();
    probe.Start(ProbeContext{&loop, &resolver, Clock::now() + timeout}, [this](ProbeResult r) {
      ++completions;
      result = std::move(r);
    });
  }
  ProbeResult Run(Probe& probe) {
    Start(probe);
    const TimePoint end = Clock::now() + 20s;
    while (!result && Clock::now() < end) loop.RunOnce(10ms);
    REQUIRE(result);
    return *result;
  }
};

TestResponse Ok(const TestRequest&) {
  TestResponse response;
  response.body = "pong";
  return response;
}

std::string Port(const HttpsTestServer& server) { return std::to_string(server.port()); }

const char* kSend = "    send: \"GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"\n";

TEST_CASE("TcpProbe: connects, and sends and expects over plain TCP and TLS",
          "[tcp][integration]") {
  const std::string ca = RequireEnv("AGENT_TEST_TLS_CA");
  HttpsTestServer plain(Ok, HttpsTestServer::Cert::kValid, /*tls=*/false);
  HttpsTestServer secure(Ok);
  Harness harness;

  ProbePtr connect_only = Make("    host: 127.0.0.1\n    port: " + Port(plain) + "\n");
  ProbeResult result = harness.Run(*connect_only);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(connect_only->Target() == "tcp://127.0.0.1:" + Port(plain));
  CHECK(result.samples.size() == 2);  // resolve, connect

  ProbePtr exchange = Make("    host: localhost\n    port: " + Port(plain) + "\n" + kSend +
                           "    expect: 'HTTP/1\\.1 200'\n");
  result = harness.Run(*exchange);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.samples.size() == 3);  // resolve, connect, exchange

  ProbePtr tls = Make("    host: localhost\n    port: " + Port(secure) +
                      "\n    tls: {ca_file: " + ca + "}\n" + kSend + "    expect: 'pong'\n");
  result = harness.Run(*tls);
  INFO(result.reason);
  CHECK(result.verdict == Verdict::kHealthy);
  CHECK(result.samples.size() == 4);  // resolve, connect, tls, exchange
  CHECK(tls->Target() == "tls://localhost:" + Port(secure));
}

TEST_CASE("TcpProbe: refused, certificate problems and a silent peer", "[tcp][integration]") {
  const std::string ca = RequireEnv("AGENT_TEST_TLS_CA");
  Harness harness;
  int port = 0;
  {
    HttpsTestServer gone(Ok, HttpsTestServer::Cert::kValid, /*tls=*/false);
    port = gone.port();
  }
  ProbePtr refused = Make("    host: 127.0.0.1\n    port: " + std::to_string(port) + "\n");
  ProbeResult result = harness.Run(*refused);
  CHECK(result.failure == "connect");
  CHECK(result.reason == "connect: connection refused");

  HttpsTestServer expired(Ok, HttpsTestServer::Cert::kExpired);
  ProbePtr probe = Make("    host: localhost\n    port: " + Port(expired) +
                        "\n    tls: {ca_file: " + ca + "}\n");
  result = harness.Run(*probe);
  INFO(result.reason);
  CHECK(result.failure == "cert_expired");

  HttpsTestServer wrong(Ok, HttpsTestServer::Cert::kWrongHost);
  probe =
      Make("    host: localhost\n    port: " + Port(wrong) + "\n    tls: {ca_file: " + ca + "}\n");
  result = harness.Run(*probe);
  INFO(result.reason);
  CHECK(result.failure == "hostname_mismatch");

  // A peer that never answers: the probe waits until it is cancelled, then closes everything.
  HttpsTestServer silent(Ok, HttpsTestServer::Cert::kValid, /*tls=*/false);
  silent.set_silent(true);
  probe =
      Make("    host: 127.0.0.1\n    port: " + Port(silent) + "\n" + kSend + "    expect: never\n");
  harness.Start(*probe, 200ms);
  const TimePoint deadline = Clock::now() + 200ms;
  while (Clock::now() < deadline) harness.loop.RunOnce(10ms);
  const int before = harness.completions;
  probe->Cancel();
  const TimePoint bound = Clock::now() + 10s;
  while (silent.closed() < 1 && Clock::now() < bound) harness.loop.RunOnce(10ms);
  CHECK(silent.closed() == 1);
  CHECK(harness.completions == before);
}

TEST_CASE("TcpProbe: config mistakes are reported with their key", "[tcp]") {
  Parsed parsed = Parse("    port: 70000\n    expect: '('\n    tls: {ca_file: /no/such/ca.pem}\n");
  CHECK(parsed.probe == nullptr);
  CHECK_THAT(parsed.errors, Catch::Contains("missing key 'host'"));
  CHECK_THAT(parsed.errors, Catch::Contains("port"));
  CHECK_THAT(parsed.errors, Catch::Contains("expect"));
  CHECK_THAT(parsed.errors, Catch::Contains("/no/such/ca.pem"));
}

}  // namespace
}  // namespace sidecar::probes::tcp
