#include "agent/http/http_response.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/agent/http/http_test_util.h"

namespace sidecar::http {
namespace {

using testing::Gunzip;

std::string Serialize(const HttpResponse& response, ResponseFraming framing) {
  framing.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  std::string out;
  AppendResponse(response, framing, &out);
  return out;
}

std::string_view Body(std::string_view wire) { return wire.substr(wire.find("\r\n\r\n") + 4); }

TEST_CASE("FormatHttpDate: IMF-fixdate in GMT", "[http]") {
  CHECK(FormatHttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(FormatHttpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(FormatHttpDate(1709251199) == "Thu, 29 Feb 2024 23:59:59 GMT");
}

TEST_CASE("AppendResponse: a GET answer carries its length, date and server", "[http]") {
  HttpResponse response;
  response.status = 404;
  response.content_type = "text/plain";
  response.body = "no such page\n";
  response.headers.emplace_back("Cache-Control", "no-store");
  CHECK(Serialize(response, {}) ==
        "HTTP/1.1 404 Not Found\r\nServer: agent\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
        "Content-Type: text/plain\r\nContent-Length: 13\r\nCache-Control: no-store\r\n\r\n"
        "no such page\n");
}

TEST_CASE("AppendResponse: HEAD sends the GET headers without the body", "[http]") {
  HttpResponse response = TextResponse(200, "ok");
  ResponseFraming framing;
  framing.head_request = true;
  const std::string wire = Serialize(response, framing);
  CHECK(wire.find("Content-Length: 3\r\n") != std::string::npos);
  CHECK(wire.size() == wire.find("\r\n\r\n") + 4);
}

TEST_CASE("AppendResponse: connection headers follow keep-alive and version", "[http]") {
  const HttpResponse response = TextResponse(200, "ok");
  ResponseFraming framing;
  CHECK(Serialize(response, framing).find("Connection:") == std::string::npos);
  framing.keep_alive = false;
  CHECK(Serialize(response, framing).find("Connection: close\r\n") != std::string::npos);
  framing.keep_alive = true;
  framing.http10 = true;
  CHECK(Serialize(response, framing).find("Connection: keep-alive\r\n") != std::string::npos);
}

TEST_CASE("AppendResponse: gzip only when compressible, accepted and over 1 KiB", "[http]") {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  for (int i = 0; i < 200; ++i) response.body += "probe_success{probe=\"db\"} 1\n";
  response.compressible = true;
  ResponseFraming framing;
  framing.accepts_gzip = true;

  SECTION("compressed, and it inflates back") {
    const std::string wire = Serialize(response, framing);
    CHECK(wire.find("Content-Encoding: gzip\r\n") != std::string::npos);
    CHECK(wire.find("Vary: Accept-Encoding\r\n") != std::string::npos);
    const std::string_view body = Body(wire);
    CHECK(wire.find("Content-Length: " + std::to_string(body.size()) + "\r\n") !=
          std::string::npos);
    CHECK(body.size() < response.body.size());
    CHECK(Gunzip(body) == response.body);
  }
  SECTION("not accepted: plain, but still varies") {
    framing.accepts_gzip = false;
    const std::string wire = Serialize(response, framing);
    CHECK(wire.find("Content-Encoding") == std::string::npos);
    CHECK(wire.find("Vary: Accept-Encoding\r\n") != std::string::npos);
    CHECK(Body(wire) == response.body);
  }
  SECTION("not compressible") {
    response.compressible = false;
    const std::string wire = Serialize(response, framing);
    CHECK(wire.find("Content-Encoding") == std::string::npos);
    CHECK(wire.find("Vary") == std::string::npos);
  }
  SECTION("small body") {
    response.body = "ok\n";
    const std::string wire = Serialize(response, framing);
    CHECK(wire.find("Content-Encoding") == std::string::npos);
    CHECK(Body(wire) == "ok\n");
  }
  SECTION("HEAD announces the compressed length") {
    framing.head_request = true;
    const std::string wire = Serialize(response, framing);
    CHECK(wire.find("Content-Encoding: gzip\r\n") != std::string::npos);
    CHECK(Body(wire).empty());
    const auto compressed = GzipCompress(response.body);
    REQUIRE(compressed);
    CHECK(wire.find("Content-Length: " + std::to_string(compressed->size()) + "\r\n") !=
          std::string::npos);
  }
}

TEST_CASE("AppendResponse: handler headers cannot break the framing", "[http]") {
  HttpResponse response = TextResponse(200, "ok");
  response.headers = {{"Content-Length", "999"},        {"connection", "keep-alive"},
                      {"X-Split", "a\r\nInjected: 1"},  {"X-Ok", "fine"},
                      {"Transfer-Encoding", "chunked"}, {"", "empty"}};
  const std::string wire = Serialize(response, {});
  CHECK(wire.find("999") == std::string::npos);
  CHECK(wire.find("Injected") == std::string::npos);
  CHECK(wire.find("chunked") == std::string::npos);
  CHECK(wire.find("keep-alive") == std::string::npos);
  CHECK(wire.find("X-Ok: fine\r\n") != std::string::npos);
  CHECK(wire.find("Content-Length: 3\r\n") != std::string::npos);
}

TEST_CASE("AppendResponse: 204 has no body and no length, nonsense status is 500", "[http]") {
  HttpResponse response;
  response.status = 204;
  response.body = "ignored";
  const std::string no_content = Serialize(response, {});
  CHECK(no_content.rfind("HTTP/1.1 204 No Content\r\n", 0) == 0);
  CHECK(no_content.find("Content-Length") == std::string::npos);
  CHECK(Body(no_content).empty());

  response.status = 42;
  CHECK(Serialize(response, {}).rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0);
}

TEST_CASE("GzipCompress: round trip of empty and binary data", "[http]") {
  const std::string binary("\0\x01\xff\x7f text", 10);
  for (const std::string& data : {std::string(), binary, std::string(100000, 'x')}) {
    const auto compressed = GzipCompress(data);
    REQUIRE(compressed);
    CHECK(compressed->substr(0, 2) == "\x1f\x8b");
    CHECK(Gunzip(*compressed) == data);
  }
}

}  // namespace
}  // namespace sidecar::http
