#pragma once
/// libarchive, loaded with dlopen on first use. Only docker.build's context tar needs it, and
/// linking it would map it and the libraries Debian builds it with (libxml2, ICU, nettle,
/// lzma, bz2, zstd, acl: about 1.5 MB of an idle agent's RSS) into every agent for its whole
/// life. The declarations come from libarchive's own headers; nothing links the library.

#include <archive.h>
#include <archive_entry.h>

#include "core/error.hpp"

namespace berth::agent::host {

struct ArchiveApi {
  decltype(&::archive_write_new) write_new = nullptr;
  decltype(&::archive_write_free) write_free = nullptr;
  decltype(&::archive_write_set_format_pax_restricted) write_set_format_pax_restricted = nullptr;
  decltype(&::archive_write_open) write_open = nullptr;
  decltype(&::archive_write_header) write_header = nullptr;
  decltype(&::archive_write_data) write_data = nullptr;
  decltype(&::archive_write_close) write_close = nullptr;
  decltype(&::archive_read_disk_new) read_disk_new = nullptr;
  decltype(&::archive_read_free) read_free = nullptr;
  decltype(&::archive_read_disk_set_symlink_physical) read_disk_set_symlink_physical = nullptr;
  decltype(&::archive_read_disk_set_standard_lookup) read_disk_set_standard_lookup = nullptr;
  decltype(&::archive_read_disk_entry_from_file) read_disk_entry_from_file = nullptr;
  decltype(&::archive_entry_new) entry_new = nullptr;
  decltype(&::archive_entry_free) entry_free = nullptr;
  decltype(&::archive_entry_copy_pathname) entry_copy_pathname = nullptr;
  decltype(&::archive_entry_copy_sourcepath) entry_copy_sourcepath = nullptr;
  decltype(&::archive_entry_filetype) entry_filetype = nullptr;
  decltype(&::archive_error_string) error_string = nullptr;
  decltype(&::archive_set_error) set_error = nullptr;

  /// The functions, loaded once (thread-safe); Error::unavailable naming the package when
  /// libarchive13 is missing.
  static Result<const ArchiveApi*> get();
};

}  // namespace berth::agent::host
