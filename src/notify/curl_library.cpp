#include "notify/curl_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace berth {

namespace {

template <class Function>
bool resolve(void* handle, const char* name, Function& out) {
  void* symbol = ::dlsym(handle, name);
  if (symbol == nullptr) {
    return false;
  }
  // POSIX guarantees that an object pointer from dlsym converts to a function pointer.
  out = reinterpret_cast<Function>(symbol);
  return true;
}

Result<const CurlLibrary*> load() {
  static CurlLibrary library{};
  // Never closed: the process may send mail again at any time.
  void* handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return fail(Error::unavailable(std::string("libcurl.so.4 cannot be loaded: ") +
                                   (why != nullptr ? why : "unknown")));
  }
  const bool complete = resolve(handle, "curl_global_init", library.global_init) &&
                        resolve(handle, "curl_easy_init", library.easy_init) &&
                        resolve(handle, "curl_easy_cleanup", library.easy_cleanup) &&
                        resolve(handle, "curl_easy_setopt", library.easy_setopt) &&
                        resolve(handle, "curl_easy_perform", library.easy_perform) &&
                        resolve(handle, "curl_easy_getinfo", library.easy_getinfo) &&
                        resolve(handle, "curl_easy_strerror", library.easy_strerror) &&
                        resolve(handle, "curl_slist_append", library.slist_append) &&
                        resolve(handle, "curl_slist_free_all", library.slist_free_all);
  if (!complete) {
    return fail(Error::unavailable("libcurl.so.4 lacks a function berthd needs"));
  }
  // curl_global_init is not thread-safe and must run once before any easy handle exists.
  if (const CURLcode rc = library.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return fail(Error::unavailable(std::string("libcurl could not be initialised: ") +
                                   library.easy_strerror(rc)));
  }
  return &library;
}

}  // namespace

Result<const CurlLibrary*> CurlLibrary::get() {
  static std::once_flag once;
  static Result<const CurlLibrary*> loaded = fail(Error::unavailable("libcurl not loaded"));
  std::call_once(once, [] { loaded = load(); });
  return loaded;
}

}  // namespace berth
