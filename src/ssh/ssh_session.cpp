#include "ssh/ssh_session.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <span>

#include "core/crypto.hpp"

namespace berth::ssh {

namespace {

constexpr std::size_t kStdoutLimit = 64 * 1024;
constexpr std::size_t kStderrTail = 2 * 1024;
// OpenSSH's sftp-server accepts up to 256 KiB per write; 32 KiB is what most clients send.
constexpr std::size_t kSftpChunk = 32 * 1024;

Error unreachable(std::string message, std::string_view detail) {
  Error error = Error::unavailable(std::move(message));
  error.code = "ssh_unreachable";
  error.internal_detail = std::string(detail);
  return error;
}

Error auth_failed(std::string_view detail) {
  Error error = Error::invalid("the server refused the SSH credentials");
  error.code = "ssh_auth_failed";
  error.internal_detail = std::string(detail);
  return error;
}

/// OpenSSH prints fingerprints in the standard base64 alphabet without padding.
std::string openssh_base64(std::span<const std::uint8_t> bytes) {
  std::string text = crypto::base64url_encode(bytes);
  std::ranges::replace(text, '-', '+');
  std::ranges::replace(text, '_', '/');
  return text;
}

void keep_tail(std::string& tail, std::string_view more, std::size_t limit) {
  tail.append(more);
  if (tail.size() > limit) {
    tail.erase(0, tail.size() - limit);
  }
}

struct ChannelCloser {
  void operator()(ssh_channel channel) const {
    ssh_channel_close(channel);
    ssh_channel_free(channel);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelCloser>;

struct SftpCloser {
  void operator()(sftp_session sftp) const { sftp_free(sftp); }
};
using SftpPtr = std::unique_ptr<sftp_session_struct, SftpCloser>;

struct KeyFree {
  void operator()(ssh_key key) const { ssh_key_free(key); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyFree>;

}  // namespace

struct SshSession::Handle {
  ssh_session session = nullptr;
  ~Handle() {
    if (session != nullptr) {
      ssh_disconnect(session);
      ssh_free(session);
    }
  }
  std::string last_error() const { return ssh_get_error(session); }
};

std::string printable_text(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\t') || byte >= 0x7f) {
      c = '?';
    }
  }
  return out;
}

Error remote_step_failed(std::string_view step, int exit_status, std::string_view stderr_tail) {
  Error error = Error::unprocessable(fmt::format("the remote step '{}' failed", step));
  error.code = "remote_step_failed";
  error.details = {
      {"step", step}, {"exit_status", exit_status}, {"stderr", printable_text(stderr_tail)}};
  return error;
}

SshSession::SshSession(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
SshSession::SshSession(SshSession&& other) noexcept = default;
SshSession& SshSession::operator=(SshSession&& other) noexcept = default;
SshSession::~SshSession() = default;

Result<SshSession> SshSession::connect(const SessionOptions& options) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { ssh_init(); });

  auto handle = std::make_unique<Handle>();
  handle->session = ssh_new();
  if (handle->session == nullptr) {
    return fail(Error::internal("ssh_new failed"));
  }
  ssh_session session = handle->session;
  const unsigned int port = options.port;
  const long timeout = static_cast<long>(options.connect_timeout.count());
  // berthd's own ~/.ssh/config and known_hosts must not change how a server is reached: the
  // host key is checked against what the store recorded, nothing else.
  const bool process_config = false;
  if (ssh_options_set(session, SSH_OPTIONS_HOST, options.host.c_str()) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_PORT, &port) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_USER, options.username.c_str()) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) != SSH_OK) {
    return fail(
        with_code(Error::invalid("the SSH host or username is not valid"), "invalid_target"));
  }
  if (ssh_connect(session) != SSH_OK) {
    return fail(unreachable(fmt::format("cannot reach {}:{} over SSH", options.host, options.port),
                            handle->last_error()));
  }
  return SshSession(std::move(handle));
}

Result<HostKey> SshSession::host_key() {
  ssh_key raw_key = nullptr;
  if (ssh_get_server_publickey(handle_->session, &raw_key) != SSH_OK) {
    return fail(unreachable("the server sent no host key", handle_->last_error()));
  }
  const KeyPtr key(raw_key);
  unsigned char* hash = nullptr;
  std::size_t hash_length = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_length) != 0) {
    return fail(Error::internal("ssh_get_publickey_hash failed"));
  }
  HostKey result{
      .fingerprint = "SHA256:" + openssh_base64(std::span<const std::uint8_t>(hash, hash_length)),
      .type = ssh_key_type_to_char(ssh_key_type(key.get())),
  };
  ssh_clean_pubkey_hash(&hash);
  return result;
}

