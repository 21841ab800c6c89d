#include "agent/dynlib/lazy_library.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace sidecar::dynlib {

LazyLibrary::LazyLibrary(const char* soname, const char* package, const char* const* symbols)
    : soname_(soname), package_(package), symbols_(symbols) {}

Status LazyLibrary::Load() {
  std::call_once(once_, [this] {
    // RTLD_LOCAL: the library's symbols are reached through Symbol() only, so they can never
    // interpose on the forwarders of the same names in the executable.
    handle_ = dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) {
      const char* reason = dlerror();
      error_ = std::string("cannot load ") + soname_ + " (Debian package " + package_ +
               "): " + (reason != nullptr ? reason : "unknown error");
      return;
    }
    for (const char* const* symbol = symbols_; *symbol != nullptr; ++symbol) {
      if (dlsym(handle_, *symbol) == nullptr) {
        error_ = std::string(soname_) + " has no " + *symbol + ": the installed " + package_ +
                 " is older than the one the agent was built with";
        return;
      }
    }
  });
  return error_.empty() ? Status::Ok() : Status::Unavailable(error_);
}

void* LazyLibrary::Symbol(const char* name) {
  Status loaded = Load();
  void* address = loaded.ok() ? dlsym(handle_, name) : nullptr;
  if (address == nullptr) {
    std::fprintf(stderr, "agent: %s\n",
                 loaded.ok() ? (std::string(soname_) + " has no " + name).c_str()
                             : loaded.message().c_str());
    std::abort();
  }
  return address;
}

}  // namespace sidecar::dynlib
