// UTF-8 encoding of one code point, as Go's utf8.AppendRune: what is not a valid Unicode scalar
// value (a surrogate, or above U+10FFFF) becomes U+FFFD. The PromQL lexer and the template
// language both write runes this way. Pure function; thread-safe.
#pragma once

#include <string>

namespace sidecar {

void AppendUtf8(std::string& out, char32_t rune);

}  // namespace sidecar
