// The provider's public status page (Atlassian Statuspage /api/v2/status.json), fetched beside
// the http probe's own request so that an operator can tell "our egress is broken" from "the
// provider is down". Never decides the verdict; it labels it. Known pages: claude
// (status.claude.com) and github (www.githubstatus.com); any other Statuspage URL by config.
//
// Threading: loop thread only, on the probe's CurlMulti.
#pragma once

#include <curl/curl.h>
#include <openssl/x509.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/loop/curl_multi.h"
#include "probes/probe.h"

namespace sidecar::probes::http {

// Value: 0 none, 1 minor (and the undocumented "maintenance"), 2 major, 3 critical, -1 any
// other indicator.
inline constexpr MetricDef kStatusPageIndicator{
    "probe_api_status_page_indicator",
    "Indicator of the provider's public status page: 0 none, 1 minor, 2 major, 3 critical, "
    "-1 unknown."};

// The certificates and CRLs of one PEM file ($SSL_CERT_FILE), parsed once.
struct ParsedCaFile {
  ParsedCaFile() = default;
  ParsedCaFile(const ParsedCaFile&) = delete;
  ParsedCaFile& operator=(const ParsedCaFile&) = delete;
  ~ParsedCaFile();
  std::vector<X509*> certs;
  std::vector<X509_CRL*> crls;
};

// A process-wide cache of parsed CA files, so that a new connection does not parse the whole
// system bundle again (about 30 ms of CPU for 144 certificates). A file is parsed again when
// stat() says it changed (inode, size or mtime). Thread-safe (a mutex guards the cache); the
// returned object is immutable.
struct ParsedCaFiles {
  static std::shared_ptr<const ParsedCaFile> Get(const std::string& path);
};

// CURLOPT_SSL_CTX_FUNCTION adding the PEM files of a std::vector<std::string> (the data) to the
// trusted CAs, from ParsedCaFiles; shared with the http probe. Use it with libcurl's CA store
// cache on: the first connection of a CurlMulti adds the certificates to the cached store, and
// later ones find them there (adding a certificate twice is a no-op).
CURLcode AddCaFiles(CURL* easy, void* ssl_ctx, void* files);

// The status page of a preset, or empty when the provider has no Statuspage API.
std::string PresetStatusPage(const std::string& preset);

// {"status":{"indicator":"major",...}} -> "major"; empty when it is not such a document.
std::string ParseStatusIndicator(const std::string& body);
double IndicatorValue(const std::string& indicator);

class StatusPage {
 public:
  // `extra_ca_files` ($SSL_CERT_FILE) must outlive this object.
  StatusPage(std::string url, const std::vector<std::string>* extra_ca_files);
  ~StatusPage();
  StatusPage(const StatusPage&) = delete;
  StatusPage& operator=(const StatusPage&) = delete;

  // Starts a fetch (none if one is in flight); `done` runs when it ends, unless cancelled.
  void Start(CurlMulti* multi, long timeout_ms, std::function<void()> done);
  void Cancel();
  bool in_flight() const { return transfer_ != 0; }

  // The indicator of the last successful fetch ("none", "major", ...); empty before one.
  const std::string& indicator() const { return indicator_; }

 private:
  static size_t OnBody(char* data, size_t size, size_t count, void* self);

  const std::string url_;
  const std::vector<std::string>* extra_ca_files_;
  CURL* easy_;
  CurlMulti* multi_ = nullptr;
  CurlMulti::TransferId transfer_ = 0;
  std::string body_;
  std::string indicator_;
};

}  // namespace sidecar::probes::http