Result<void> SshSession::authenticate_with_password(const std::string& password) {
  if (ssh_userauth_password(handle_->session, nullptr, password.c_str()) != SSH_AUTH_SUCCESS) {
    return fail(auth_failed(handle_->last_error()));
  }
  return {};
}

Result<void> SshSession::authenticate_with_key(const std::string& private_key,
                                               const std::string& passphrase) {
  ssh_key raw_key = nullptr;
  const char* maybe_passphrase = passphrase.empty() ? nullptr : passphrase.c_str();
  if (ssh_pki_import_privkey_base64(private_key.c_str(), maybe_passphrase, nullptr, nullptr,
                                    &raw_key) != SSH_OK) {
    return fail(auth_failed("the private key cannot be read (format or passphrase)"));
  }
  const KeyPtr key(raw_key);
  if (ssh_userauth_publickey(handle_->session, nullptr, key.get()) != SSH_AUTH_SUCCESS) {
    return fail(auth_failed(handle_->last_error()));
  }
  return {};
}

Result<CommandOutput> SshSession::run(std::string_view step, const std::string& command,
                                      std::chrono::seconds timeout) {
  const auto transport_failure = [&](std::string_view what) {
    return fail(remote_step_failed(step, -1, fmt::format("{}: {}", what, handle_->last_error())));
  };
  const ChannelPtr channel(ssh_channel_new(handle_->session));
  if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) {
    return transport_failure("cannot open an SSH channel");
  }
  if (ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
    return transport_failure("the server refused to run the command");
  }
  // Nothing is ever written to a remote command; EOF at once so none waits for input.
  ssh_channel_send_eof(channel.get());

  CommandOutput output;
  std::array<char, 16 * 1024> buffer{};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int out = ssh_channel_read_timeout(channel.get(), buffer.data(),
                                       static_cast<std::uint32_t>(buffer.size()), 0, 200);
    if (out == SSH_EOF) {
      out = 0;
    }
    if (out == SSH_ERROR) {
      return transport_failure("the connection failed while the command ran");
    }
    if (out > 0 && output.stdout_text.size() < kStdoutLimit) {
      output.stdout_text.append(buffer.data(), static_cast<std::size_t>(out));
    }
    // stderr is drained on every round so a chatty command cannot stall on a full window.
    int err = ssh_channel_read_nonblocking(channel.get(), buffer.data(),
                                           static_cast<std::uint32_t>(buffer.size()), 1);
    if (err == SSH_EOF) {  // the non-blocking read says EOF this way; the blocking one says 0
      err = 0;
    }
    if (err == SSH_ERROR) {
      return transport_failure("the connection failed while the command ran");
    }
    if (err > 0) {
      keep_tail(output.stderr_tail, std::string_view(buffer.data(), static_cast<std::size_t>(err)),
                kStderrTail);
    }
    if (out == 0 && err == 0 && ssh_channel_is_eof(channel.get()) != 0) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(remote_step_failed(step, -1, output.stderr_tail + "\n[berth: timed out]"));
    }
  }
  output.exit_status = ssh_channel_get_exit_status(channel.get());
  return output;
}

Result<void> SshSession::write_file(std::string_view step, const std::string& path,
                                    std::string_view content, unsigned mode) {
  const auto sftp_failure = [&](std::string_view what, sftp_session sftp) {
    const int code = sftp == nullptr ? -1 : sftp_get_error(sftp);
    return fail(remote_step_failed(
        step, -1, fmt::format("{} (sftp error {}): {}", what, code, handle_->last_error())));
  };
  const SftpPtr sftp(sftp_new(handle_->session));
  if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
    return sftp_failure("cannot start SFTP", sftp.get());
  }
  sftp_file file =
      sftp_open(sftp.get(), path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, static_cast<mode_t>(mode));
  if (file == nullptr) {
    return sftp_failure(fmt::format("cannot create {}", path), sftp.get());
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const std::size_t chunk = std::min(kSftpChunk, content.size() - written);
    const ssize_t sent = sftp_write(file, content.data() + written, chunk);
    if (sent <= 0) {
      sftp_close(file);
      return sftp_failure(fmt::format("cannot write {}", path), sftp.get());
    }
    written += static_cast<std::size_t>(sent);
  }
  if (sftp_close(file) != SSH_OK) {
    return sftp_failure(fmt::format("cannot finish writing {}", path), sftp.get());
  }
  // The mode given to open is filtered by the remote umask; set it exactly.
  if (sftp_chmod(sftp.get(), path.c_str(), static_cast<mode_t>(mode)) != SSH_OK) {
    return sftp_failure(fmt::format("cannot chmod {}", path), sftp.get());
  }
  return {};
}

