#pragma once
/// How berth-agent replaces its own binary (the `agent.upgrade` job, docs/agent.md): the new
/// binary is written next to the running one (same directory, so same filesystem), hashed as it
/// arrives, fsync'd, and only when its SHA-256 matches the one berthd announced is it renamed
/// over the old path (atomic), and the directory fsync'd. Any failure leaves the old binary
/// untouched and no temporary file behind. Blocking; any thread.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::agent {

/// Writes one chunk of the new binary; false when it cannot be written.
using ChunkWriter = std::function<bool(std::string_view chunk)>;
/// Fetches the new binary, handing every chunk to the writer in order; an error when the
/// fetch failed (or the writer refused a chunk).
using BinaryFetch = std::function<Result<void>(const ChunkWriter& write)>;

struct ReplacedBinary {
  std::uint64_t bytes = 0;
  std::string sha256 = {};  // lower-case hex, equal to the expected one
};

/// Replaces `executable` with what `fetch` delivers when its SHA-256 is `expected_sha256`
/// (64 hex digits, either case). Errors: `invalid` for a malformed checksum,
/// `checksum_mismatch` (Error::unprocessable, naming both hashes) when the bytes differ,
/// `download_failed` with the fetch's message, `write_failed` when the directory cannot take
/// the file. The new file gets mode 0755.
Result<ReplacedBinary> replace_executable(const std::filesystem::path& executable,
                                          std::string_view expected_sha256,
                                          const BinaryFetch& fetch);

/// The running program's path, resolved once at start (after a rename over it,
/// /proc/self/exe names the deleted file). "" when it cannot be read.
std::string current_executable_path();

}  // namespace berth::agent
