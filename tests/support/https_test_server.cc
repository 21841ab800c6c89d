#include "tests/support/https_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>

#include "tests/support/test_env.h"

namespace sidecar::testing {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

X509Ptr ReadCert(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  REQUIRE(file != nullptr);
  X509Ptr cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  REQUIRE(cert != nullptr);
  return cert;
}

KeyPtr ReadKey(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  REQUIRE(file != nullptr);
  KeyPtr key(PEM_read_PrivateKey(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  REQUIRE(key != nullptr);
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext != nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A leaf certificate signed by the test CA; returns its notAfter.
struct Leaf {
  X509Ptr cert;
  KeyPtr key;
  double not_after = 0;
};

// A P-256 leaf signed by the test CA: for a server (serverAuth, the names of `kind`) or, with
// `client`, for mutual TLS (clientAuth).
Leaf MakeSigned(HttpsTestServer::Cert kind, bool client) {
  X509Ptr ca = ReadCert(RequireEnv("AGENT_TEST_TLS_CA"));
  KeyPtr ca_key = ReadKey(RequireEnv("AGENT_TEST_TLS_CA_KEY"));
  Leaf leaf{X509Ptr(X509_new()), KeyPtr(EVP_EC_gen("P-256"))};
  REQUIRE(leaf.key != nullptr);
  X509* cert = leaf.cert.get();
  X509_set_version(cert, 2);
  static std::atomic<long> serial{1000};
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  const time_t now = std::time(nullptr);
  long not_before = -3600;
  long not_after = 10L * 86400;
  if (kind == HttpsTestServer::Cert::kExpired) {
    not_before = -10L * 86400;
    not_after = -86400;
  }
  X509_gmtime_adj(X509_getm_notBefore(cert), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert), not_after);
  X509_NAME* name = X509_get_subject_name(cert);
  const char* common_name = client ? "agent test client" : "agent test server";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(ca.get()));
  X509_set_pubkey(cert, leaf.key.get());
  AddExtension(cert, ca.get(), NID_subject_alt_name,
               kind == HttpsTestServer::Cert::kWrongHost ? "DNS:wrong.example.test"
                                                         : "DNS:localhost,IP:127.0.0.1");
  AddExtension(cert, ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert, ca.get(), NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
  REQUIRE(X509_sign(cert, ca_key.get(), EVP_sha256()) > 0);
  leaf.not_after = static_cast<double>(now + not_after);
  return leaf;
}

double MakeLeaf(HttpsTestServer::Cert kind, SSL_CTX* ctx) {
  Leaf leaf = MakeSigned(kind, /*client=*/false);
  REQUIRE(SSL_CTX_use_certificate(ctx, leaf.cert.get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(ctx, leaf.key.get()) == 1);
  return leaf.not_after;
}

bool WriteAll(SSL* ssl, int fd, const char* data, size_t size) {
  while (size > 0) {
    const int n = ssl != nullptr
                      ? SSL_write(ssl, data, static_cast<int>(std::min<size_t>(size, 1 << 20)))
                      : static_cast<int>(::send(fd, data, size, MSG_NOSIGNAL));
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteAll(SSL* ssl, int fd, const std::string& text) {
  return WriteAll(ssl, fd, text.data(), text.size());
}

int ReadSome(SSL* ssl, int fd, char* buffer, int size) {
  return ssl != nullptr ? SSL_read(ssl, buffer, size)
                        : static_cast<int>(::recv(fd, buffer, static_cast<size_t>(size), 0));
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 307:
      return "Temporary Redirect";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 529:
      return "Overloaded";
    default:
      return "Status";
  }
}

}  // namespace

HttpsTestServer::HttpsTestServer(Handler handler, Cert cert, bool tls)
    : handler_(std::move(handler)), tls_(tls) {
  std::signal(SIGPIPE, SIG_IGN);  // SSL_write to a client that went away
  if (tls_) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    REQUIRE(ctx != nullptr);
    ctx_ = ctx;
    not_after_ = MakeLeaf(cert, ctx);
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listen_fd_ >= 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(listen_fd_, 256) == 0);
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void HttpsTestServer::RequireClientCert() {
  REQUIRE(tls_);
  auto* ctx = static_cast<SSL_CTX*>(ctx_);
  REQUIRE(SSL_CTX_load_verify_locations(ctx, RequireEnv("AGENT_TEST_TLS_CA").c_str(), nullptr) ==
          1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
}

std::pair<std::string, std::string> WriteClientCertificate(const std::string& dir) {
  Leaf leaf = MakeSigned(HttpsTestServer::Cert::kValid, /*client=*/true);
  const std::string cert_path = dir + "/client.crt";
  const std::string key_path = dir + "/client.key";
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  REQUIRE(cert_file != nullptr);
  REQUIRE(PEM_write_X509(cert_file, leaf.cert.get()) == 1);
  std::fclose(cert_file);
  FILE* key_file = std::fopen(key_path.c_str(), "w");
  REQUIRE(key_file != nullptr);
  REQUIRE(PEM_write_PrivateKey(key_file, leaf.key.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
          1);
  std::fclose(key_file);
  return {cert_path, key_path};
}

HttpsTestServer::~HttpsTestServer() {
  stopping_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& thread : threads_) thread.join();
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::string HttpsTestServer::Url(const std::string& path, const std::string& host) const {
  return std::string(tls_ ? "https" : "http") + "://" + host + ":" + std::to_string(port_) + path;
}

std::vector<TestRequest> HttpsTestServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void HttpsTestServer::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++accepted_;
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.insert(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpsTestServer::Serve(int fd) {
  SSL* ssl = nullptr;
  auto finish = [&] {
    if (ssl != nullptr) SSL_free(ssl);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_fds_.erase(fd);
    }
    ::close(fd);
    ++closed_;
  };
  if (silent_) {
    char byte;
    while (::recv(fd, &byte, 1, 0) > 0) {
    }
    return finish();
  }
  if (tls_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
      ERR_clear_error();
      return finish();
    }
  }
  std::string buffer;
  char chunk[16384];
  while (!stopping_) {
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const int n = ReadSome(ssl, fd, chunk, sizeof(chunk));
      if (n <= 0) return finish();
      buffer.append(chunk, static_cast<size_t>(n));
    }
    TestRequest request;
    const std::string head = buffer.substr(0, end);
    buffer.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t space1 = request_line.find(' ');
    const size_t space2 = request_line.rfind(' ');
    request.method = request_line.substr(0, space1);
    request.target = request_line.substr(space1 + 1, space2 - space1 - 1);
    while (line_end != std::string::npos && line_end < head.size()) {
      const size_t next = head.find("\r\n", line_end + 2);
      const std::string line = head.substr(
          line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        size_t start = colon + 1;
        while (start < line.size() && line[start] == ' ') ++start;
        request.headers[Lower(line.substr(0, colon))] = line.substr(start);
      }
      line_end = next;
    }
    size_t content_length = 0;
    if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
      content_length = std::stoul(it->second);
    }
    while (buffer.size() < content_length) {
      const int n = ReadSome(ssl, fd, chunk, sizeof(chunk));
      if (n <= 0) return finish();
      buffer.append(chunk, static_cast<size_t>(n));
    }
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    const TestResponse response = handler_(request);
    if (!Respond(ssl, fd, response)) return finish();
  }
  finish();
}

bool HttpsTestServer::Respond(void* ssl_ptr, int fd, const TestResponse& response) {
  SSL* ssl = static_cast<SSL*>(ssl_ptr);
  if (response.mode == TestResponse::Mode::kTarpit) {
    char chunk[1024];
    while (ReadSome(ssl, fd, chunk, sizeof(chunk)) > 0) {
    }
    return false;
  }
  std::string head =
      "HTTP/1.1 " + std::to_string(response.status) + " " + StatusText(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  const bool chunked = response.mode == TestResponse::Mode::kHuge && response.chunked;
  size_t length = response.body.size();
  if (response.mode == TestResponse::Mode::kHuge) length = response.huge_bytes;
  head += chunked ? "Transfer-Encoding: chunked\r\n"
                  : "Content-Length: " + std::to_string(length) + "\r\n";
  head += "\r\n";
  if (!WriteAll(ssl, fd, head)) return false;
  switch (response.mode) {
    case TestResponse::Mode::kNormal:
      return WriteAll(ssl, fd, response.body);
    case TestResponse::Mode::kDrip:
      for (size_t i = 0; i < length && !stopping_; ++i) {
        if (!WriteAll(ssl, fd, response.body.data() + i, 1)) return false;
        std::this_thread::sleep_for(response.drip_interval);
      }
      return !stopping_;
    case TestResponse::Mode::kHuge: {
      const std::string block(64 * 1024, 'x');
      for (size_t sent = 0; sent < length && !stopping_;) {
        const size_t n = std::min(block.size(), length - sent);
        if (chunked) {
          char size_line[32];
          std::snprintf(size_line, sizeof(size_line), "%zx\r\n", n);
          if (!WriteAll(ssl, fd, size_line)) return false;
        }
        if (!WriteAll(ssl, fd, block.data(), n)) return false;
        if (chunked && !WriteAll(ssl, fd, "\r\n")) return false;
        sent += n;
      }
      return !chunked || WriteAll(ssl, fd, "0\r\n\r\n");
    }
    case TestResponse::Mode::kTarpit:
      break;
  }
  return false;
}

}  // namespace sidecar::testing
