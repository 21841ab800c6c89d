#include "exporters/otlp/otlp_exporter.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <chrono>

#include "agent/common/redact.h"
#include "agent/http/http_client.h"
#include "agent/version.h"
#include "exporters/otlp/otlp_encode.h"
#include "exporters/otlp/otlp_retry.h"

namespace sidecar::exporters::otlp {
namespace {

constexpr size_t kMaxResponseBytes = 64 * 1024;
constexpr int kPollSliceMs = 20;

uint64_t UnixNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string Gzip(const std::string& data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer, as Content-Encoding: gzip wants.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return "";
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  out.shrink_to_fit();  // deflateBound is about the input's size; the body may wait for retries
  deflateEnd(&stream);
  return rc == Z_STREAM_END ? out : "";
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  const size_t n = size * count;
  const size_t room = kMaxResponseBytes - std::min(kMaxResponseBytes, answer->body.size());
  answer->body.append(data, std::min(n, room));
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<HttpAnswer*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string head(line.substr(0, kName.size()));
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (head == kName) {
      std::string value(line.substr(kName.size()));
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
      answer->retry_after = value;
    }
  }
  return size * count;
}

std::string UserAgent() { return std::string("agent/") + kAgentVersion; }

// A GET or POST with a total timeout through the agent's own client, on the calling (worker)
// thread.
HttpAnswer PlainExchange(const http::PlainHttpUrl& url, const std::string* body,
                         const std::vector<std::string>& headers, Duration timeout,
                         const std::function<bool()>& abort) {
  http::HttpClientRequest request;
  request.method = body != nullptr ? "POST" : "GET";
  request.host = url.host;
  request.port = url.port;
  request.path = url.path;
  request.headers = headers;
  if (body != nullptr) request.body = *body;
  request.user_agent = UserAgent();
  request.abort = abort;
  HttpAnswer answer;
  Result<http::HttpClientResponse> response = http::HttpExchange(request, timeout);
  if (!response.ok()) {
    answer.error = response.status().message();
    return answer;
  }
  answer.status = response->status;
  answer.retry_after = std::string(response->Header("retry-after"));
  answer.body = std::move(response->body);
  if (answer.body.size() > kMaxResponseBytes) answer.body.resize(kMaxResponseBytes);
  return answer;
}

// The same through libcurl (https, user info, a proxy).
HttpAnswer CurlExchange(const std::string& url, const OtlpOptions& options, const std::string* body,
                        const std::vector<std::string>& headers, Duration timeout,
                        const std::function<bool()>& abort) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    answer.error = "curl_easy_init failed";
    return answer;
  }
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  const long timeout_ms = static_cast<long>(
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  const std::string user_agent = UserAgent();
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  // The proxy the config's environment names (libcurl would read the process's, the same in a
  // running agent); for https:// libcurl reads https_proxy itself.
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options.cert_file.c_str());
  }
  if (!options.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, options.key_file.c_str());
  if (!options.proxy.empty()) {
    curl_easy_setopt(curl, CURLOPT_PROXY, options.proxy.c_str());
    curl_easy_setopt(curl, CURLOPT_NOPROXY, options.no_proxy.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
  // A multi handle polled in short slices (still on this worker thread), so `abort` (a stop
  // past its deadline) cuts the exchange within a slice; the progress callback may wait 1 s.
  CURLM* multi = curl_multi_init();
  curl_multi_add_handle(multi, curl);
  CURLcode rc = CURLE_OK;
  for (int running = 1; running > 0;) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      rc = CURLE_FAILED_INIT;
      break;
    }
    if (running == 0) break;
    if (abort()) {
      rc = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, kPollSliceMs, nullptr);
  }
  for (int left = 0; CURLMsg* message = curl_multi_info_read(multi, &left);) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == curl) rc = message->data.result;
  }
  curl_multi_remove_handle(multi, curl);
  curl_multi_cleanup(multi);
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    answer.status = static_cast<int>(status);
  } else {
    answer.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return answer;
}

HttpAnswer Exchange(const std::string& url, const OtlpOptions& options, bool use_curl,
                    const std::string* body, const std::vector<std::string>& headers,
                    Duration timeout, const std::function<bool()>& abort) {
  if (use_curl) return CurlExchange(url, options, body, headers, timeout, abort);
  if (const std::optional<http::PlainHttpUrl> plain = http::ParsePlainHttpUrl(url)) {
    return PlainExchange(*plain, body, headers, timeout, abort);
  }
  HttpAnswer answer;
  answer.error = "not a plain http:// URL";  // the factory sets use_curl for every other URL
  return answer;
}

}  // namespace

OtlpExporter::OtlpExporter(QueueOptions queue, OtlpOptions options)
    : QueuedExporter(std::move(queue)),
      options_(std::move(options)),
      aggregator_(UnixNanos()),
      resource_(options_.resource) {}

OtlpExporter::~OtlpExporter() { Stop(Duration::zero()); }

