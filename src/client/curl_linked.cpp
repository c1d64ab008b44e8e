// CurlApi for programs that link libcurl (the berth CLI).
#include <mutex>

#include "client/curl_api.hpp"

namespace berth::client {

Result<const CurlApi*> CurlApi::get() {
  static const CurlApi api{.global_init = &curl_global_init,
                           .easy_init = &curl_easy_init,
                           .easy_cleanup = &curl_easy_cleanup,
                           .easy_setopt = &curl_easy_setopt,
                           .easy_perform = &curl_easy_perform,
                           .easy_getinfo = &curl_easy_getinfo,
                           .easy_strerror = &curl_easy_strerror,
                           .slist_append = &curl_slist_append,
                           .slist_free_all = &curl_slist_free_all};
  // curl_global_init is not thread-safe and must run once before any easy handle exists.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return &api;
}

}  // namespace berth::client
