// Fuzz target: the PromQL parser (lexer, grammar, type checks, FormatExpr) and the series label
// parser. Any input must end in a tree or an error: no crash, no hang, no leak. A tree must
// print to text that parses again to the same text.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/promql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sidecar::promql;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParseError error;
  ExprPtr expr = ParseExpr(text, &error);
  if (expr != nullptr) {
    const std::string formatted = FormatExpr(*expr);
    ParseError again_error;
    ExprPtr again = ParseExpr(formatted, &again_error);
    if (again == nullptr || FormatExpr(*again) != formatted) std::abort();
  } else {
    (void)LineColumnAt(text, error.pos.start);
  }
  Labels labels;
  (void)ParseSeriesLabels(text, &labels, &error);
  return 0;
}
