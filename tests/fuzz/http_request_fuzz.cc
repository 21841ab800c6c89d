// libFuzzer target for the HTTP request parser (agent/http/http_request.h): parses the input as
// a stream of pipelined requests, the way the server does, and checks the parser's promises.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address -I. tests/fuzz/http_request_fuzz.cc
//        agent/http/http_request.cc
// Seeds: tests/fuzz/corpus/http_request/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/http/http_request.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// A view must point into the input (or be empty): the server keeps only the input alive.
void CheckInside(std::string_view part, std::string_view input) {
  if (part.empty()) return;
  Check(part.data() >= input.data() && part.data() + part.size() <= input.data() + input.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sidecar::http::ParseOutcome;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // A small limit too, so the fuzzer reaches the 431 paths with short inputs.
  for (const size_t limit : {sidecar::http::kMaxRequestHeadBytes, size_t{64}}) {
    std::string_view rest = input;
    while (true) {
      sidecar::http::HttpRequest request;
      const sidecar::http::ParseResult result = sidecar::http::ParseRequest(rest, &request, limit);
      if (result.outcome == ParseOutcome::kIncomplete) {
        Check(rest.size() <= limit);
        break;
      }
      if (result.outcome == ParseOutcome::kInvalid) {
        Check(result.error_status == 400 || result.error_status == 431 ||
              result.error_status == 505);
        Check(!result.error.empty());
        break;
      }
      // A complete head: consumed something, within the limit, and every view lies inside it.
      Check(result.consumed > 0 && result.consumed <= rest.size() && result.consumed <= limit);
      const std::string_view head = rest.substr(0, result.consumed);
      Check(!request.method.empty() && !request.target.empty() && !request.path.empty());
      CheckInside(request.method, head);
      CheckInside(request.target, head);
      CheckInside(request.query, head);
      Check(request.path == "/" || request.path.data() >= head.data());
      Check(request.headers.size() <= sidecar::http::kMaxRequestHeaders);
      for (const auto& [name, value] : request.headers) {
        CheckInside(name, head);
        CheckInside(value, head);
        Check(!name.empty());
        Check(request.Header(name).data() != nullptr);
      }
      Check(request.version_minor >= 0 && request.version_minor <= 9);
      if (request.version_minor >= 1) Check(request.Header("host").data() != nullptr);
      (void)sidecar::http::AcceptsGzip(request.Header("accept-encoding"));
      rest.remove_prefix(result.consumed);
    }
  }
  return 0;
}
