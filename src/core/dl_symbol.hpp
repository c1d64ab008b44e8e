#pragma once
/// Looking up a function in a library loaded with dlopen (the agent and berthd load libcurl
/// and libarchive on first use, so a process that never needs them does not map them).

#include <dlfcn.h>

namespace berth {

/// Sets `out` to the function `name` of `handle`; false when the library has none.
template <class Function>
bool resolve_symbol(void* handle, const char* name, Function& out) {
  void* symbol = ::dlsym(handle, name);
  // POSIX guarantees that an object pointer from dlsym converts to a function pointer.
  out = reinterpret_cast<Function>(symbol);
  return symbol != nullptr;
}

}  // namespace berth
