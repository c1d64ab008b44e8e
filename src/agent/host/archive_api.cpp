#include "agent/host/archive_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace berth::agent::host {
namespace {

template <class Function>
bool resolve(void* handle, const char* name, Function& out) {
  void* symbol = ::dlsym(handle, name);
  // POSIX guarantees that an object pointer from dlsym converts to a function pointer.
  out = reinterpret_cast<Function>(symbol);
  return symbol != nullptr;
}

Result<const ArchiveApi*> load() {
  static ArchiveApi api{};
  void* handle = ::dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);  // never closed
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return fail(Error::unavailable(
        std::string("libarchive.so.13 cannot be loaded (install libarchive13): ") +
        (why != nullptr ? why : "unknown")));
  }
  const bool complete =
      resolve(handle, "archive_write_new", api.write_new) &&
      resolve(handle, "archive_write_free", api.write_free) &&
      resolve(handle, "archive_write_set_format_pax_restricted",
              api.write_set_format_pax_restricted) &&
      resolve(handle, "archive_write_open", api.write_open) &&
      resolve(handle, "archive_write_header", api.write_header) &&
      resolve(handle, "archive_write_data", api.write_data) &&
      resolve(handle, "archive_write_close", api.write_close) &&
      resolve(handle, "archive_read_disk_new", api.read_disk_new) &&
      resolve(handle, "archive_read_free", api.read_free) &&
      resolve(handle, "archive_read_disk_set_symlink_physical",
              api.read_disk_set_symlink_physical) &&
      resolve(handle, "archive_read_disk_set_standard_lookup", api.read_disk_set_standard_lookup) &&
      resolve(handle, "archive_read_disk_entry_from_file", api.read_disk_entry_from_file) &&
      resolve(handle, "archive_entry_new", api.entry_new) &&
      resolve(handle, "archive_entry_free", api.entry_free) &&
      resolve(handle, "archive_entry_copy_pathname", api.entry_copy_pathname) &&
      resolve(handle, "archive_entry_copy_sourcepath", api.entry_copy_sourcepath) &&
      resolve(handle, "archive_entry_filetype", api.entry_filetype) &&
      resolve(handle, "archive_error_string", api.error_string) &&
      resolve(handle, "archive_set_error", api.set_error);
  if (!complete) {
    return fail(Error::unavailable("libarchive.so.13 lacks a function Berth needs"));
  }
  return &api;
}

}  // namespace

Result<const ArchiveApi*> ArchiveApi::get() {
  static std::once_flag once;
  static Result<const ArchiveApi*> loaded = fail(Error::unavailable("libarchive not loaded"));
  std::call_once(once, [] { loaded = load(); });
  return loaded;
}

}  // namespace berth::agent::host
