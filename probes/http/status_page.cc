#include "probes/http/status_page.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <cctype>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

namespace sidecar::probes::http {
namespace {

constexpr size_t kMaxBody = 256 * 1024;

// The identity of a file's content as far as stat() tells: a replaced or rewritten bundle has
// another inode, size or modification time.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = -1;
  timespec mtime{};
  bool operator==(const FileStamp& other) const {
    return device == other.device && inode == other.inode && size == other.size &&
           mtime.tv_sec == other.mtime.tv_sec && mtime.tv_nsec == other.mtime.tv_nsec;
  }
};

FileStamp StampOf(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return {};
  return {info.st_dev, info.st_ino, info.st_size, info.st_mtim};
}

}  // namespace

ParsedCaFile::~ParsedCaFile() {
  for (X509* cert : certs) X509_free(cert);
  for (X509_CRL* crl : crls) X509_CRL_free(crl);
}

std::shared_ptr<const ParsedCaFile> ParsedCaFiles::Get(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<FileStamp, std::shared_ptr<const ParsedCaFile>>> cache;
  const FileStamp stamp = StampOf(path);
  std::lock_guard<std::mutex> lock(mutex);
  auto& [cached_stamp, parsed] = cache[path];
  if (parsed && cached_stamp == stamp) return parsed;
  auto fresh = std::make_shared<ParsedCaFile>();
  if (BIO* bio = stamp.size >= 0 ? BIO_new_file(path.c_str(), "r") : nullptr) {
    // The same reader as X509_STORE_load_file: every certificate and CRL of a PEM file.
    STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio, nullptr, nullptr, nullptr);
    for (int i = 0; infos != nullptr && i < sk_X509_INFO_num(infos); ++i) {
      X509_INFO* info = sk_X509_INFO_value(infos, i);
      if (info->x509 != nullptr) {
        X509_up_ref(info->x509);
        fresh->certs.push_back(info->x509);
      }
      if (info->crl != nullptr) {
        X509_CRL_up_ref(info->crl);
        fresh->crls.push_back(info->crl);
      }
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    BIO_free(bio);
  }
  cached_stamp = stamp;
  parsed = std::move(fresh);
  return parsed;
}

CURLcode AddCaFiles(CURL*, void* ssl_ctx, void* files_ptr) {
  auto* files = static_cast<const std::vector<std::string>*>(files_ptr);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (const std::string& file : *files) {
    const std::shared_ptr<const ParsedCaFile> parsed = ParsedCaFiles::Get(file);
    // Adding a certificate or CRL the store already holds is a no-op (libcurl's cached store
    // keeps them from the previous connection); an unreadable file adds nothing.
    for (X509* cert : parsed->certs) X509_STORE_add_cert(store, cert);
    for (X509_CRL* crl : parsed->crls) X509_STORE_add_crl(store, crl);
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
  curl_easy_setopt(easy_, CURLOPT_CAPATH, nullptr);  // keeps libcurl's CA store cache on
  if (extra_ca_files_ != nullptr && !extra_ca_files_->empty()) {
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
