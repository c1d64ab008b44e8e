#pragma once
/// The object a service backup is stored as, written and read as a stream so that neither the
/// agent nor anything else ever holds a dump in memory or writes it unencrypted to disk.
///
/// plaintext (the engine's dump) → zstd → libsodium secretstream (XChaCha20-Poly1305) under a
/// fresh random stream key; the stream key is sealed to the team's backup public key
/// (crypto_box_seal), so the agent that writes a backup can never read one back. SHA-256 and
/// the size are taken over the bytes as stored.
///
/// Layout (116 bytes of header, then the payload):
///   magic "BERTHSVB" (8) | format version 1 (1) | compression 1 = zstd (1) | 0 0 (2) |
///   sealed stream key (80) | secretstream header (24)
/// The payload is secretstream chunks of 64 KiB of compressed bytes (+17 each), the first
/// authenticating the 92 bytes before the stream header as additional data, the last tagged
/// FINAL: a changed byte, a reordered, missing or added chunk, a cut object and trailing bytes
/// are all refused by the decoder.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/backup_keys.hpp"
#include "core/error.hpp"

namespace berth::backup {

inline constexpr std::string_view kServiceBackupMagic = "BERTHSVB";
inline constexpr std::size_t kServiceBackupHeaderSize = 116;

/// Takes the next bytes a coder produced; a failure stops the coder.
using ByteSink = std::function<Result<void>(std::string_view bytes)>;

/// Hex SHA-256 over bytes fed in order (libsodium's; the agent does not touch OpenSSL for it).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view bytes);
  /// The digest of everything fed; call once.
  std::string finish_hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class BackupEncoder {
 public:
  /// Error::invalid for a public key of the wrong size; Error::unavailable without libzstd.
  static Result<std::unique_ptr<BackupEncoder>> create(std::string_view public_key, ByteSink out,
                                                       int zstd_level = 3);
  ~BackupEncoder();
  BackupEncoder(const BackupEncoder&) = delete;
  BackupEncoder& operator=(const BackupEncoder&) = delete;

  Result<void> write(std::string_view plaintext);
  /// Ends the stream (the FINAL chunk). After it: sha256_hex(), stored_bytes().
  Result<void> finish();

  std::uint64_t plain_bytes() const { return plain_bytes_; }
  std::uint64_t stored_bytes() const { return stored_bytes_; }
  const std::string& sha256_hex() const { return sha256_hex_; }
  /// The 80 sealed key bytes of the header (berthd keeps them with the backup's record).
  const std::string& sealed_key() const { return sealed_key_; }

 private:
  struct State;
  explicit BackupEncoder(std::unique_ptr<State> state, ByteSink out);
  Result<void> emit(std::string_view bytes);
  Result<void> push_chunks(bool final);

  std::unique_ptr<State> state_;
  ByteSink out_;
  std::string compressed_;
  std::string sealed_key_;
  std::string sha256_hex_;
  std::uint64_t plain_bytes_ = 0;
  std::uint64_t stored_bytes_ = 0;
};

class BackupDecoder {
 public:
  /// `stream_key` as open_stream_key returns it. Error::invalid for a key of the wrong size.
  static Result<std::unique_ptr<BackupDecoder>> create(std::string_view stream_key,
                                                       ByteSink plaintext_out);
  ~BackupDecoder();
  BackupDecoder(const BackupDecoder&) = delete;
  BackupDecoder& operator=(const BackupDecoder&) = delete;

  /// Error::invalid (backup_corrupt) for anything that is not this stream under this key.
  Result<void> write(std::string_view stored);
  /// Error::invalid (backup_corrupt) for a cut stream. After it: sha256_hex().
  Result<void> finish();

  std::uint64_t stored_bytes() const { return stored_bytes_; }
  std::uint64_t plain_bytes() const { return plain_bytes_; }
  const std::string& sha256_hex() const { return sha256_hex_; }

 private:
  struct State;
  BackupDecoder(std::unique_ptr<State> state, ByteSink out);
  Result<void> take_header();
  Result<void> open_chunk(std::string_view chunk, bool at_end);
  Result<void> decompress(std::string_view compressed);

  std::unique_ptr<State> state_;
  ByteSink out_;
  std::string pending_;
  std::string sha256_hex_;
  bool header_done_ = false;
  bool final_seen_ = false;
  std::uint64_t stored_bytes_ = 0;
  std::uint64_t plain_bytes_ = 0;
};

}  // namespace berth::backup
