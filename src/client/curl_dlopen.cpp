// CurlApi loaded with dlopen on first use: berth-agent (when it enrols) and berthd (when it
// first sends mail) never map libcurl's libraries otherwise.
#include <string>

#include "client/curl_api.hpp"
#include "core/dl_symbol.hpp"

namespace berth::client {
namespace {

Result<const CurlApi*> load() {
  static CurlApi api{};
  auto opened = open_library("libcurl.so.4", "libcurl4");
  if (!opened) {
    return fail(std::move(opened.error()));
  }
  void* handle = *opened;
  const bool complete = resolve_symbol(handle, "curl_global_init", api.global_init) &&
                        resolve_symbol(handle, "curl_easy_init", api.easy_init) &&
                        resolve_symbol(handle, "curl_easy_cleanup", api.easy_cleanup) &&
                        resolve_symbol(handle, "curl_easy_setopt", api.easy_setopt) &&
                        resolve_symbol(handle, "curl_easy_perform", api.easy_perform) &&
                        resolve_symbol(handle, "curl_easy_getinfo", api.easy_getinfo) &&
                        resolve_symbol(handle, "curl_easy_strerror", api.easy_strerror) &&
                        resolve_symbol(handle, "curl_slist_append", api.slist_append) &&
                        resolve_symbol(handle, "curl_slist_free_all", api.slist_free_all);
  if (!complete) {
    return fail(Error::unavailable("libcurl.so.4 lacks a function Berth needs"));
  }
  if (const CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return fail(Error::unavailable(std::string("libcurl could not be initialised: ") +
                                   api.easy_strerror(rc)));
  }
  return &api;
}

}  // namespace

Result<const CurlApi*> CurlApi::get() { return load_once<CurlApi>(&load); }

}  // namespace berth::client
