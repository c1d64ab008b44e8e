#include "agent/host/archive_api.hpp"

#include <string>

#include "core/dl_symbol.hpp"

namespace berth::agent::host {
namespace {

Result<const ArchiveApi*> load() {
  static ArchiveApi api{};
  auto opened = open_library("libarchive.so.13", "libarchive13");
  if (!opened) {
    return fail(std::move(opened.error()));
  }
  void* handle = *opened;
  const bool complete =
      resolve_symbol(handle, "archive_write_new", api.write_new) &&
      resolve_symbol(handle, "archive_write_free", api.write_free) &&
      resolve_symbol(handle, "archive_write_set_format_pax_restricted",
                     api.write_set_format_pax_restricted) &&
      resolve_symbol(handle, "archive_write_open", api.write_open) &&
      resolve_symbol(handle, "archive_write_header", api.write_header) &&
      resolve_symbol(handle, "archive_write_data", api.write_data) &&
      resolve_symbol(handle, "archive_write_close", api.write_close) &&
      resolve_symbol(handle, "archive_read_disk_new", api.read_disk_new) &&
      resolve_symbol(handle, "archive_read_free", api.read_free) &&
      resolve_symbol(handle, "archive_read_disk_set_symlink_physical",
                     api.read_disk_set_symlink_physical) &&
      resolve_symbol(handle, "archive_read_disk_set_standard_lookup",
                     api.read_disk_set_standard_lookup) &&
      resolve_symbol(handle, "archive_read_disk_entry_from_file", api.read_disk_entry_from_file) &&
      resolve_symbol(handle, "archive_entry_new", api.entry_new) &&
      resolve_symbol(handle, "archive_entry_free", api.entry_free) &&
      resolve_symbol(handle, "archive_entry_copy_pathname", api.entry_copy_pathname) &&
      resolve_symbol(handle, "archive_entry_copy_sourcepath", api.entry_copy_sourcepath) &&
      resolve_symbol(handle, "archive_entry_filetype", api.entry_filetype) &&
      resolve_symbol(handle, "archive_error_string", api.error_string) &&
      resolve_symbol(handle, "archive_set_error", api.set_error);
  if (!complete) {
    return fail(Error::unavailable("libarchive.so.13 lacks a function Berth needs"));
  }
  return &api;
}

}  // namespace

Result<const ArchiveApi*> ArchiveApi::get() { return load_once<ArchiveApi>(&load); }

}  // namespace berth::agent::host
