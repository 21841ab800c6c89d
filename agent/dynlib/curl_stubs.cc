// The libcurl functions the agent calls, forwarded to libcurl.so.4 opened at first use
// (lazy_library.h). Each keeps the exact declaration of <curl/curl.h>, so a mismatch does not
// compile; a function missing here does not link.
//
// The variadic setters pass their one argument on with its real type, which libcurl derives
// from the option number the same way: CURLOPTTYPE_LONG, _OBJECTPOINT, _FUNCTIONPOINT, _OFF_T,
// _BLOB are consecutive ranges of 10000.
#include <curl/curl.h>

#include <cstdarg>

#include "agent/dynlib/lazy_library.h"

namespace sidecar::dynlib {
namespace {

constexpr const char* kSymbols[] = {"curl_global_init",
                                    "curl_free",
                                    "curl_slist_append",
                                    "curl_slist_free_all",
                                    "curl_easy_init",
                                    "curl_easy_setopt",
                                    "curl_easy_getinfo",
                                    "curl_easy_perform",
                                    "curl_easy_reset",
                                    "curl_easy_cleanup",
                                    "curl_easy_strerror",
                                    "curl_multi_init",
                                    "curl_multi_setopt",
                                    "curl_multi_add_handle",
                                    "curl_multi_remove_handle",
                                    "curl_multi_socket_action",
                                    "curl_multi_perform",
                                    "curl_multi_poll",
                                    "curl_multi_info_read",
                                    "curl_multi_cleanup",
                                    "curl_share_init",
                                    "curl_share_setopt",
                                    "curl_share_cleanup",
                                    "curl_url",
                                    "curl_url_set",
                                    "curl_url_get",
                                    "curl_url_cleanup",
                                    nullptr};

// Calls `real(handle, option, <the next variadic argument, read with the type of `option`>)`.
template <typename F, typename Handle, typename Option>
auto ForwardOption(F real, Handle* handle, Option option, va_list args) {
  const long range = static_cast<long>(option);
  if (range < CURLOPTTYPE_OBJECTPOINT) return real(handle, option, va_arg(args, long));
  if (range < CURLOPTTYPE_FUNCTIONPOINT) return real(handle, option, va_arg(args, void*));
  if (range < CURLOPTTYPE_OFF_T) return real(handle, option, va_arg(args, void (*)()));
  if (range < CURLOPTTYPE_BLOB) return real(handle, option, va_arg(args, curl_off_t));
  return real(handle, option, va_arg(args, void*));  // struct curl_blob*
}

}  // namespace

LazyLibrary& Curl() {
  static LazyLibrary library("libcurl.so.4", "libcurl4", kSymbols);
  return library;
}

}  // namespace sidecar::dynlib

using sidecar::dynlib::Curl;
using sidecar::dynlib::ForwardOption;
using sidecar::dynlib::Resolve;

extern "C" {

CURLcode curl_global_init(long flags) {
  static const auto real = Resolve<decltype(&curl_global_init)>(Curl(), "curl_global_init");
  return real(flags);
}

void curl_free(void* p) {
  static const auto real = Resolve<decltype(&curl_free)>(Curl(), "curl_free");
  real(p);
}

curl_slist* curl_slist_append(curl_slist* list, const char* data) {
  static const auto real = Resolve<decltype(&curl_slist_append)>(Curl(), "curl_slist_append");
  return real(list, data);
}

void curl_slist_free_all(curl_slist* list) {
  static const auto real = Resolve<decltype(&curl_slist_free_all)>(Curl(), "curl_slist_free_all");
  real(list);
}

CURL* curl_easy_init() {
  static const auto real = Resolve<decltype(&curl_easy_init)>(Curl(), "curl_easy_init");
  return real();
}

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  static const auto real = Resolve<decltype(&curl_easy_setopt)>(Curl(), "curl_easy_setopt");
  va_list args;
  va_start(args, option);
  const CURLcode result = ForwardOption(real, curl, option, args);
  va_end(args);
  return result;
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  static const auto real = Resolve<decltype(&curl_easy_getinfo)>(Curl(), "curl_easy_getinfo");
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);  // every CURLINFO takes a pointer to where the answer goes
  va_end(args);
  return real(curl, info, out);
}

CURLcode curl_easy_perform(CURL* curl) {
  static const auto real = Resolve<decltype(&curl_easy_perform)>(Curl(), "curl_easy_perform");
  return real(curl);
}

void curl_easy_reset(CURL* curl) {
  static const auto real = Resolve<decltype(&curl_easy_reset)>(Curl(), "curl_easy_reset");
  real(curl);
}

