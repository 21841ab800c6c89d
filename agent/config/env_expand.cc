#include "agent/config/env_expand.h"

#include <cctype>
#include <cstdlib>

namespace sidecar::config {
namespace {

bool IsNameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

Result<Expansion> ExpandEnv(std::string_view text, const EnvLookup& env) {
  Expansion out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.value.push_back(c);
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out.value.push_back('$');
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') {
      out.value.push_back(c);
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unterminated '${' (expected '}')");
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < body.size() && IsNameChar(body[name_end], name_end == 0)) {
      ++name_end;
    }
    const std::string name(body.substr(0, name_end));
    if (name.empty()) {
      return Status::InvalidArgument("'${" + std::string(body) +
                                     "}' does not start with a variable name");
    }
    std::string_view op = body.substr(name_end);
    bool colon = false;
    if (!op.empty() && op[0] == ':') {
      colon = true;
      op.remove_prefix(1);
    }
    char kind = 0;
    std::string_view word;
    if (!op.empty()) {
      kind = op[0];
      word = op.substr(1);
      if (kind != '-' && kind != '+' && kind != '?') {
        return Status::InvalidArgument("'${" + std::string(body) +
                                       "}': expected one of ${VAR}, ${VAR:-default}, "
                                       "${VAR:+alternative}, ${VAR:?message}");
      }
    } else if (colon) {
      return Status::InvalidArgument("'${" + std::string(body) +
                                     "}': expected -, + or ? after ':'");
    }
    const std::optional<std::string> value = env(name);
    const bool set = value.has_value();
    const bool usable = set && (!colon || !value->empty());
    switch (kind) {
      case 0:
        if (!set) {
          return Status::InvalidArgument("environment variable " + name + " is not set (write ${" +
                                         name + ":-default} to allow that)");
        }
        out.value += *value;
        out.used_env = true;
        break;
      case '-':
        if (usable) {
          out.value += *value;
          out.used_env = true;
        } else {
          out.value += word;
        }
        break;
      case '+':
        if (usable) {
          out.value += word;
        }
        break;
      case '?':
        if (!usable) {
          return Status::InvalidArgument("environment variable " + name +
                                         (set ? " is empty" : " is not set") +
                                         (word.empty() ? std::string() : ": " + std::string(word)));
        }
        out.value += *value;
        out.used_env = true;
        break;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace sidecar::config
