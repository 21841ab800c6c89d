// The http probe's config: generic keys, presets as data, and the keys a preset refuses.
#include "probes/http/http_options.h"

#include <catch2/catch.hpp>

#include "agent/common/redact.h"
#include "tests/probes/http/http_test_util.h"

namespace sidecar::probes::http {
namespace {

HttpOptions Options(const std::string& entry, const Env& env = {}) {
  auto state = std::make_shared<config::ParseState>();
  state->file = "test.yaml";
  state->env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto root = config::ConfigNode::Parse("probes:\n  -\n" + entry, state);
  auto probes = root.GetMapList("probes");
  REQUIRE(probes.size() == 1);
  auto options = ReadHttpOptions(probes[0]);
  std::string errors;
  for (const auto& error : state->errors) errors += error.ToString() + "\n";
  INFO(errors);
  REQUIRE(options);
  return *options;
}

std::string HeaderValue(const HttpOptions& options, const std::string& name) {
  for (const HttpHeader& header : options.headers) {
    if (header.name == name) return header.value;
  }
  return "<absent>";
}

TEST_CASE("HttpOptions: a generic probe reads every key", "[http]") {
  const HttpOptions options = Options(
      "    url: https://example.test/health\n"
      "    method: post\n"
      "    body: '{}'\n"
      "    headers: {X-Api-Key: '${KEY}', Accept: application/json}\n"
      "    valid_status_codes: [200-299, 304]\n"
      "    body_regex: 'ok|up'\n"
      "    json: [{pointer: /status, equals: up}]\n"
      "    follow_redirects: false\n"
      "    ip_preference: ipv4\n"
      "    max_body_size: 4096\n"
      "    tls: {ca_file: /ca.pem, server_name: api.test, min_version: '1.3'}\n",
      {{"KEY", "sentinel-header-key-42"}});
  CHECK(options.method == "POST");
  CHECK(options.body == "{}");
  CHECK(HeaderValue(options, "X-Api-Key") == "sentinel-header-key-42");
  CHECK(Redact("x sentinel-header-key-42 y") == "x *** y");  // registered as a secret
  CHECK(StatusMatches(options.valid_status, 304));
  CHECK_FALSE(StatusMatches(options.valid_status, 301));
  CHECK(options.body_regex != nullptr);
  REQUIRE(options.json_checks.size() == 1);
  CHECK(options.json_checks[0].pointer == "/status");
  CHECK_FALSE(options.follow_redirects);
  CHECK(options.ip == IpPreference::kIpv4);
  CHECK(options.max_body_size == 4096);
  CHECK(options.tls.tls13_only);
  CHECK(options.tls.server_name == "api.test");
}

TEST_CASE("HttpOptions: mistakes are reported with their key", "[http]") {
  auto parsed = ParseProbe(
      "    url: ftp://example.test\n"
      "    valid_status_codes: [200-199]\n"
      "    body_regex: '('\n"
      "    ip_preference: ipv5\n"
      "    tls: {min_version: '1.0', cert_file: /c.pem}\n");
  CHECK(parsed.probe == nullptr);
  CHECK_THAT(parsed.errors, Catch::Contains("probes[0].url"));
  CHECK_THAT(parsed.errors, Catch::Contains("valid_status_codes"));
  CHECK_THAT(parsed.errors, Catch::Contains("body_regex"));
  CHECK_THAT(parsed.errors, Catch::Contains("ip_preference"));
  CHECK_THAT(parsed.errors, Catch::Contains("min_version"));
  CHECK_THAT(parsed.errors, Catch::Contains("key_file"));
}

TEST_CASE("HttpOptions: the claude preset asks for the models list with Anthropic's headers",
          "[http]") {
  const HttpOptions options =
      Options("    preset: claude\n", {{"ANTHROPIC_API_KEY", "sk-ant-api03-sentinel-claude"}});
  CHECK(options.url == "https://api.anthropic.com/v1/models?limit=1");
  CHECK(options.method == "GET");
  CHECK_FALSE(options.follow_redirects);
  CHECK(HeaderValue(options, "x-api-key") == "sk-ant-api03-sentinel-claude");
  CHECK(HeaderValue(options, "anthropic-version") == "2023-06-01");
  CHECK(HeaderValue(options, "Authorization") == "<absent>");
  CHECK(Redact("sk-ant-api03-sentinel-claude") == "***");
}

TEST_CASE("HttpOptions: the claude preset reads CLAUDE_API_KEY, ANTHROPIC_BASE_URL and base_url",
          "[http]") {
  HttpOptions options = Options("    preset: claude\n    anthropic_version: '2026-10-21'\n",
                                {{"CLAUDE_API_KEY", "sk-ant-claude-key"},
                                 {"ANTHROPIC_BASE_URL", "https://gateway.test/anthropic/"}});
  CHECK(options.url == "https://gateway.test/anthropic/v1/models?limit=1");
  CHECK(HeaderValue(options, "x-api-key") == "sk-ant-claude-key");
  CHECK(HeaderValue(options, "anthropic-version") == "2026-10-21");
  options = Options("    preset: claude\n    base_url: http://127.0.0.1:1\n",
                    {{"ANTHROPIC_API_KEY", "k-1234"}, {"ANTHROPIC_BASE_URL", "https://x.test"}});
  CHECK(options.url == "http://127.0.0.1:1/v1/models?limit=1");
}

TEST_CASE("HttpOptions: the claude preset refuses every key that would change its request",
          "[http]") {
  auto parsed = ParseProbe(
      "    preset: claude\n"
      "    method: POST\n"
      "    url: https://api.anthropic.com/v1/messages\n"
      "    body: '{\"model\":\"claude\",\"max_tokens\":1}'\n"
      "    headers: {x-api-key: other}\n"
      "    follow_redirects: true\n",
      {{"ANTHROPIC_API_KEY", "sk-ant-x"}});
  CHECK(parsed.probe == nullptr);
  for (const char* key : {"method", "url", "body", "headers", "follow_redirects"}) {
    CHECK_THAT(parsed.errors, Catch::Contains(std::string("probes[0].") + key +
                                              ": not allowed with preset claude"));
  }
}

TEST_CASE("HttpOptions: the openai, stripe and github presets", "[http]") {
  HttpOptions openai = Options("    preset: openai\n", {{"OPENAI_API_KEY", "sk-proj-abc"},
                                                        {"OPENAI_ORG_ID", "org-1"},
                                                        {"OPENAI_PROJECT_ID", "proj_2"}});
  CHECK(openai.url == "https://api.openai.com/v1/models");
  CHECK(HeaderValue(openai, "Authorization") == "Bearer sk-proj-abc");
  CHECK(HeaderValue(openai, "OpenAI-Organization") == "org-1");
  CHECK(HeaderValue(openai, "OpenAI-Project") == "proj_2");
  openai = Options("    preset: openai\n",
                   {{"OPENAI_API_KEY", "sk-x1"}, {"OPENAI_BASE_URL", "https://azure.test/v1"}});
  CHECK(openai.url == "https://azure.test/v1/models");

  const HttpOptions stripe = Options("    preset: stripe\n    stripe_version: 2025-04-30.basil\n",
                                     {{"STRIPE_SECRET_KEY", "rk_test_123"}});
  CHECK(stripe.url == "https://api.stripe.com/v1/balance");
  CHECK(HeaderValue(stripe, "Authorization") == "Bearer rk_test_123");
  CHECK(HeaderValue(stripe, "Stripe-Version") == "2025-04-30.basil");

  HttpOptions github = Options("    preset: github\n");
  CHECK(github.url == "https://api.github.com/rate_limit");
  CHECK(HeaderValue(github, "Authorization") == "<absent>");  // the token is optional
  CHECK(HeaderValue(github, "User-Agent") == "sidecar-agent");
  CHECK(github.github_quota_body);
  github = Options("    preset: github\n",
                   {{"GITHUB_TOKEN", "ghp_token1"}, {"GITHUB_API_URL", "https://ghe.test/api/v3"}});
  CHECK(github.url == "https://ghe.test/api/v3/rate_limit");
  CHECK(HeaderValue(github, "Authorization") == "Bearer ghp_token1");
}

TEST_CASE("HttpOptions: a preset without its key, or an unknown preset, is a config error",
          "[http]") {
  auto parsed = ParseProbe("    preset: claude\n");
  CHECK(parsed.probe == nullptr);
  CHECK_THAT(parsed.errors, Catch::Contains("ANTHROPIC_API_KEY"));
  parsed = ParseProbe("    preset: gemini\n");
  CHECK_THAT(parsed.errors, Catch::Contains("unknown preset 'gemini'"));
  // A key written in the file itself is refused (secrets come from the environment or a file).
  parsed = ParseProbe("    preset: stripe\n    api_key: sk_live_literal\n");
  CHECK(parsed.probe == nullptr);
}

}  // namespace
}  // namespace sidecar::probes::http
