#include "probes/http/http_probe.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "agent/common/redact.h"
#include "agent/loop/curl_multi.h"
#include "probes/http/http_metrics.h"
#include "probes/http/http_options.h"
#include "probes/http/status_page.h"

namespace sidecar::probes::http {
namespace {

struct CurlFree {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// scheme://host:port of a URL, lower-cased; empty when it does not parse.
std::string Origin(const std::string& url) {
  CURLU* handle = curl_url();
  std::string origin;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      origin = std::string(scheme) + "://" + host + ":" + port;
      for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(handle);
  return origin;
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class HttpProbe : public Probe {
 public:
  explicit HttpProbe(HttpOptions options)
      : options_(std::move(options)), easy_(curl_easy_init()), origin_(Origin(options_.url)) {
    if (!options_.status_page_url.empty()) {
      status_page_ =
          std::make_unique<StatusPage>(options_.status_page_url, &options_.extra_ca_files);
    }
  }
  ~HttpProbe() override { Cancel(); }

  void Start(const ProbeContext& ctx, Done done) override {
    if (!multi_ || multi_->loop() != ctx.loop) {
      multi_ = std::make_unique<CurlMulti>(ctx.loop);
    }
    done_ = std::move(done);
    deadline_ = ctx.deadline;
    redirects_ = 0;
    send_secrets_ = true;
    method_ = options_.method;
    phases_ = {};
    tls_version_.clear();
    loop_ = ctx.loop;
    if (status_page_) {
      status_page_->Start(multi_.get(), MillisLeft(), [this] { OnStatusPageDone(); });
    }
    StartHop(options_.url);
  }

  void Cancel() override {
    if (transfer_ != 0) {
      multi_->Cancel(transfer_);
      transfer_ = 0;
    }
    if (status_page_) status_page_->Cancel();
    if (grace_timer_ != 0) {
      loop_->CancelTimer(grace_timer_);
      grace_timer_ = 0;
    }
    pending_.reset();
    done_ = nullptr;
  }

  std::string Target() const override { return Redact(RedactUrl(options_.url)); }

 private:
  struct Phases {
    double resolve = 0, connect = 0, tls = 0, processing = 0, transfer = 0;
  };

  // With tls.server_name, the request names that host (SNI, verification, Host header) while
  // the connection goes to the URL's host: CURLOPT_CONNECT_TO.
  std::string ApplyServerName(const std::string& url) {
    connect_to_.reset();
    const std::string& name = options_.tls.server_name;
    if (name.empty()) return url;
    CURLU* handle = curl_url();
    std::string out = url;
    char* host = nullptr;
    char* port = nullptr;
    char* rewritten = nullptr;
    if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        Lower(host) != Lower(name) && Origin(url) == origin_ &&
        curl_url_set(handle, CURLUPART_HOST, name.c_str(), 0) == CURLUE_OK &&
        curl_url_set(handle, CURLUPART_PORT, port, 0) == CURLUE_OK &&
        curl_url_get(handle, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
      out = rewritten;
      const std::string entry = name + ":" + port + ":" + host + ":" + port;
      connect_to_.reset(curl_slist_append(nullptr, entry.c_str()));
    }
    curl_free(host);
    curl_free(port);
    curl_free(rewritten);
    curl_url_cleanup(handle);
    return out;
  }

  void StartHop(const std::string& url) {
    CURL* easy = easy_.get();
    curl_easy_reset(easy);
    body_.clear();
    headers_.clear();
    body_too_large_ = false;
    error_[0] = '\0';
    tls_read_ = false;
    request_url_ = ApplyServerName(url);
    curl_easy_setopt(easy, CURLOPT_URL, request_url_.c_str());
    if (connect_to_) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_.get());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    const long timeout_ms = std::max<long>(1, static_cast<long>(left.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_IPRESOLVE,
                     options_.ip == IpPreference::kIpv4   ? CURL_IPRESOLVE_V4
                     : options_.ip == IpPreference::kIpv6 ? CURL_IPRESOLVE_V6
                                                          : CURL_IPRESOLVE_WHATEVER);
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_body_size));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpProbe::OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpProbe::OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
    if (method_ == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method_ != "GET") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method_.c_str());
    }
    if (!options_.body.empty() && method_ != "GET" && method_ != "HEAD") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(options_.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, options_.body.c_str());
    }
    SetTlsOptions(easy);
    curl_slist* list = nullptr;
    bool has_user_agent = false;
    for (const HttpHeader& header : options_.headers) {
      if (header.secret && !send_secrets_) {
        continue;
      }
      if (!send_secrets_ && IsSensitiveHeader(header.name)) {
        continue;
      }
      has_user_agent |= Lower(header.name) == "user-agent";
      list = curl_slist_append(list, (header.name + ": " + header.value).c_str());
    }
    if (!has_user_agent) {
      curl_easy_setopt(easy, CURLOPT_USERAGENT, "sidecar-agent");
    }
    header_list_.reset(list);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    url_ = url;
    transfer_ = multi_->Submit(easy, [this](CURLcode code) {
      transfer_ = 0;
      OnDone(code);
    });
    if (transfer_ == 0) {
      Finish(ProbeResult::Failed("protocol", "http: cannot start the transfer"));
    }
  }

  void SetTlsOptions(CURL* easy) {
    const TlsOptions& tls = options_.tls;
    curl_easy_setopt(easy, CURLOPT_SSLVERSION,
                     tls.tls13_only ? CURL_SSLVERSION_TLSv1_3 : CURL_SSLVERSION_TLSv1_2);
    if (tls.insecure_skip_verify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    // Debian's libcurl also has a default CA directory, and libcurl keeps its parsed CA store
    // only when no directory is set: without this, every new connection parses the bundle
    // again. The bundle holds the same certificates as the directory.
    curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    if (!tls.ca_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
    }
    if (!options_.extra_ca_files.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &AddCaFiles);
      curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, &options_.extra_ca_files);
    }
    if (!tls.cert_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.cert_file.c_str());
      curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.key_file.c_str());
    }
  }

  static std::string Lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<HttpProbe*>(self_ptr);
    const size_t bytes = size * count;
    if (self->body_.size() + bytes > self->options_.max_body_size) {
      self->body_too_large_ = true;
      return 0;  // aborts the transfer: CURLE_WRITE_ERROR
    }
    self->body_.append(data, bytes);
    return bytes;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<HttpProbe*>(self_ptr);
    const size_t bytes = size * count;
    std::string line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
      self->headers_.clear();  // a new response (1xx, or the final one)
      self->ReadTlsFacts();
    } else if (auto colon = line.find(':'); colon != std::string::npos) {
      size_t start = colon + 1;
      while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
      self->headers_[Lower(line.substr(0, colon))] = line.substr(start);
    }
    return bytes;
  }

  // The TLS version and the chain's earliest notAfter, from the live connection (also a
  // reused one, which CURLINFO_CERTINFO would not report).
  void ReadTlsFacts() {
    if (tls_read_) return;
    tls_read_ = true;
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(easy_.get(), CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK ||
        info == nullptr || info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) {
      return;
    }
    SSL* ssl = static_cast<SSL*>(info->internals);
    tls_version_ = SSL_get_version(ssl);
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    std::optional<double> earliest;
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
      std::tm tm{};
      if (ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(chain, i)), &tm) == 1) {
        const double expiry = static_cast<double>(timegm(&tm));
        if (!earliest || expiry < *earliest) earliest = expiry;
      }
    }
    if (earliest) cert_expiry_ = earliest;
  }

  void AddPhases() {
    auto get = [this](CURLINFO info) {
      curl_off_t value = 0;
      curl_easy_getinfo(easy_.get(), info, &value);
      return static_cast<double>(value) / 1e6;
    };
    const double lookup = get(CURLINFO_NAMELOOKUP_TIME_T);
    const double connect = get(CURLINFO_CONNECT_TIME_T);
    const double app = get(CURLINFO_APPCONNECT_TIME_T);
    const double pre = get(CURLINFO_PRETRANSFER_TIME_T);
    const double first = get(CURLINFO_STARTTRANSFER_TIME_T);
    const double total = get(CURLINFO_TOTAL_TIME_T);
    phases_.resolve += lookup;
    phases_.connect += std::max(0.0, connect - lookup);
    phases_.tls += app > 0 ? std::max(0.0, app - connect) : 0;
    phases_.processing += first > 0 ? std::max(0.0, first - pre) : 0;
    phases_.transfer += first > 0 ? std::max(0.0, total - first) : 0;
  }

  int OsErrno() {
    long os_errno = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_OS_ERRNO, &os_errno);
    return static_cast<int>(os_errno);
  }

  void OnDone(CURLcode code) {
    AddPhases();
    if (code != CURLE_OK) {
      Outcome outcome =
          body_too_large_
              ? Outcome{Verdict::kUnhealthy, "body_too_large",
                        "body too large: over " + std::to_string(options_.max_body_size) + " bytes"}
              : ClassifyCurlError(code, error_, OsErrno());
      ProbeResult result{outcome.verdict, outcome.reason, outcome.failure, {}};
      AddTimingSamples(result);
      Finish(std::move(result));
      return;
    }
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300 && status < 400 && options_.follow_redirects &&
        redirects_ < options_.max_redirects) {
      char* location = nullptr;
      curl_easy_getinfo(easy_.get(), CURLINFO_REDIRECT_URL, &location);
      if (location != nullptr) {
        const std::string next = location;
        ++redirects_;
        if (Origin(next) != origin_) {
          send_secrets_ = false;  // never again in this run, even if it comes back
        }
        if (status == 303 || ((status == 301 || status == 302) && method_ == "POST")) {
          method_ = "GET";
        }
        StartHop(next);
        return;
      }
    }
    Finish(Evaluate(static_cast<int>(status)));
  }

  ProbeResult Evaluate(int status) {
    ProbeResult result = ProbeResult::Healthy();
    if (!StatusMatches(options_.valid_status, status)) {
      Outcome outcome = ClassifyStatus(status, headers_, ErrorTypeFromBody(body_));
      result = ProbeResult{outcome.verdict, outcome.reason, outcome.failure, {}};
    } else if (!options_.body_contains.empty() &&
               body_.find(options_.body_contains) == std::string::npos) {
      result = ProbeResult::Failed("body", "body does not contain the expected text");
    } else if (options_.body_regex && !RE2::PartialMatch(body_, *options_.body_regex)) {
      result = ProbeResult::Failed("body", "body does not match body_regex");
    } else if (!options_.json_checks.empty()) {
      result = CheckJson();
    }
    result.samples.push_back({&kHttpStatusCode, {}, static_cast<double>(status)});
    curl_off_t length = -1;
    curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    result.samples.push_back(
        {&kHttpContentLength, {}, static_cast<double>(length >= 0 ? length : body_.size())});
    long version = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_HTTP_VERSION, &version);
    const double http_version = version == CURL_HTTP_VERSION_2_0   ? 2.0
                                : version == CURL_HTTP_VERSION_3   ? 3.0
                                : version == CURL_HTTP_VERSION_1_0 ? 1.0
                                                                   : 1.1;
    result.samples.push_back({&kHttpVersion, {}, http_version});
    AddTimingSamples(result);
    AddRateLimitSamples(result);
    return result;
  }

  ProbeResult CheckJson() {
    auto json = nlohmann::json::parse(body_, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
      return ProbeResult::Failed("body", "body is not JSON");
    }
    for (const JsonCheck& check : options_.json_checks) {
      nlohmann::json::json_pointer pointer;
      try {
        pointer = nlohmann::json::json_pointer(check.pointer);
      } catch (const nlohmann::json::exception&) {
        return ProbeResult::Failed("body", "invalid JSON pointer " + check.pointer);
      }
      if (!json.contains(pointer)) {
        return ProbeResult::Failed("body", "JSON field " + check.pointer + " is missing");
      }
      if (check.equals) {
        const auto& value = json.at(pointer);
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        if (text != *check.equals) {
          return ProbeResult::Failed(
              "body", "JSON field " + check.pointer + " is not '" + *check.equals + "'");
        }
      }
    }
    return ProbeResult::Healthy();
  }

  void AddTimingSamples(ProbeResult& result) {
    const std::pair<const char*, double> phases[] = {{"resolve", phases_.resolve},
                                                     {"connect", phases_.connect},
                                                     {"tls", phases_.tls},
                                                     {"processing", phases_.processing},
                                                     {"transfer", phases_.transfer}};
    for (const auto& [phase, seconds] : phases) {
      result.samples.push_back({&kHttpDurationSeconds, {{"phase", phase}}, seconds});
    }
    result.samples.push_back({&kHttpRedirects, {}, static_cast<double>(redirects_)});
    const bool ssl = url_.rfind("https://", 0) == 0;
    result.samples.push_back({&kHttpSsl, {}, ssl ? 1.0 : 0.0});
    if (ssl && cert_expiry_) {
      result.samples.push_back({&kSslEarliestCertExpiry, {}, *cert_expiry_});
    }
    if (ssl && !tls_version_.empty()) {
      std::string version = tls_version_;  // "TLSv1.3" -> "TLS 1.3", as blackbox_exporter
      if (version.rfind("TLSv", 0) == 0) version = "TLS " + version.substr(4);
      result.samples.push_back({&kTlsVersionInfo, {{"version", version}}, 1.0});
    }
    result.reason = Redact(result.reason);
  }

  void AddRateLimitSamples(ProbeResult& result) {
    std::vector<RateLimit> limits = ParseRateLimits(headers_, UnixNow());
    if (options_.github_quota_body) {
      for (RateLimit& from_body : ParseGithubRateLimitBody(body_)) {
        std::erase_if(limits, [&](const RateLimit& l) { return l.kind == from_body.kind; });
        limits.push_back(std::move(from_body));
      }
    }
    for (const RateLimit& limit : limits) {
      const Labels labels{{"kind", limit.kind}};
      if (limit.remaining)
        result.samples.push_back({&kRateLimitRemaining, labels, *limit.remaining});
      if (limit.limit) result.samples.push_back({&kRateLimitLimit, labels, *limit.limit});
      if (limit.reset_unix_seconds) {
        result.samples.push_back({&kRateLimitReset, labels, *limit.reset_unix_seconds});
      }
    }
  }

  long MillisLeft() const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    return std::max<long>(1, static_cast<long>(left.count()));
  }

  // The status page may still be on its way: wait for it a little, never past the deadline.
  void Finish(ProbeResult result) {
    transfer_ = 0;
    if (status_page_ && status_page_->in_flight()) {
      pending_ = std::move(result);
      const long wait_ms = std::min<long>(500, MillisLeft());
      grace_timer_ = loop_->AddTimer(std::chrono::milliseconds(wait_ms), [this] {
        grace_timer_ = 0;
        status_page_->Cancel();
        DeliverPending();
      });
      return;
    }
    Deliver(std::move(result));
  }

  void OnStatusPageDone() {
    if (!pending_) return;  // the probe's own request is still running
    if (grace_timer_ != 0) {
      loop_->CancelTimer(grace_timer_);
      grace_timer_ = 0;
    }
    DeliverPending();
  }

  void DeliverPending() {
    ProbeResult result = std::move(*pending_);
    pending_.reset();
    Deliver(std::move(result));
  }

  void Deliver(ProbeResult result) {
    if (status_page_ && !status_page_->indicator().empty()) {
      const std::string& indicator = status_page_->indicator();
      result.samples.push_back({&kStatusPageIndicator, {}, IndicatorValue(indicator)});
      if (result.verdict != Verdict::kHealthy && indicator != "none") {
        result.reason += " (provider status page: " + indicator + ")";
      }
    }
    Done done = std::move(done_);
    done_ = nullptr;
    if (done) {
      done(std::move(result));
    }
  }

  const HttpOptions options_;
  std::unique_ptr<CURL, CurlFree> easy_;
  const std::string origin_;
  std::unique_ptr<CurlMulti> multi_;
  std::unique_ptr<curl_slist, SlistFree> header_list_;
  std::unique_ptr<curl_slist, SlistFree> connect_to_;
  std::string request_url_;
  CurlMulti::TransferId transfer_ = 0;
  Done done_;
  TimePoint deadline_;
  std::string url_;
  std::string method_;
  int redirects_ = 0;
  bool send_secrets_ = true;
  std::string body_;
  Headers headers_;
  bool body_too_large_ = false;
  bool tls_read_ = false;
  std::string tls_version_;
  std::optional<double> cert_expiry_;
  Phases phases_;
  EventLoop* loop_ = nullptr;
  std::unique_ptr<StatusPage> status_page_;  // after multi_: destroyed before it
  std::optional<ProbeResult> pending_;       // the result, waiting for the status page
  TimerId grace_timer_ = 0;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace

ProbePtr CreateHttpProbe(config::ConfigNode& node) {
  auto options = ReadHttpOptions(node);
  if (!options) {
    return nullptr;
  }
  return std::make_unique<HttpProbe>(std::move(*options));
}

}  // namespace sidecar::probes::http
