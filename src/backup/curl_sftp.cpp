#include "backup/curl_sftp.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "backup/curl_body.hpp"
#include "client/curl_api.hpp"

namespace berth::backup {

namespace {

constexpr long kSftpFileMode = 0600;
constexpr long kSftpFolderMode = 0700;

Error sftp_failure(Error error, std::string code) {
  error.code = std::move(code);
  return error;
}

// What SFTP paths may hold is validated upstream (no control characters); the rest is
// percent-encoded, '/' kept.
std::string encode_sftp_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

// A path as one argument of curl's SFTP quote commands: in double quotes, '"' and '\' escaped.
std::string quoted_sftp_path(std::string_view path) {
  std::string out = "\"";
  for (const char c : path) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

// The private key as a file only this process can name (/proc/self/fd/N), never on a disk.
class SftpKeyFile {
 public:
  static Result<SftpKeyFile> of(std::string_view key) {
    const int fd = ::memfd_create("berth-sftp-key", MFD_CLOEXEC);
    if (fd < 0) {
      return fail(Error::internal("memfd_create failed for the SFTP key"));
    }
    SftpKeyFile file(fd);
    std::size_t written = 0;
    while (written < key.size()) {
      const ssize_t n = ::write(fd, key.data() + written, key.size() - written);
      if (n <= 0) {
        return fail(Error::internal("writing the SFTP key to its memfd failed"));
      }
      written += static_cast<std::size_t>(n);
    }
    return file;
  }
  SftpKeyFile(SftpKeyFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  SftpKeyFile(const SftpKeyFile&) = delete;
  SftpKeyFile& operator=(const SftpKeyFile&) = delete;
  SftpKeyFile& operator=(SftpKeyFile&&) = delete;
  ~SftpKeyFile() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  explicit SftpKeyFile(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

// One libcurl transfer: an upload (source), a download (sink) or quote commands alone.
struct CurlSftp::Transfer {
  std::string url;
  const BodySource* source = nullptr;
  const BodySink* sink = nullptr;
  std::vector<std::string> before = {};  // CURLOPT_QUOTE
  std::vector<std::string> after = {};   // CURLOPT_POSTQUOTE
  std::optional<Error> callback_error = {};
};

namespace {

Error sftp_error_of(CURLcode rc, const std::string& why) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION: {
      Error error = sftp_failure(
          Error::conflict("the SFTP server's host key is not the pinned one (a different server, "
                          "or its key was changed)"),
          "host_key_changed");
      error.internal_detail = why;
      return error;
    }
    case CURLE_LOGIN_DENIED: {
      Error error =
          sftp_failure(Error::invalid("the server refused the SSH credentials"), "ssh_auth_failed");
      error.internal_detail = why;
      return error;
    }
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return sftp_failure(Error::not_found("the folder or file does not exist on the SFTP server"),
                          "sftp_missing");
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_UPLOAD_FAILED:
      return sftp_failure(Error::unprocessable("the SFTP user may not write or read there"),
                          "sftp_denied");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSH: {
      Error error = sftp_failure(Error::unavailable("the SFTP server cannot be reached: " + why),
                                 "ssh_unreachable");
      error.internal_detail = why;
      return error;
    }
    default: {
      Error error = sftp_failure(Error::unavailable("the SFTP transfer failed: " + why),
                                 "remote_step_failed");
      error.details = {{"reason", why}};
      return error;
    }
  }
}

}  // namespace

std::string CurlSftp::path_of(std::string_view name) const {
  std::string path = settings_.folder;
  if (!path.ends_with('/')) {
    path += '/';
  }
  return path + std::string(name);
}

std::string CurlSftp::url_of(std::string_view name) const {
  const std::string& host = settings_.host;
  const std::string authority =
      host.find(':') != std::string::npos ? "[" + host + "]" : host;  // an IPv6 address
  return "sftp://" + authority + ":" + std::to_string(settings_.port) +
         encode_sftp_path(path_of(name));
}

Result<void> CurlSftp::perform(Transfer& transfer) const {
  if (!settings_.host_key_fingerprint.starts_with("SHA256:")) {
    return fail(sftp_failure(Error::unprocessable("the SFTP destination has no pinned host key: "
                                                  "test it once so that Berth pins it"),
                             "host_key_unpinned"));
  }
  auto loaded = client::CurlApi::get();
  if (!loaded) {
    return fail(loaded.error());
  }
  const client::CurlApi& curl = **loaded;
  std::optional<SftpKeyFile> key_file;
  if (!settings_.private_key.empty()) {
    auto made = SftpKeyFile::of(settings_.private_key);
    if (!made) {
      return fail(std::move(made.error()));
    }
    key_file.emplace(std::move(*made));
  }
  const std::unique_ptr<CURL, client::CurlEasyCleanup> handle(curl.easy_init(),
                                                              client::CurlEasyCleanup{&curl});
  if (!handle) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  using List = std::unique_ptr<curl_slist, client::CurlSlistCleanup>;
  const auto list_of = [&curl](const std::vector<std::string>& lines) -> std::optional<List> {
    List list(nullptr, client::CurlSlistCleanup{&curl});
    for (const auto& line : lines) {
      curl_slist* next = curl.slist_append(list.get(), line.c_str());
      if (next == nullptr) {
        return std::nullopt;
      }
      (void)list.release();
      list.reset(next);
    }
    return list;
  };
  auto before = list_of(transfer.before);
  auto after = list_of(transfer.after);
  if (!before || !after) {
    return fail(Error::internal("curl_slist_append failed"));
  }
  CURL* h = handle.get();
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURLcode rc = CURLE_OK;
  const auto set = [&rc](CURLcode result) {
    if (rc == CURLE_OK) {
      rc = result;
    }
  };
  // The base64 of the key's SHA-256, as OpenSSH prints it after "SHA256:".
  const std::string fingerprint = settings_.host_key_fingerprint.substr(7);
  set(curl.easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data()));
  set(curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "sftp"));
  set(curl.easy_setopt(h, CURLOPT_URL, transfer.url.c_str()));
  set(curl.easy_setopt(h, CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, fingerprint.c_str()));
  set(curl.easy_setopt(h, CURLOPT_USERNAME, settings_.user.c_str()));
  if (key_file) {
    const std::string path = key_file->path();
    set(curl.easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PUBLICKEY)));
    set(curl.easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, path.c_str()));
    // "": libssh2 derives the public key from the private one.
    set(curl.easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, ""));
    set(curl.easy_setopt(h, CURLOPT_KEYPASSWD, settings_.private_key_passphrase.c_str()));
  } else {
    set(curl.easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PASSWORD)));
    set(curl.easy_setopt(h, CURLOPT_PASSWORD, settings_.password.c_str()));
  }
  set(curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(settings_.connect_timeout.count() * 1000)));
  set(curl.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L));
  set(curl.easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(settings_.stall_timeout.count())));
  if (before->get() != nullptr) {
    set(curl.easy_setopt(h, CURLOPT_QUOTE, before->get()));
  }
  if (after->get() != nullptr) {
    set(curl.easy_setopt(h, CURLOPT_POSTQUOTE, after->get()));
  }
  if (transfer.source != nullptr) {
    set(curl.easy_setopt(h, CURLOPT_UPLOAD, 1L));
    set(curl.easy_setopt(h, CURLOPT_READFUNCTION, &curl_read_source<CurlSftp::Transfer>));
    set(curl.easy_setopt(h, CURLOPT_READDATA, &transfer));
    set(curl.easy_setopt(h, CURLOPT_NEW_FILE_PERMS, kSftpFileMode));
    set(curl.easy_setopt(h, CURLOPT_NEW_DIRECTORY_PERMS, kSftpFolderMode));
    set(curl.easy_setopt(h, CURLOPT_FTP_CREATE_MISSING_DIRS,
                         static_cast<long>(CURLFTP_CREATE_DIR_RETRY)));
  } else if (transfer.sink != nullptr) {
    set(curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, &curl_write_sink<CurlSftp::Transfer>));
    set(curl.easy_setopt(h, CURLOPT_WRITEDATA, &transfer));
  } else {
    set(curl.easy_setopt(h, CURLOPT_NOBODY, 1L));
  }
  if (rc != CURLE_OK) {
    return fail(Error::internal(std::string("curl_easy_setopt failed: ") + curl.easy_strerror(rc)));
  }
  rc = curl.easy_perform(h);
  if (transfer.callback_error) {
    return fail(std::move(*transfer.callback_error));
  }
  if (rc != CURLE_OK) {
    const std::string why = error_buffer[0] != '\0' ? std::string(error_buffer.data())
                                                    : std::string(curl.easy_strerror(rc));
    return fail(sftp_error_of(rc, why));
  }
  return {};
}

Result<void> CurlSftp::put_stream(std::string_view name, const BodySource& source) const {
  const std::string partial = std::string(name) + ".partial";
  Transfer transfer{.url = url_of(partial),
                    .source = &source,
                    .after = {"rename " + quoted_sftp_path(path_of(partial)) + " " +
                              quoted_sftp_path(path_of(name))}};
  auto done = perform(transfer);
  if (!done) {
    // Best effort: a partial file left behind is never mistaken for a backup (its name).
    Transfer cleanup{.url = url_of(""), .before = {"rm " + quoted_sftp_path(path_of(partial))}};
    (void)perform(cleanup);
  }
  return done;
}

Result<void> CurlSftp::get(std::string_view name, const BodySink& sink) const {
  Transfer transfer{.url = url_of(name), .sink = &sink};
  return perform(transfer);
}

Result<void> CurlSftp::remove(std::string_view name) const {
  Transfer transfer{.url = url_of(""), .before = {"rm " + quoted_sftp_path(path_of(name))}};
  return perform(transfer);
}

}  // namespace berth::backup
