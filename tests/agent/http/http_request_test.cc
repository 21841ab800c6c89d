#include "agent/http/http_request.h"

#include <catch2/catch.hpp>
#include <string>

namespace sidecar::http {
namespace {

struct GoodCase {
  const char* name;
  std::string input;
  std::string method;
  std::string path;
  std::string query;
  int version_minor;
  bool keep_alive;
  bool accepts_gzip;
  bool has_body;
};

TEST_CASE("ParseRequest: well-formed heads are parsed into their parts", "[http]") {
  const GoodCase cases[] = {
      {"plain GET", "GET /health HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/health", "", 1, true, false,
       false},
      {"HEAD with query", "HEAD /readyz?verbose=1&x HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", "/readyz",
       "verbose=1&x", 1, true, false, false},
      {"absolute form", "GET http://h:9779/metrics?a=b HTTP/1.1\r\nHost: h\r\n\r\n", "GET",
       "/metrics", "a=b", 1, true, false, false},
      {"absolute form without path", "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n", "GET", "/", "", 1,
       true, false, false},
      {"HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", "GET", "/", "", 0, false, false,
       false},
      {"HTTP/1.0 keep-alive on request", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET",
       "/", "", 0, true, false, false},
      {"HTTP/1.1 close on request", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "GET",
       "/", "", 1, false, false, false},
      {"connection options are a case-insensitive list",
       "GET / HTTP/1.1\r\nHost: a\r\nconnection: Upgrade, CLOSE\r\n\r\n", "GET", "/", "", 1, false,
       false, false},
      {"HTTP/1.2 is served as 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", "GET", "/", "", 2, true,
       false, false},
      {"bare LF line ends", "GET /x HTTP/1.1\nHost: a\n\n", "GET", "/x", "", 1, true, false, false},
      {"empty lines before the request line", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET",
       "/", "", 1, true, false, false},
      {"gzip accepted", "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, br\r\n\r\n", "GET",
       "/", "", 1, true, true, false},
      {"header names are case-insensitive",
       "GET / HTTP/1.1\r\nhOsT: a\r\nACCEPT-ENCODING: GZIP\r\n\r\n", "GET", "/", "", 1, true, true,
       false},
      {"Content-Length 0 is no body", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
       "GET", "/", "", 1, true, false, false},
      {"Content-Length announces a body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
       "POST", "/", "", 1, true, false, true},
      {"equal Content-Length values", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n",
       "GET", "/", "", 1, true, false, true},
      {"chunked announces a body",
       "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", "/", "", 1, true,
       false, true},
      {"other methods parse (the server answers 405)", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
       "OPTIONS", "*", "", 1, true, false, false},
  };
  for (const GoodCase& c : cases) {
    INFO(c.name);
    HttpRequest request;
    const ParseResult result = ParseRequest(c.input, &request);
    REQUIRE(result.outcome == ParseOutcome::kComplete);
    CHECK(result.consumed == c.input.size());
    CHECK(request.method == c.method);
    CHECK(request.path == c.path);
    CHECK(request.query == c.query);
    CHECK(request.version_minor == c.version_minor);
    CHECK(request.keep_alive == c.keep_alive);
    CHECK(request.accepts_gzip == c.accepts_gzip);
    CHECK(request.has_body == c.has_body);
  }
}

struct BadCase {
  const char* name;
  std::string input;
  int status;
};

TEST_CASE("ParseRequest: malformed heads are refused with the right status", "[http]") {
  const BadCase cases[] = {
      {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"HTTP/0.9 request line", "GET /\r\n\r\n", 400},
      {"two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
      {"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
      {"garbage version", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400},
      {"HTTP/2 over HTTP/1 framing", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"method is not a token", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"relative target", "GET health HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"control character in target", "GET /a\x01z HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"non-ASCII in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"obs-fold with a space", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400},
      {"obs-fold with a tab", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n", 400},
      {"space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
      {"header without colon", "GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n", 400},
      {"empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400},
      {"NUL in a value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35), 400},
      {"bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400},
      {"bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"Content-Length not a number", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n",
       400},
      {"Content-Length negative", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"Content-Length list disagrees", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n",
       400},
      {"Content-Length headers disagree",
       "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 2\r\n\r\n", 400},
      {"Content-Length too long",
       "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
      {"Transfer-Encoding with Content-Length",
       "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"Transfer-Encoding in HTTP/1.0", "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
  };
  for (const BadCase& c : cases) {
    INFO(c.name);
    HttpRequest request;
    const ParseResult result = ParseRequest(c.input, &request);
    REQUIRE(result.outcome == ParseOutcome::kInvalid);
    CHECK(result.error_status == c.status);
    CHECK_FALSE(result.error.empty());
  }
}

TEST_CASE("ParseRequest: every strict prefix of a head asks for more bytes", "[http]") {
  const std::string head =
      "\r\nGET /metrics?x=1 HTTP/1.1\r\nHost: localhost:9779\r\nAccept-Encoding: gzip\r\n"
      "User-Agent: Prometheus/2.53\r\n\r\n";
  for (size_t length = 0; length < head.size(); ++length) {
    INFO("prefix length " << length);
    HttpRequest request;
    CHECK(ParseRequest(std::string_view(head).substr(0, length), &request).outcome ==
          ParseOutcome::kIncomplete);
  }
  HttpRequest request;
  CHECK(ParseRequest(head, &request).outcome == ParseOutcome::kComplete);
}

TEST_CASE("ParseRequest: pipelined requests are parsed one after the other", "[http]") {
  const std::string first = "GET /livez HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string second = "HEAD /readyz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  const std::string partial_third = "GET /health HTTP/1.1\r\nHo";
  const std::string buffer = first + second + partial_third;

  HttpRequest request;
  ParseResult result = ParseRequest(buffer, &request);
  REQUIRE(result.outcome == ParseOutcome::kComplete);
  CHECK(result.consumed == first.size());
  CHECK(request.path == "/livez");
  CHECK(request.keep_alive);

  std::string_view rest = std::string_view(buffer).substr(result.consumed);
  result = ParseRequest(rest, &request);
  REQUIRE(result.outcome == ParseOutcome::kComplete);
  CHECK(result.consumed == second.size());
  CHECK(request.method == "HEAD");
  CHECK(request.path == "/readyz");
  CHECK_FALSE(request.keep_alive);

  rest.remove_prefix(result.consumed);
  CHECK(ParseRequest(rest, &request).outcome == ParseOutcome::kIncomplete);
}

TEST_CASE("ParseRequest: the head size limit gives 431, complete or not", "[http]") {
  const std::string big_header = "X-Big: " + std::string(9000, 'a') + "\r\n";
  HttpRequest request;

  SECTION("a complete head over the limit") {
    const std::string input = "GET / HTTP/1.1\r\nHost: a\r\n" + big_header + "\r\n";
    const ParseResult result = ParseRequest(input, &request);
    CHECK(result.outcome == ParseOutcome::kInvalid);
    CHECK(result.error_status == 431);
  }
  SECTION("an incomplete head already over the limit") {
    const std::string input = "GET / HTTP/1.1\r\nHost: a\r\n" + big_header;
    const ParseResult result = ParseRequest(input, &request);
    CHECK(result.outcome == ParseOutcome::kInvalid);
    CHECK(result.error_status == 431);
  }
  SECTION("endless empty lines") {
    const ParseResult result = ParseRequest(std::string(10000, '\n'), &request);
    CHECK(result.outcome == ParseOutcome::kInvalid);
    CHECK(result.error_status == 431);
  }
  SECTION("too many headers") {
    std::string input = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 120; ++i) input += "X: 1\r\n";
    const ParseResult result = ParseRequest(input + "\r\n", &request);
    CHECK(result.outcome == ParseOutcome::kInvalid);
    CHECK(result.error_status == 431);
  }
  SECTION("the limit is inclusive") {
    const std::string input = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    CHECK(ParseRequest(input, &request, input.size()).outcome == ParseOutcome::kComplete);
    CHECK(ParseRequest(input, &request, input.size() - 1).error_status == 431);
  }
}

TEST_CASE("HttpRequest: Header finds names case-insensitively, values trimmed", "[http]") {
  HttpRequest request;
  const std::string input =
      "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For:   10.0.0.1 \t\r\nX-Empty:\r\n"
      "X-Forwarded-For: 10.0.0.2\r\n\r\n";
  REQUIRE(ParseRequest(input, &request).outcome == ParseOutcome::kComplete);
  CHECK(request.Header("x-forwarded-for") == "10.0.0.1");
  CHECK(request.Header("X-FORWARDED-FOR") == "10.0.0.1");
  CHECK(request.Header("host") == "a");
  CHECK(request.Header("x-empty").empty());
  CHECK(request.Header("absent").empty());
  CHECK(request.headers.size() == 4);
}

TEST_CASE("AcceptsGzip: codings, wildcards and q-values", "[http]") {
  const std::pair<const char*, bool> cases[] = {
      {"gzip", true},
      {"gzip, deflate, br", true},
      {"deflate, br", false},
      {"", false},
      {"identity", false},
      {"x-gzip", true},
      {"GZip;Q=1", true},
      {"gzip;q=0", false},
      {"gzip ; q=0.000", false},
      {"gzip;q=0.001", true},
      {"gzip;q=1.000", true},
      {"gzip;q=1.5", false},
      {"gzip;q=abc", false},
      {"*", true},
      {"*;q=0", false},
      {"*, gzip;q=0", false},
      {"gzip;q=0, *", false},
      {"br;q=1, gzip;q=0.5", true},
      {"deflate;q=0.5, *;q=0.1", true},
      {",,gzip,,", true},
  };
  for (const auto& [value, accepts] : cases) {
    INFO(value);
    CHECK(AcceptsGzip(value) == accepts);
  }
}

}  // namespace
}  // namespace sidecar::http
