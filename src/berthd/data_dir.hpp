#pragma once
/// The data directory: created 0700 on first start; files that hold secrets are written 0600.

#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace berth {

/// Creates `dir` (and parents) with mode 0700, or tightens an existing one to 0700.
Result<void> prepare_data_dir(const std::string& dir);

/// Writes `content` to `path` readable by the owner only (0600 from the first byte), atomically.
Result<void> write_private_file(const std::string& path, const std::string& content);

/// Writes the bound port for tests and scripts, atomically (a reader never sees half a file).
Result<void> write_port_file(const std::string& path, std::uint16_t port);

}  // namespace berth
