// A byte stream over one non-blocking TCP socket, plain or TLS, for a probe driven by the event
// loop: every call returns at once and says what to wait for (readable or writable) when it
// cannot go on. TLS goes through a socket BIO of our own that writes with MSG_NOSIGNAL, so a
// peer that closes never raises SIGPIPE. Also the non-blocking TCP connect that precedes it.
//
// Thread-compatible: one stream is used by one thread (the loop's).
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <string>

#include "agent/common/status.h"
#include "agent/loop/resolver.h"

namespace sidecar::probes::redis {

// Starts connecting a new non-blocking socket to `address`. The fd is returned while the
// connection is in progress: wait until it is writable, then call FinishTcpConnect().
Result<int> StartTcpConnect(const Address& address);
// The outcome of a connect started by StartTcpConnect, once the fd is writable.
Status FinishTcpConnect(int fd);
// "connection refused" from an errno: strerror, lower-cased first letter.
std::string ErrnoText(int error);

struct IoOutcome {
  enum class Kind { kDone, kWantRead, kWantWrite, kClosed, kError };
  Kind kind = Kind::kDone;
  size_t bytes = 0;        // kDone from Read/Write
  std::string error;       // kError: "connection reset by peer", "certificate verify failed: ..."
  bool tls_error = false;  // kError raised by the TLS layer rather than the socket
};

class ByteStream {
 public:
  // Takes ownership of the connected socket `fd`.
  explicit ByteStream(int fd);
  ~ByteStream();  // frees the TLS state and closes the socket; never blocks
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  int fd() const { return fd_; }

  // Switches the stream to TLS as a client. `server_name` is sent as SNI (unless it is an IP
  // address) and, when `verify`, checked against the certificate's names or IP addresses.
  Status StartTls(SSL_CTX* ctx, const std::string& server_name, bool verify);
  // Advances the TLS handshake; kDone when it is complete. Errors say what failed:
  // "certificate verify failed: unable to get local issuer certificate", "handshake failed: ...".
  IoOutcome Handshake();

  IoOutcome Read(char* buffer, size_t size);
  IoOutcome Write(const char* data, size_t size);

  // State of the socket BIO, shared with its callbacks.
  struct SocketState {
    int fd = -1;
    int last_errno = 0;
    bool eof = false;
  };

 private:
  IoOutcome TlsOutcome(int rc, bool handshaking);

  int fd_;
  SSL* ssl_ = nullptr;
  SocketState socket_;
};

}  // namespace sidecar::probes::redis
