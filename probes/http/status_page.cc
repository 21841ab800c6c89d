#include "probes/http/status_page.h"

#include <openssl/ssl.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace sidecar::probes::http {
namespace {

constexpr size_t kMaxBody = 256 * 1024;

}  // namespace

CURLcode AddCaFiles(CURL*, void* ssl_ctx, void* files_ptr) {
  auto* files = static_cast<const std::vector<std::string>*>(files_ptr);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (const std::string& file : *files) {
    X509_STORE_load_file(store, file.c_str());  // an unreadable file adds nothing
  }
  return CURLE_OK;
}

std::string PresetStatusPage(const std::string& preset) {
  if (preset == "claude") return "https://status.claude.com/api/v2/status.json";
  if (preset == "github") return "https://www.githubstatus.com/api/v2/status.json";
  return "";  // OpenAI moved to incident.io, Stripe has its own format: no Statuspage API
}

std::string ParseStatusIndicator(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("status") || !json["status"].is_object()) {
    return "";
  }
  const auto& indicator = json["status"]["indicator"];
  if (!indicator.is_string()) return "";
  std::string out;
  for (char c : indicator.get<std::string>()) {
    if (out.size() < 32 && (std::isalnum(static_cast<unsigned char>(c)) || c == '_')) out += c;
  }
  return out.empty() ? "unknown" : out;
}

double IndicatorValue(const std::string& indicator) {
  if (indicator == "none") return 0;
  if (indicator == "minor" || indicator == "maintenance") return 1;
  if (indicator == "major") return 2;
  if (indicator == "critical") return 3;
  return -1;
}

StatusPage::StatusPage(std::string url, const std::vector<std::string>* extra_ca_files)
    : url_(std::move(url)), extra_ca_files_(extra_ca_files), easy_(curl_easy_init()) {}

StatusPage::~StatusPage() {
  Cancel();
  curl_easy_cleanup(easy_);
}

size_t StatusPage::OnBody(char* data, size_t size, size_t count, void* self_ptr) {
  auto* self = static_cast<StatusPage*>(self_ptr);
  const size_t bytes = size * count;
  if (self->body_.size() + bytes > kMaxBody) return 0;
  self->body_.append(data, bytes);
  return bytes;
}

void StatusPage::Start(CurlMulti* multi, long timeout_ms, std::function<void()> done) {
  if (transfer_ != 0) return;
  multi_ = multi;
  body_.clear();
  curl_easy_reset(easy_);
  curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 1L);  // no credentials are ever sent here
  curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, "sidecar-agent");
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &StatusPage::OnBody);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  if (extra_ca_files_ != nullptr && !extra_ca_files_->empty()) {
    curl_easy_setopt(easy_, CURLOPT_CA_CACHE_TIMEOUT, 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_CTX_FUNCTION, &AddCaFiles);
    curl_easy_setopt(easy_, CURLOPT_SSL_CTX_DATA, extra_ca_files_);
  }
  transfer_ = multi_->Submit(easy_, [this, done = std::move(done)](CURLcode code) {
    transfer_ = 0;
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK && status == 200) {
      const std::string indicator = ParseStatusIndicator(body_);
      if (!indicator.empty()) indicator_ = indicator;
    }
    done();
  });
}

void StatusPage::Cancel() {
  if (transfer_ != 0) {
    multi_->Cancel(transfer_);
    transfer_ = 0;
  }
}

}  // namespace sidecar::probes::http
