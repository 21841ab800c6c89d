// A small HTTP/1.1 server over TLS (or plain TCP) on a thread, for the http and tcp probe
// tests: it stands in for the providers' APIs (status codes, headers, error bodies) and for
// misbehaving peers (a tarpit, a slow drip, a huge body). Certificates are made in-process and
// signed by the throwaway CA that tests/scripts/servers.sh exports (AGENT_TEST_TLS_CA and
// AGENT_TEST_TLS_CA_KEY): valid for localhost and 127.0.0.1, expired, or for another name.
//
// Thread-safety: the handler runs on the server's connection threads; requests() and the
// counters may be read from any thread. The destructor stops and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sidecar::testing {

struct TestRequest {
  std::string method;
  std::string target;                          // "/v1/models?limit=1"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct TestResponse {
  enum class Mode {
    kNormal,  // status, headers, body with Content-Length
    kTarpit,  // accept and never answer (not even the TLS handshake)
    kDrip,    // headers, then one body byte per drip_interval
    kHuge,    // huge_bytes of body, with Content-Length unless chunked
  };
  Mode mode = Mode::kNormal;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  size_t huge_bytes = 0;
  bool chunked = false;
  std::chrono::milliseconds drip_interval{100};
};

class HttpsTestServer {
 public:
  enum class Cert { kValid, kExpired, kWrongHost };
  using Handler = std::function<TestResponse(const TestRequest&)>;

  // Starts listening on 127.0.0.1, port 0. Needs the CA variables (fails the test without).
  explicit HttpsTestServer(Handler handler, Cert cert = Cert::kValid, bool tls = true);
  ~HttpsTestServer();
  HttpsTestServer(const HttpsTestServer&) = delete;
  HttpsTestServer& operator=(const HttpsTestServer&) = delete;

  int port() const { return port_; }
  // "https://127.0.0.1:PORT" + path (host "localhost" for name checks).
  std::string Url(const std::string& path, const std::string& host = "127.0.0.1") const;
  // notAfter of the certificate served, Unix seconds.
  double cert_not_after() const { return not_after_; }

  // From now on the TLS handshake asks for a client certificate signed by the test CA and fails
  // without one (mutual TLS).
  void RequireClientCert();

  // Accepts TCP connections and then never reads or writes (no TLS handshake either).
  void set_silent(bool silent) { silent_ = silent; }

  std::vector<TestRequest> requests() const;
  int accepted() const { return accepted_.load(); }
  int closed() const { return closed_.load(); }  // connections the peer (or we) ended

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool Respond(void* ssl, int fd, const TestResponse& response);

  Handler handler_;
  bool tls_;
  void* ctx_ = nullptr;  // SSL_CTX
  double not_after_ = 0;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> silent_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  mutable std::mutex mutex_;
  std::vector<TestRequest> requests_;
  std::set<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// Writes a client certificate (clientAuth, signed by the test CA) and its key as PEM files in
// `dir`; returns their paths.
std::pair<std::string, std::string> WriteClientCertificate(const std::string& dir);

}  // namespace sidecar::testing
