// A shared library opened at its first use instead of at start-up.
//
// libcurl and libpq (with Kerberos, LDAP, GnuTLS, nghttp2, ssh2... behind them) are about 30 of
// the agent's 40 shared libraries: loading them at start-up costs every process about 6 ms and
// 4.7 MiB of mapped pages, also `agent --check` and an agent with no http or postgres probe.
// The agent is therefore not linked against them. curl_stubs.cc and pq_stubs.cc define each
// function the agent calls, with the library's own signature, as a forwarder to the real
// function, resolved the first time it is called; the headers are the packages' own.
//
// The agent calls Load() for the libraries a config needs before it runs it, so a missing
// library is one clear error at start-up (or a refused reload), never a failure mid-run.
//
// Thread-safe: Load and Symbol may be called from any thread.
#pragma once

#include <mutex>
#include <string>

#include "agent/common/status.h"

namespace sidecar::dynlib {

class LazyLibrary {
 public:
  // `soname` as the dynamic loader knows it ("libcurl.so.4"); `package` names the Debian
  // package that ships it, for the error message; `symbols` (null-terminated list) are checked
  // by Load() so that a library of the wrong version is refused at once.
  LazyLibrary(const char* soname, const char* package, const char* const* symbols);

  // Opens the library (once) and checks every listed symbol.
  Status Load();
  // The address of `name`, loading the library first if needed. A library or symbol that
  // cannot be found here is a broken installation the start-up check missed: the message goes
  // to stderr and the process aborts.
  void* Symbol(const char* name);

  const char* soname() const { return soname_; }

 private:
  const char* const soname_;
  const char* const package_;
  const char* const* const symbols_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string error_;  // set once by the first Load()
};

LazyLibrary& Curl();  // libcurl.so.4
LazyLibrary& Pq();    // libpq.so.5

// The address of `name` in `library` as a function pointer of type F (the type of the
// function being forwarded: decltype(&curl_easy_init)).
template <typename F>
F Resolve(LazyLibrary& library, const char* name) {
  return reinterpret_cast<F>(library.Symbol(name));
}

}  // namespace sidecar::dynlib
