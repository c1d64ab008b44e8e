#pragma once
/// A blocking libssh client session: connect, read the host key, authenticate, run commands and
/// write files over SFTP. One thread at a time per session; run it on a worker thread, never on
/// an I/O thread. Secrets (passwords, keys) are passed straight to libssh and never logged.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::ssh {

struct HostKey {
  std::string fingerprint;  // "SHA256:<base64, no padding>", as OpenSSH prints it
  std::string type;         // "ssh-ed25519", "rsa-sha2-512"...
};

struct CommandOutput {
  int exit_status = -1;     // -1 when the remote side sent none (killed by a signal)
  std::string stdout_text;  // the first 64 KiB
  std::string stderr_tail;  // the last 2 KiB
};

struct SessionOptions {
  std::string host;
  std::uint16_t port = 22;
  std::string username;
  std::chrono::seconds connect_timeout{10};
};

class SshSession {
 public:
  /// Connects and completes the key exchange; unavailable `ssh_unreachable` on failure.
  static Result<SshSession> connect(const SessionOptions& options);

  SshSession(SshSession&& other) noexcept;
  SshSession& operator=(SshSession&& other) noexcept;
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;
  ~SshSession();

  /// The server's host key as seen during the key exchange.
  Result<HostKey> host_key();

  /// invalid `ssh_auth_failed` when the server refuses.
  Result<void> authenticate_with_password(const std::string& password);
  /// `private_key`: OpenSSH or PEM text; invalid `ssh_auth_failed` when it cannot be read (a
  /// wrong passphrase) or the server refuses it.
  Result<void> authenticate_with_key(const std::string& private_key, const std::string& passphrase);

  /// Runs `command` (built by remote_command.hpp) with stdin closed, until it exits or
  /// `timeout` passes. A non-zero exit status is a value, not an error; transport failures and
  /// the timeout are unprocessable `remote_step_failed` (details: step).
  Result<CommandOutput> run(std::string_view step, const std::string& command,
                            std::chrono::seconds timeout);

  /// Writes `content` to `path` over SFTP (created or truncated), then sets `mode`.
  /// unprocessable `remote_step_failed` (details: step, the SFTP error) on failure.
  Result<void> write_file(std::string_view step, const std::string& path, std::string_view content,
                          unsigned mode);

  /// Fills a buffer with up to `size` bytes and returns how many (0 at the end).
  using ChunkSource = std::function<Result<std::size_t>(char* buffer, std::size_t size)>;
  /// Takes the next part of a file.
  using ChunkSink = std::function<Result<void>(std::string_view chunk)>;

  /// Writes what `source` gives to `path` over SFTP (created with `mode`, or truncated), never
  /// holding more than one chunk. Errors as write_file; details.sftp_error is libssh's SFTP
  /// status (2: no such file or folder, 3: permission denied).
  Result<void> write_stream(std::string_view step, const std::string& path,
                            const ChunkSource& source, unsigned mode);
  /// Reads `path` over SFTP into `sink`, a chunk at a time. Errors as write_stream.
  Result<void> read_stream(std::string_view step, const std::string& path, const ChunkSink& sink);
  /// Removes the file `path` over SFTP. Errors as write_stream.
  Result<void> remove_file(std::string_view step, const std::string& path);

 private:
  struct Handle;
  explicit SshSession(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

/// `text` with bytes outside printable ASCII (tab and newline kept) replaced by '?': remote
/// output may be anything, and error details must be valid UTF-8 JSON.
std::string printable_text(std::string_view text);

/// unprocessable `remote_step_failed` with details {step, exit_status, stderr}.
Error remote_step_failed(std::string_view step, int exit_status, std::string_view stderr_tail);

}  // namespace berth::ssh
