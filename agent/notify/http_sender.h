// The HTTP half every notifier shares: a bounded queue of request bodies POSTed one request at a
// time on the loop's CurlMulti, with a timeout per attempt and retries with exponential backoff
// and jitter (or after Retry-After). Success is any 2xx; 429, 5xx and no answer (refused,
// timeout) are retried; any other status is final and its alerts are dropped and counted. When
// the queue is full the oldest entries are dropped and counted; Enqueue never blocks.
//
// Entries are either whole bodies (max_batch 1) or JSON values sent together as one JSON array
// of up to max_batch of them (Alertmanager's batches of 64 alerts).
//
// Errors and logs show `display_url` only and go through Redact(): a webhook URL whose path is
// the credential, a password or a routing key never reaches stats or logs.
//
// Thread-safety: loop thread only (the thread running the CurlMulti's loop and `timers`).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "agent/common/duration.h"
#include "agent/loop/curl_multi.h"
#include "agent/loop/timers.h"
#include "agent/notify/notifier.h"

namespace sidecar::notify {

struct SenderOptions {
  std::string name;                  // for logs: "slack:ops"
  std::string url;                   // may hold a secret (Slack's path): never printed
  std::string display_url;           // what logs and errors show instead
  std::vector<std::string> headers;  // "Authorization: Bearer ..." (values are secrets)
  std::string username;              // basic auth when not empty
  std::string password;
  Duration timeout = std::chrono::seconds(10);  // per attempt, connection included
  int max_attempts = 3;
  Duration initial_backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::seconds(30);  // also caps Retry-After
  size_t queue_capacity = 10000;                    // entries
  size_t max_batch = 1;  // > 1: entries are JSON values, sent as an array
  std::string ca_file;   // PEM CA bundle for https (empty: the system store)
};

// Backoff before retry `attempt` (1 = the first): initial * 2^(attempt-1), capped at `max`,
// scaled by a jitter factor in [0.5, 1.0) from `random01` in [0, 1). Pure.
Duration RetryBackoff(int attempt, Duration initial, Duration max, double random01);

// Whether an answer is worth another attempt: 0 (no answer), 429 and 5xx. Pure.
bool IsRetryableStatus(int status);

class HttpSender {
 public:
  // `timers` runs the backoff waits (the loop itself, or a fake clock in tests).
  HttpSender(CurlMulti* curl, Timers* timers, SenderOptions options);
  ~HttpSender();  // abandons the request in flight and the queue (not counted)
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  struct Entry {
    std::string body;     // a whole body, or one JSON value of a batch
    uint64_t alerts = 0;  // how many alerts it carries (for sent / dropped)
  };

  // Queues the entries (dropping the oldest past capacity) and starts sending when idle.
  void Enqueue(std::vector<Entry> entries);

  const NotifierStats& stats() const { return stats_; }
  TimePoint last_error_at() const { return last_error_at_; }
  size_t queued() const { return queue_.size(); }
  // Nothing queued, in flight or waiting to be retried.
  bool idle() const { return queue_.empty() && !busy_; }
  const SenderOptions& options() const { return options_; }

 private:
  void Pump();
  void Attempt();
  void OnDone(CURLcode code);
  void Fail(const std::string& error);
  void Finish();

  CurlMulti* curl_;
  Timers* timers_;
  const SenderOptions options_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  std::deque<Entry> queue_;
  bool overflowing_ = false;
  // The request being sent (or waiting for its retry).
  bool busy_ = false;
  std::string body_;
  uint64_t body_alerts_ = 0;
  int attempt_ = 0;
  std::string response_;
  CurlMulti::TransferId transfer_ = 0;
  TimerId retry_timer_ = 0;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  NotifierStats stats_;
  TimePoint last_error_at_{};
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace sidecar::notify
