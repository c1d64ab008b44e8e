#pragma once
/// The libcurl functions berth_client calls, through a table: the CLI links libcurl outright
/// (curl_linked.cpp, in berth_client); berth-agent loads it with dlopen only when it enrols
/// (curl_dlopen.cpp, berth_curl_dlopen), and so does berthd for SMTP, because linking it would
/// map libcurl's whole dependency tree — about 4 MB of resident memory — into every process.

#include <curl/curl.h>

#include "core/error.hpp"

namespace berth::client {

struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;

  /// The functions, with curl_global_init done, once per process (thread-safe);
  /// Error::unavailable when libcurl cannot be loaded.
  static Result<const CurlApi*> get();
};

/// unique_ptr deleters for an easy handle and a string list of one CurlApi.
struct CurlEasyCleanup {
  const CurlApi* curl;
  void operator()(CURL* handle) const { curl->easy_cleanup(handle); }
};
struct CurlSlistCleanup {
  const CurlApi* curl;
  void operator()(curl_slist* list) const { curl->slist_free_all(list); }
};

}  // namespace berth::client
