// The provider presets as data: where each provider's cheapest authenticated read is, how it
// authenticates, which environment variables its SDKs read. Facts: shared/reference sections 1-4.
#include <array>
#include <string_view>

#include "agent/common/redact.h"
#include "probes/http/http_options.h"

namespace sidecar::probes::http {
namespace {

enum class Auth { kXApiKey, kBearer };

struct Preset {
  std::string_view name;
  std::string_view default_base;
  std::string_view base_env;  // the SDKs' own override; empty when none
  std::string_view path;      // appended to the base; the only request the preset ever sends
  std::array<const char*, 2> key_envs;
  Auth auth;
  bool key_required;
};

constexpr Preset kPresets[] = {
    // Models list: metadata, no tokens. Never a Messages request.
    {"claude",
     "https://api.anthropic.com",
     "ANTHROPIC_BASE_URL",
     "/v1/models?limit=1",
     {"ANTHROPIC_API_KEY", "CLAUDE_API_KEY"},
     Auth::kXApiKey,
     true},
    // OPENAI_BASE_URL includes /v1.
    {"openai",
     "https://api.openai.com/v1",
     "OPENAI_BASE_URL",
     "/models",
     {"OPENAI_API_KEY", nullptr},
     Auth::kBearer,
     true},
    // The cheapest authenticated read; sk_test_, sk_live_ and rk_ keys all work.
    {"stripe",
     "https://api.stripe.com",
     "",
     "/v1/balance",
     {"STRIPE_SECRET_KEY", nullptr},
     Auth::kBearer,
     true},
    // Does not count against the primary rate limit; the token is optional.
    {"github",
     "https://api.github.com",
     "GITHUB_API_URL",
     "/rate_limit",
     {"GITHUB_TOKEN", nullptr},
     Auth::kBearer,
     false},
};

// Keys that would change the request: a preset fixes it, so they are refused.
constexpr const char* kFixedKeys[] = {"url",
                                      "method",
                                      "headers",
                                      "body",
                                      "bearer_token",
                                      "path",
                                      "valid_status_codes",
                                      "body_contains",
                                      "body_regex",
                                      "json",
                                      "follow_redirects",
                                      "max_redirects"};

std::optional<std::string> Env(config::ConfigNode& node, const char* name) {
  if (name == nullptr || *name == '\0') return std::nullopt;
  auto value = node.state().env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace

bool ApplyPreset(const std::string& name, config::ConfigNode& node, HttpOptions& options) {
  const Preset* preset = nullptr;
  for (const Preset& candidate : kPresets) {
    if (candidate.name == name) preset = &candidate;
  }
  if (preset == nullptr) {
    node.Error("preset",
               "unknown preset '" + name + "' (expected claude, openai, stripe or github)");
    return false;
  }
  bool ok = true;
  for (const char* key : kFixedKeys) {
    if (node.Has(key)) {
      node.Error(key, "not allowed with preset " + name + ": it always sends GET " +
                          std::string(preset->path));
      ok = false;
    }
  }
  options.preset = name;
  options.method = "GET";
  options.follow_redirects = false;  // credentials must go to the configured host only
  options.github_quota_body = name == "github";

  std::string base(preset->default_base);
  if (auto configured = node.GetString("base_url")) {
    base = *configured;
  } else if (auto from_env = Env(node, preset->base_env.data())) {
    base = *from_env;
  }
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    node.Error("base_url", "expected an http:// or https:// URL, got '" + RedactUrl(base) + "'");
    ok = false;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  options.url = base + std::string(preset->path);

  std::optional<std::string> key;
  if (node.Has("api_key") || node.Has("api_key_file")) {
    key = node.GetSecret("api_key");
  } else {
    for (const char* env : preset->key_envs) {
      if ((key = Env(node, env))) break;
    }
    if (key) RegisterSecret(*key);
  }
  if (!key && preset->key_required) {
    node.ErrorHere("preset " + name + " needs an API key: set " + std::string(preset->key_envs[0]) +
                   " or api_key");
    ok = false;
  }
  if (key) {
    if (preset->auth == Auth::kXApiKey) {
      options.headers.push_back({"x-api-key", *key, true});
    } else {
      options.headers.push_back({"Authorization", "Bearer " + *key, true});
    }
  }

  if (name == "claude") {
    options.headers.push_back(
        {"anthropic-version", node.GetString("anthropic_version").value_or("2023-06-01"), false});
  } else if (name == "openai") {
    auto org = node.GetString("organization");
    if (!org) org = Env(node, "OPENAI_ORG_ID");
    if (org) options.headers.push_back({"OpenAI-Organization", *org, false});
    auto project = node.GetString("project");
    if (!project) project = Env(node, "OPENAI_PROJECT_ID");
    if (project) options.headers.push_back({"OpenAI-Project", *project, false});
  } else if (name == "stripe") {
    if (auto version = node.GetString("stripe_version")) {
      options.headers.push_back({"Stripe-Version", *version, false});
    }
  } else if (name == "github") {
    options.headers.push_back(
        {"User-Agent", node.GetString("user_agent").value_or("sidecar-agent"), false});
    options.headers.push_back({"Accept", "application/vnd.github+json", false});
    options.headers.push_back(
        {"X-GitHub-Api-Version", node.GetString("api_version").value_or("2022-11-28"), false});
  }
  return ok;
}

}  // namespace sidecar::probes::http
