#include "probes/redis/tls_context.h"

#include <openssl/err.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace sidecar::probes::redis {
namespace {

// Refuses to prompt for a passphrase: the default callback would read the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

Status CheckReadable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("cannot read '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

std::string TakeOpenSslError(const std::string& fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return fallback;
  }
  const char* reason = ERR_reason_error_string(code);
  if (reason == nullptr) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    return buffer;
  }
  return reason;
}

Result<SslCtxPtr> NewTlsClientContext(bool verify) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()), SslCtxFree());
  if (!ctx) {
    return Status::Internal("cannot create a TLS context: " + TakeOpenSslError("out of memory"));
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_default_passwd_cb(ctx.get(), &NoPassphrase);
  // A peer that closes without close_notify reads as a plain end of stream.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return ctx;
}

Status LoadTrustedCas(SSL_CTX* ctx, const std::string& ca_file) {
  ERR_clear_error();
  std::string file = ca_file;
  std::string origin;
  if (file.empty()) {
    const char* env = std::getenv("SSL_CERT_FILE");
    if (env == nullptr || *env == '\0') {
      if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        return Status::InvalidArgument("cannot load the system CA certificates: " +
                                       TakeOpenSslError("unknown error"));
      }
      return Status::Ok();
    }
    file = env;
    origin = " (from SSL_CERT_FILE)";
  }
  if (Status readable = CheckReadable(file); !readable.ok()) {
    return Status::InvalidArgument(readable.message() + origin);
  }
  if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1) {
    return Status::InvalidArgument("no PEM CA certificate in '" + file + "'" + origin + ": " +
                                   TakeOpenSslError("unknown error"));
  }
  return Status::Ok();
}

Status LoadClientCertificate(SSL_CTX* ctx, const std::string& cert_file,
                             const std::string& key_file) {
  ERR_clear_error();
  SIDECAR_RETURN_IF_ERROR(CheckReadable(cert_file));
  SIDECAR_RETURN_IF_ERROR(CheckReadable(key_file));
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("no PEM certificate in '" + cert_file +
                                   "': " + TakeOpenSslError("unknown error"));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::InvalidArgument(
        "no usable PEM private key in '" + key_file +
        "' (encrypted keys are not supported): " + TakeOpenSslError("unknown error"));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("the key in '" + key_file +
                                   "' does not match the certificate "
                                   "in '" +
                                   cert_file + "'");
  }
  return Status::Ok();
}

}  // namespace sidecar::probes::redis