void curl_easy_cleanup(CURL* curl) {
  static const auto real = Resolve<decltype(&curl_easy_cleanup)>(Curl(), "curl_easy_cleanup");
  real(curl);
}

const char* curl_easy_strerror(CURLcode code) {
  static const auto real = Resolve<decltype(&curl_easy_strerror)>(Curl(), "curl_easy_strerror");
  return real(code);
}

CURLM* curl_multi_init() {
  static const auto real = Resolve<decltype(&curl_multi_init)>(Curl(), "curl_multi_init");
  return real();
}

CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  static const auto real = Resolve<decltype(&curl_multi_setopt)>(Curl(), "curl_multi_setopt");
  va_list args;
  va_start(args, option);
  const CURLMcode result = ForwardOption(real, multi, option, args);
  va_end(args);
  return result;
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* curl) {
  static const auto real =
      Resolve<decltype(&curl_multi_add_handle)>(Curl(), "curl_multi_add_handle");
  return real(multi, curl);
}

CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* curl) {
  static const auto real =
      Resolve<decltype(&curl_multi_remove_handle)>(Curl(), "curl_multi_remove_handle");
  return real(multi, curl);
}

CURLMcode curl_multi_socket_action(CURLM* multi, curl_socket_t s, int ev_bitmask,
                                   int* running_handles) {
  static const auto real =
      Resolve<decltype(&curl_multi_socket_action)>(Curl(), "curl_multi_socket_action");
  return real(multi, s, ev_bitmask, running_handles);
}

CURLMcode curl_multi_perform(CURLM* multi, int* running_handles) {
  static const auto real = Resolve<decltype(&curl_multi_perform)>(Curl(), "curl_multi_perform");
  return real(multi, running_handles);
}

CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra_fds[], unsigned int extra_nfds,
                          int timeout_ms, int* ret) {
  static const auto real = Resolve<decltype(&curl_multi_poll)>(Curl(), "curl_multi_poll");
  return real(multi, extra_fds, extra_nfds, timeout_ms, ret);
}

CURLMsg* curl_multi_info_read(CURLM* multi, int* msgs_in_queue) {
  static const auto real = Resolve<decltype(&curl_multi_info_read)>(Curl(), "curl_multi_info_read");
  return real(multi, msgs_in_queue);
}

CURLMcode curl_multi_cleanup(CURLM* multi) {
  static const auto real = Resolve<decltype(&curl_multi_cleanup)>(Curl(), "curl_multi_cleanup");
  return real(multi);
}

CURLSH* curl_share_init() {
  static const auto real = Resolve<decltype(&curl_share_init)>(Curl(), "curl_share_init");
  return real();
}

CURLSHcode curl_share_setopt(CURLSH* share, CURLSHoption option, ...) {
  static const auto real = Resolve<decltype(&curl_share_setopt)>(Curl(), "curl_share_setopt");
  // CURLSHOPT_SHARE/UNSHARE take a long (the kind of data), the lock callbacks a function
  // pointer, USERDATA a pointer.
  va_list args;
  va_start(args, option);
  CURLSHcode result;
  if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE) {
    result = real(share, option, va_arg(args, long));
  } else if (option == CURLSHOPT_LOCKFUNC || option == CURLSHOPT_UNLOCKFUNC) {
    result = real(share, option, va_arg(args, void (*)()));
  } else {
    result = real(share, option, va_arg(args, void*));
  }
  va_end(args);
  return result;
}

CURLSHcode curl_share_cleanup(CURLSH* share) {
  static const auto real = Resolve<decltype(&curl_share_cleanup)>(Curl(), "curl_share_cleanup");
  return real(share);
}

CURLU* curl_url() {
  static const auto real = Resolve<decltype(&curl_url)>(Curl(), "curl_url");
  return real();
}

CURLUcode curl_url_set(CURLU* url, CURLUPart what, const char* part, unsigned int flags) {
  static const auto real = Resolve<decltype(&curl_url_set)>(Curl(), "curl_url_set");
  return real(url, what, part, flags);
}

CURLUcode curl_url_get(CURLU* url, CURLUPart what, char** part, unsigned int flags) {
  static const auto real = Resolve<decltype(&curl_url_get)>(Curl(), "curl_url_get");
  return real(url, what, part, flags);
}

void curl_url_cleanup(CURLU* url) {
  static const auto real = Resolve<decltype(&curl_url_cleanup)>(Curl(), "curl_url_cleanup");
  real(url);
}

}  // extern "C"