void OtlpExporter::ReadEcsMetadata() {
  metadata_read_ = true;
  if (options_.ecs_metadata_uri.empty()) return;
  const std::function<bool()> abort = [this] { return stopping(); };
  const std::string url = options_.ecs_metadata_uri + "/task";
  const bool use_curl = options_.use_curl && !http::ParsePlainHttpUrl(url);
  const HttpAnswer answer =
      Exchange(url, options_, use_curl, nullptr, {}, options_.metadata_timeout, abort);
  if (answer.status != 200) {
    spdlog::warn("otlp exporter {}: ECS task metadata unavailable ({}); exporting without it",
                 name(), answer.status == 0 ? answer.error : std::to_string(answer.status));
    return;
  }
  // Configured attributes win over discovered ones.
  for (const auto& [k, v] : EcsTaskAttributes(answer.body)) resource_.try_emplace(k, v);
}

HttpAnswer OtlpExporter::Post(const std::string& body) {
  std::vector<std::string> headers = {
      options_.json ? "Content-Type: application/json" : "Content-Type: application/x-protobuf",
      "Expect:"};
  if (options_.gzip) headers.push_back("Content-Encoding: gzip");
  for (const auto& [k, v] : options_.headers) headers.push_back(k + ": " + v);
  // A stop cuts a hung exchange at its deadline, not at the full timeout.
  const std::function<bool()> abort = [this] {
    return stopping() && Clock::now() >= stop_deadline();
  };
  return Exchange(options_.url, options_, options_.use_curl, &body, headers, options_.timeout,
                  abort);
}

void OtlpExporter::Send(const ExportRequest& request) {
  const uint64_t points = request.Points();
  std::string body = options_.json ? EncodeJson(request) : EncodeProtobuf(request);
  if (options_.gzip) body = Gzip(body);
  std::string last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    const HttpAnswer answer = Post(body);
    if (answer.status >= 200 && answer.status < 300) {
      CountSent(points);
      const auto partial = options_.json ? DecodePartialSuccessJson(answer.body)
                                         : DecodePartialSuccessProtobuf(answer.body);
      if (partial) {
        // Never retried; rejected points are dropped, a message alone is a warning.
        spdlog::warn("otlp exporter {}: collector rejected {} data points: {}", name(),
                     partial->rejected_data_points, Redact(partial->error_message));
        if (partial->rejected_data_points > 0) {
          CountDropped(static_cast<uint64_t>(partial->rejected_data_points));
          CountError("partial success: " + std::to_string(partial->rejected_data_points) +
                     " rejected: " + partial->error_message);
        }
      }
      return;
    }
    last = answer.status == 0 ? answer.error : "HTTP " + std::to_string(answer.status);
    CountError("POST " + RedactUrl(options_.url) + ": " + last);
    if (!IsRetryable(answer.status) || attempt == options_.max_attempts || stopping()) break;
    Duration wait = Backoff(attempt, options_.initial_backoff, options_.max_backoff,
                            std::uniform_real_distribution<double>(0, 1)(random_));
    if (auto after = ParseRetryAfter(answer.retry_after, std::chrono::system_clock::now())) {
      wait = *after;
    }
    if (!SleepUnlessStopping(wait)) break;
  }
  CountDropped(points);
  spdlog::warn("otlp exporter {}: dropped {} data points: {}", name(), points, Redact(last));
}

bool OtlpExporter::Consume(ProbeRun& run) {
  aggregator_.Add(run);  // each run as it is decoded: the batch is never held as ProbeRuns
  return true;
}

void OtlpExporter::Deliver(std::vector<ProbeRun>& runs) {
  if (!metadata_read_) ReadEcsMetadata();
  {
    for (const ProbeRun& run : runs) aggregator_.Add(run);  // none: Consume took them
    std::vector<ProbeRun>().swap(runs);
    ExportRequest request;
    request.resource.assign(resource_.begin(), resource_.end());
    request.metrics = aggregator_.Take();
    // Points the aggregator left out (not finite) are neither sent nor dropped.
    if (!request.metrics.empty()) Send(request);
  }
  ReleaseFreedMemory();
}

void OtlpExporter::ReleaseFreedMemory() {
#if defined(__GLIBC__)
  // An export's peak (the decoded runs, the OTLP model, the encoded and gzipped body: a few
  // hundred KiB with a full queue) is allocated on this worker thread, so in its own malloc
  // arena, and freed by now. glibc keeps freed memory of a thread arena mapped (it only trims
  // a heap's top, and fragmentation keeps the top in use), so without this the agent's RSS
  // would keep the largest export ever made: 0.7-1.0 MiB measured. malloc_trim(0) returns the
  // free pages of every arena to the kernel (MADV_DONTNEED); it costs well under a millisecond,
  // and runs at most once a second (the interval may be as short as 10 ms).
  const TimePoint now = Clock::now();
  if (now - last_trim_ < std::chrono::seconds(1)) return;
  last_trim_ = now;
  malloc_trim(0);
#endif
}

}  // namespace sidecar::exporters::otlp
