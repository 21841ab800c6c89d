// Keeps secrets out of everything the agent prints: logs, errors, reasons, labels, /health.
//
// Two layers. Every secret value the config reads (passwords, API keys, URLs with userinfo) is
// registered here, and Redact() replaces each occurrence with "***". Independently, RedactUrl()
// masks the password of any URL it is given. Thread-safe: registration takes a lock, Redact()
// a shared lock.
#pragma once

#include <string>
#include <string_view>

namespace sidecar {

inline constexpr std::string_view kRedacted = "***";

// Registers a value that must never be printed. Values shorter than 4 characters are ignored
// (masking "a" everywhere would wreck every message and protect nothing).
void RegisterSecret(std::string_view secret);

// Replaces every registered secret, and the password part of any "scheme://user:pass@" URL,
// with "***".
std::string Redact(std::string_view text);

// "redis://:hunter2@cache:6379/0" -> "redis://:***@cache:6379/0". Query parameters named
// password, pass, key, token, secret are masked too. Text that is not a URL is returned as is.
std::string RedactUrl(std::string_view url);

// For tests: forgets every registered secret.
void ClearSecretsForTesting();

}  // namespace sidecar
