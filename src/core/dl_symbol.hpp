#pragma once
/// Loading a library with dlopen and looking its functions up (the agent and berthd load
/// libcurl, libarchive and libzstd on first use, so a process that never needs them does not
/// map them).

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/error.hpp"

namespace berth {

/// dlopen(`soname`) for the process's life (never closed); Error::unavailable naming the
/// Debian `package` to install when it cannot be loaded.
inline Result<void*> open_library(const char* soname, const char* package) {
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return fail(Error::unavailable(std::string(soname) + " cannot be loaded (install " + package +
                                   "): " + (why != nullptr ? why : "unknown")));
  }
  return handle;
}

/// `load` run once, its answer kept for every later call (thread-safe): an Api's get().
template <class Api>
Result<const Api*> load_once(Result<const Api*> (*load)()) {
  static std::once_flag once;
  static Result<const Api*> loaded = fail(Error::unavailable("not loaded"));
  std::call_once(once, [load] { loaded = load(); });
  return loaded;
}

/// Sets `out` to the function `name` of `handle`; false when the library has none.
template <class Function>
bool resolve_symbol(void* handle, const char* name, Function& out) {
  void* symbol = ::dlsym(handle, name);
  // POSIX guarantees that an object pointer from dlsym converts to a function pointer.
  out = reinterpret_cast<Function>(symbol);
  return symbol != nullptr;
}

}  // namespace berth
