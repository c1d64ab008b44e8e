#pragma once
/// libcurl, loaded with dlopen the first time berthd sends mail. Linking it outright would map
/// its whole dependency tree (GnuTLS, Kerberos, LDAP, SSH, HTTP/2, ...) into every berthd —
/// about 3.5 MB of resident memory — although most instances never configure SMTP.

#include <curl/curl.h>

#include "core/error.hpp"

namespace berth {

struct CurlLibrary {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;

  /// The library, loaded and initialised (curl_global_init) once per process; thread-safe.
  /// Error::unavailable when libcurl.so.4 cannot be loaded or initialised.
  static Result<const CurlLibrary*> get();
};

}  // namespace berth
