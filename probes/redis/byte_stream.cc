#include "probes/redis/byte_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "probes/redis/tls_context.h"

namespace sidecar::probes::redis {
namespace {

using State = ByteStream::SocketState;

bool WouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int BioWrite(BIO* bio, const char* data, int size) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const ssize_t n = send(state->fd, data, static_cast<size_t>(size), MSG_NOSIGNAL);
  if (n >= 0) {
    return static_cast<int>(n);
  }
  if (WouldBlock(errno)) {
    BIO_set_retry_write(bio);
  } else {
    state->last_errno = errno;
  }
  return -1;
}

int BioRead(BIO* bio, char* buffer, int size) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const ssize_t n = recv(state->fd, buffer, static_cast<size_t>(size), 0);
  if (n > 0) {
    return static_cast<int>(n);
  }
  if (n == 0) {
    state->eof = true;
    return 0;
  }
  if (WouldBlock(errno)) {
    BIO_set_retry_read(bio);
  } else {
    state->last_errno = errno;
  }
  return -1;
}

long BioCtrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      return static_cast<State*>(BIO_get_data(bio))->eof ? 1 : 0;
    default:
      return 0;
  }
}

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// Built once; OpenSSL never frees a BIO_METHOD that is in use, and neither do we.
const BIO_METHOD* SocketBioMethod() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sidecar socket");
    BIO_meth_set_write(m, &BioWrite);
    BIO_meth_set_read(m, &BioRead);
    BIO_meth_set_ctrl(m, &BioCtrl);
    BIO_meth_set_create(m, &BioCreate);
    return m;
  }();
  return method;
}

bool IsIpAddress(const std::string& name) {
  in6_addr v6{};
  in_addr v4{};
  return inet_pton(AF_INET, name.c_str(), &v4) == 1 || inet_pton(AF_INET6, name.c_str(), &v6) == 1;
}

}  // namespace

std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

Result<int> StartTcpConnect(const Address& address) {
  const int fd = socket(address.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    return Status::Unavailable(ErrnoText(errno));
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
      errno != EINPROGRESS) {
    const int error = errno;
    close(fd);
    return Status::Unavailable(ErrnoText(error));
  }
  return fd;
}

Status FinishTcpConnect(int fd) {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
    error = errno;
  }
  return error == 0 ? Status::Ok() : Status::Unavailable(ErrnoText(error));
}

ByteStream::ByteStream(int fd) : fd_(fd) { socket_.fd = fd; }

ByteStream::~ByteStream() {
  if (ssl_ != nullptr) {
    // No SSL_shutdown: it would write (maybe block on a full buffer) to a peer we abandon.
    SSL_free(ssl_);
  }
  close(fd_);
}

Status ByteStream::StartTls(SSL_CTX* ctx, const std::string& server_name, bool verify) {
  ERR_clear_error();
  ssl_ = SSL_new(ctx);
  BIO* bio = ssl_ == nullptr ? nullptr : BIO_new(SocketBioMethod());
  if (bio == nullptr) {
    return Status::Internal("cannot create a TLS session: " + TakeOpenSslError("out of memory"));
  }
  BIO_set_data(bio, &socket_);
  SSL_set_bio(ssl_, bio, bio);
  const bool ip = IsIpAddress(server_name);
  // RFC 6066: SNI carries host names only, never addresses.
  if (!ip && SSL_set_tlsext_host_name(ssl_, server_name.c_str()) != 1) {
    return Status::Internal("cannot set SNI: " + TakeOpenSslError("unknown error"));
  }
  if (verify) {
    int ok = 0;
    if (ip) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str());
    } else {
      SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = SSL_set1_host(ssl_, server_name.c_str());
    }
    if (ok != 1) {
      return Status::Internal("cannot set the name to verify: " +
                              TakeOpenSslError("unknown error"));
    }
  } else {
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
  }
  SSL_set_connect_state(ssl_);
  return Status::Ok();
}

IoOutcome ByteStream::Handshake() {
  ERR_clear_error();
  socket_.last_errno = 0;
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    return IoOutcome{IoOutcome::Kind::kDone, 0, "", false};
  }
  return TlsOutcome(rc, /*handshaking=*/true);
}

IoOutcome ByteStream::Read(char* buffer, size_t size) {
  if (ssl_ != nullptr) {
    ERR_clear_error();
    socket_.last_errno = 0;
    size_t read = 0;
    const int rc = SSL_read_ex(ssl_, buffer, size, &read);
    if (rc == 1) {
      return IoOutcome{IoOutcome::Kind::kDone, read, "", false};
    }
    return TlsOutcome(rc, /*handshaking=*/false);
  }
  const ssize_t n = recv(fd_, buffer, size, 0);
  if (n > 0) {
    return IoOutcome{IoOutcome::Kind::kDone, static_cast<size_t>(n), "", false};
  }
  if (n == 0) {
    return IoOutcome{IoOutcome::Kind::kClosed, 0, "", false};
  }
  if (WouldBlock(errno)) {
    return IoOutcome{IoOutcome::Kind::kWantRead, 0, "", false};
  }
  return IoOutcome{IoOutcome::Kind::kError, 0, ErrnoText(errno), false};
}

IoOutcome ByteStream::Write(const char* data, size_t size) {
  if (ssl_ != nullptr) {
    ERR_clear_error();
    socket_.last_errno = 0;
    size_t written = 0;
    const int rc = SSL_write_ex(ssl_, data, size, &written);
    if (rc == 1) {
      return IoOutcome{IoOutcome::Kind::kDone, written, "", false};
    }
    return TlsOutcome(rc, /*handshaking=*/false);
  }
  const ssize_t n = send(fd_, data, size, MSG_NOSIGNAL);
  if (n >= 0) {
    return IoOutcome{IoOutcome::Kind::kDone, static_cast<size_t>(n), "", false};
  }
  if (WouldBlock(errno)) {
    return IoOutcome{IoOutcome::Kind::kWantWrite, 0, "", false};
  }
  return IoOutcome{IoOutcome::Kind::kError, 0, ErrnoText(errno), false};
}

IoOutcome ByteStream::TlsOutcome(int rc, bool handshaking) {
  using Kind = IoOutcome::Kind;
  const int error = SSL_get_error(ssl_, rc);
  if (error == SSL_ERROR_WANT_READ) return IoOutcome{Kind::kWantRead, 0, "", false};
  if (error == SSL_ERROR_WANT_WRITE) return IoOutcome{Kind::kWantWrite, 0, "", false};
  const char* stage = handshaking ? "handshake failed: " : "";
  if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && socket_.last_errno == 0)) {
    ERR_clear_error();
    if (handshaking) {
      return IoOutcome{Kind::kError, 0, "handshake failed: connection closed by server", true};
    }
    return IoOutcome{Kind::kClosed, 0, "", false};
  }
  if (error == SSL_ERROR_SYSCALL) {
    ERR_clear_error();
    return IoOutcome{Kind::kError, 0, stage + ErrnoText(socket_.last_errno), handshaking};
  }
  if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    ERR_clear_error();
    const long result = SSL_get_verify_result(ssl_);
    return IoOutcome{
        Kind::kError, 0,
        std::string("certificate verify failed: ") + X509_verify_cert_error_string(result), true};
  }
  return IoOutcome{Kind::kError, 0, stage + TakeOpenSslError("unknown TLS error"), true};
}

}  // namespace sidecar::probes::redis
