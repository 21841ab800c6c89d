#include "agent/notify/http_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "agent/common/redact.h"

namespace sidecar::notify {
namespace {

constexpr size_t kMaxResponseBytes = 4096;
constexpr size_t kMaxErrorBodyChars = 200;

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<std::string*>(user);
  const size_t n = size * count;
  const size_t room = kMaxResponseBytes - std::min(kMaxResponseBytes, response->size());
  response->append(data, std::min(n, room));
  return n;
}

// The start of an error body on one line: receivers answer "invalid_payload", "no_service", a
// JSON error object.
std::string BodySnippet(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, kMaxErrorBodyChars)) {
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

long Millis(Duration d) {
  return static_cast<long>(
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

}  // namespace

Duration RetryBackoff(int attempt, Duration initial, Duration max, double random01) {
  Duration wait = initial;
  for (int i = 1; i < attempt && wait < max; ++i) wait *= 2;
  wait = std::min(wait, max);
  return std::chrono::duration_cast<Duration>(wait * (0.5 + 0.5 * random01));
}

bool IsRetryableStatus(int status) { return status == 0 || status == 429 || status >= 500; }

HttpSender::HttpSender(CurlMulti* curl, Timers* timers, SenderOptions options)
    : curl_(curl), timers_(timers), options_(std::move(options)) {
  easy_ = curl_easy_init();
  header_list_ = curl_slist_append(header_list_, "Content-Type: application/json");
  header_list_ = curl_slist_append(header_list_, "Expect:");
  for (const std::string& header : options_.headers) {
    header_list_ = curl_slist_append(header_list_, header.c_str());
  }
  curl_easy_setopt(easy_, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, Millis(options_.timeout));
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, Millis(options_.timeout));
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, "agent-notifier");
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, header_list_);
  curl_easy_setopt(easy_, CURLOPT_POST, 1L);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &response_);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  if (!options_.username.empty()) {
    curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(easy_, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(easy_, CURLOPT_PASSWORD, options_.password.c_str());
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, options_.ca_file.c_str());
}

HttpSender::~HttpSender() {
  if (transfer_ != 0) curl_->Cancel(transfer_);
  if (retry_timer_ != 0) timers_->CancelTimer(retry_timer_);
  curl_easy_cleanup(easy_);
  curl_slist_free_all(header_list_);
}

void HttpSender::Enqueue(std::vector<Entry> entries) {
  for (Entry& entry : entries) queue_.push_back(std::move(entry));
  uint64_t dropped = 0;
  while (queue_.size() > std::max<size_t>(1, options_.queue_capacity)) {
    dropped += queue_.front().alerts;
    queue_.pop_front();
  }
  if (dropped > 0) {
    stats_.dropped += dropped;
    // Once per overflow episode: a dead receiver would otherwise log on every evaluation.
    if (!overflowing_) {
      spdlog::warn("notifier {}: queue full ({} entries), dropping the oldest alerts",
                   options_.name, options_.queue_capacity);
    }
    overflowing_ = true;
  } else if (queue_.size() < options_.queue_capacity) {
    overflowing_ = false;
  }
  Pump();
}

void HttpSender::Pump() {
  if (busy_ || queue_.empty()) return;
  body_alerts_ = 0;
  if (options_.max_batch > 1) {
    body_ = "[";
    for (size_t i = 0; i < options_.max_batch && !queue_.empty(); ++i) {
      if (i > 0) body_ += ',';
      body_ += queue_.front().body;
      body_alerts_ += queue_.front().alerts;
      queue_.pop_front();
    }
    body_ += ']';
  } else {
    body_ = std::move(queue_.front().body);
    body_alerts_ = queue_.front().alerts;
    queue_.pop_front();
  }
  busy_ = true;
  attempt_ = 0;
  Attempt();
}

void HttpSender::Attempt() {
  ++attempt_;
  response_.clear();
  error_buffer_[0] = '\0';
  curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.data());
  curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
  transfer_ = curl_->Submit(easy_, [this](CURLcode code) {
    transfer_ = 0;
    OnDone(code);
  });
  if (transfer_ == 0) {
    // Only when the handle is still in a multi handle: a bug, not a down receiver.
    Fail("the transfer could not be started");
    stats_.dropped += body_alerts_;
    Finish();
  }
}

void HttpSender::Fail(const std::string& error) {
  ++stats_.errors;
  stats_.last_error = Redact("POST " + options_.display_url + ": " + error);
  last_error_at_ = timers_->Now();
}

void HttpSender::OnDone(CURLcode code) {
  long status = 0;
  if (code == CURLE_OK) curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK && status >= 200 && status < 300) {
    stats_.sent += body_alerts_;
    Finish();
    return;
  }
  std::string error;
  if (code != CURLE_OK) {
    error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  } else {
    error = "HTTP " + std::to_string(status);
    const std::string snippet = BodySnippet(response_);
    if (!snippet.empty()) error += ": " + snippet;
  }
  Fail(error);
  if (IsRetryableStatus(static_cast<int>(status)) && attempt_ < options_.max_attempts) {
    Duration wait = RetryBackoff(attempt_, options_.initial_backoff, options_.max_backoff,
                                 std::uniform_real_distribution<double>(0, 1)(random_));
    curl_off_t retry_after = 0;
    if (code == CURLE_OK &&
        curl_easy_getinfo(easy_, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after > 0) {
      wait = std::min<Duration>(std::chrono::seconds(retry_after), options_.max_backoff);
    }
    retry_timer_ = timers_->AddTimer(wait, [this] {
      retry_timer_ = 0;
      Attempt();
    });
    return;
  }
  stats_.dropped += body_alerts_;
  spdlog::warn("notifier {}: dropped {} alerts after {} attempts: {}", options_.name, body_alerts_,
               attempt_, stats_.last_error);
  Finish();
}

void HttpSender::Finish() {
  busy_ = false;
  body_.clear();
  body_alerts_ = 0;
  Pump();
}

}  // namespace sidecar::notify