namespace {

Error sftp_step_failed(std::string_view step, std::string_view what, int sftp_code,
                       const std::string& ssh_error) {
  Error error = remote_step_failed(step, -1, fmt::format("{}: {}", what, ssh_error));
  error.details["sftp_error"] = sftp_code;
  return error;
}

struct SftpFileCloser {
  void operator()(sftp_file file) const { sftp_close(file); }
};
using SftpFilePtr = std::unique_ptr<sftp_file_struct, SftpFileCloser>;

}  // namespace

Result<void> SshSession::write_stream(std::string_view step, const std::string& path,
                                      const ChunkSource& source, unsigned mode) {
  const SftpPtr sftp(sftp_new(handle_->session));
  if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
    return fail(sftp_step_failed(step, "cannot start SFTP", -1, handle_->last_error()));
  }
  sftp_file raw =
      sftp_open(sftp.get(), path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, static_cast<mode_t>(mode));
  if (raw == nullptr) {
    return fail(sftp_step_failed(step, fmt::format("cannot create {}", path),
                                 sftp_get_error(sftp.get()), handle_->last_error()));
  }
  SftpFilePtr file(raw);
  std::array<char, kSftpChunk> buffer{};
  while (true) {
    auto got = source(buffer.data(), buffer.size());
    if (!got) {
      return fail(std::move(got.error()));
    }
    if (*got == 0) {
      break;
    }
    std::size_t written = 0;
    while (written < *got) {
      const ssize_t sent = sftp_write(file.get(), buffer.data() + written, *got - written);
      if (sent <= 0) {
        return fail(sftp_step_failed(step, fmt::format("cannot write {}", path),
                                     sftp_get_error(sftp.get()), handle_->last_error()));
      }
      written += static_cast<std::size_t>(sent);
    }
  }
  if (sftp_close(file.release()) != SSH_OK) {
    return fail(sftp_step_failed(step, fmt::format("cannot finish writing {}", path),
                                 sftp_get_error(sftp.get()), handle_->last_error()));
  }
  return {};
}

Result<void> SshSession::read_stream(std::string_view step, const std::string& path,
                                     const ChunkSink& sink) {
  const SftpPtr sftp(sftp_new(handle_->session));
  if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
    return fail(sftp_step_failed(step, "cannot start SFTP", -1, handle_->last_error()));
  }
  sftp_file raw = sftp_open(sftp.get(), path.c_str(), O_RDONLY, 0);
  if (raw == nullptr) {
    return fail(sftp_step_failed(step, fmt::format("cannot open {}", path),
                                 sftp_get_error(sftp.get()), handle_->last_error()));
  }
  const SftpFilePtr file(raw);
  std::array<char, kSftpChunk> buffer{};
  while (true) {
    const ssize_t got = sftp_read(file.get(), buffer.data(), buffer.size());
    if (got < 0) {
      return fail(sftp_step_failed(step, fmt::format("cannot read {}", path),
                                   sftp_get_error(sftp.get()), handle_->last_error()));
    }
    if (got == 0) {
      return {};
    }
    if (auto taken = sink(std::string_view(buffer.data(), static_cast<std::size_t>(got))); !taken) {
      return fail(std::move(taken.error()));
    }
  }
}

Result<void> SshSession::remove_file(std::string_view step, const std::string& path) {
  const SftpPtr sftp(sftp_new(handle_->session));
  if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
    return fail(sftp_step_failed(step, "cannot start SFTP", -1, handle_->last_error()));
  }
  if (sftp_unlink(sftp.get(), path.c_str()) != SSH_OK) {
    return fail(sftp_step_failed(step, fmt::format("cannot remove {}", path),
                                 sftp_get_error(sftp.get()), handle_->last_error()));
  }
  return {};
}

}  // namespace berth::ssh
