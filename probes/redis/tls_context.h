// The OpenSSL client context of a rediss:// probe: TLS 1.2 or later, the trusted CAs and an
// optional client certificate. Built once when the config is read, so an unreadable CA file is a
// config error, and shared by every run of the probe.
//
// Thread-safety: an SSL_CTX may be used by several SSL objects at once once it is set up; the
// setup functions below are for the thread that reads the config.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "agent/common/status.h"

namespace sidecar::probes::redis {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::shared_ptr<SSL_CTX>;

// A client context: TLS 1.2 minimum, peer verification on (unless `verify` is false), no
// passphrase prompts (an encrypted key fails instead of reading the terminal).
Result<SslCtxPtr> NewTlsClientContext(bool verify);

// Trusts the CAs in `ca_file` (PEM); when empty, those in $SSL_CERT_FILE when set, else the
// system's default paths. Errors name the file and what is wrong with it.
Status LoadTrustedCas(SSL_CTX* ctx, const std::string& ca_file);

// Presents `cert_file` (PEM chain) with the private key in `key_file` (PEM, unencrypted).
Status LoadClientCertificate(SSL_CTX* ctx, const std::string& cert_file,
                             const std::string& key_file);

// The reason of the oldest error in this thread's OpenSSL queue ("wrong version number"), or
// `fallback` when the queue is empty. Clears the queue.
std::string TakeOpenSslError(const std::string& fallback);

}  // namespace sidecar::probes::redis
