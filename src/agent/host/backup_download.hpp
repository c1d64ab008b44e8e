#pragma once
/// What backup.run and backup.restore share whatever they back up. A restore of any backup: shared
/// by the engines' dumps (backup_job.cpp) and volume tars (volume_backup.cpp): the object read once
/// and checked against the recorded SHA-256 and size, then read again, decrypted on a thread and
/// handed out in bounded chunks to whatever takes it (a tool's stdin, the Engine's archive PUT).
/// Internal to berth_agent_host.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "agent/host/backup_objects.hpp"
#include "agent/host/chunk_queue.hpp"
#include "agent/host/docker_exec.hpp"
#include "backup/backup_stream.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

/// A backup.run's result once the upload completed: key, sizes, SHA-256, the sealed stream key,
/// parts and duration.
nlohmann::json stored_result(const std::string& key, const backup::BackupEncoder& encoder,
                             const ObjectUpload& upload, long long duration_ms);

/// The argument `field`: base64 of exactly `size` bytes, decoded; invalid_args otherwise.
Result<std::string> base64_arg(const nlohmann::json& args, const char* field, std::size_t size);

/// Reads the object once: backup_checksum_mismatch unless its SHA-256 and size are `sha256`
/// and `size`. Nothing is changed before this passed.
Result<void> verify_object(const ObjectPlace& place, const std::string& sha256, std::uint64_t size);

/// Downloads and decrypts `place` with `stream_key` on its own thread from construction;
/// input() hands the plaintext out like an ExecInput, and fails (instead of ending cleanly)
/// when the download or the decryption failed, so a consumer never takes a partial backup for
/// a whole one.
class DecryptedDownload {
 public:
  DecryptedDownload(const ObjectPlace& place, const std::string& stream_key);
  ~DecryptedDownload();
  DecryptedDownload(const DecryptedDownload&) = delete;
  DecryptedDownload& operator=(const DecryptedDownload&) = delete;

  const ExecInput& input() const { return input_; }
  /// Stops the download if still running and waits for it: its error, or the plaintext's size.
  Result<std::uint64_t> finish();

 private:
  ChunkQueue plain_{16};
  std::optional<Error> error_;
  std::uint64_t restored_ = 0;
  std::string pending_;
  std::size_t pending_at_ = 0;
  ExecInput input_;
  std::thread thread_;
};

}  // namespace berth::agent::host
