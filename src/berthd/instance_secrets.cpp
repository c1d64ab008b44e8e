#include "berthd/instance_secrets.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

namespace berth {

namespace {

constexpr std::size_t kKeySize = std::tuple_size_v<crypto::Key>;

std::string errno_text(int error) { return std::strerror(error); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  /// Closes now and reports failure (a failed close can mean lost writes).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

Result<crypto::Key> key_from_env(std::string_view name, std::string_view value) {
  const auto decoded = crypto::base64_decode(value);
  if (!decoded || decoded->size() != kKeySize) {
    return fail(Error::unavailable(
        fmt::format("{} must be the base64 encoding of exactly {} bytes (e.g. the output of "
                    "`openssl rand -base64 32`); {}",
                    name, kKeySize,
                    decoded ? fmt::format("it decodes to {} bytes", decoded->size())
                            : std::string("it is not valid base64"))));
  }
  crypto::Key key{};
  std::copy(decoded->begin(), decoded->end(), key.begin());
  return key;
}

/// The key in `path`; nullopt when the file does not exist.
Result<std::optional<crypto::Key>> read_key_file(const std::string& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return std::optional<crypto::Key>{};
    }
    return fail(
        Error::unavailable(fmt::format("cannot open key file {}: {}", path, errno_text(error))));
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) {
    return fail(
        Error::unavailable(fmt::format("cannot inspect key file {}: {}", path, errno_text(errno))));
  }
  if (!S_ISREG(status.st_mode)) {
    return fail(Error::unavailable(fmt::format("key file {} is not a regular file", path)));
  }
  if (status.st_size != static_cast<off_t>(kKeySize)) {
    return fail(Error::unavailable(fmt::format(
        "key file {} holds {} bytes, expected exactly {}; restore the original file (data sealed "
        "with a key cannot be read with another)",
        path, status.st_size, kKeySize)));
  }
  crypto::Key key{};
  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t got = ::read(file.get(), key.data() + done, key.size() - done);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return fail(
          Error::unavailable(fmt::format("cannot read key file {}: {}", path, errno_text(errno))));
    }
    if (got == 0) {
      return fail(
          Error::unavailable(fmt::format("key file {} is shorter than {} bytes", path, kKeySize)));
    }
    done += static_cast<std::size_t>(got);
  }
  return std::optional<crypto::Key>{key};
}

Result<void> write_all(int fd, const crypto::Key& key, const std::string& path) {
  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t written = ::write(fd, key.data() + done, key.size() - done);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return fail(
          Error::unavailable(fmt::format("cannot write key file {}: {}", path, errno_text(errno))));
    }
    done += static_cast<std::size_t>(written);
  }
  return {};
}

/// Writes `key` to a fresh temporary file next to `path`; the caller renames it into place.
Result<void> write_temporary(const std::string& temporary, const std::string& path,
                             const crypto::Key& key) {
  int fd = -1;
  for (int attempt = 0; attempt < 2 && fd < 0; ++attempt) {
    // Mode 0600 from the first instant: the key is never readable by anyone else, whatever the
    // umask. O_EXCL | O_NOFOLLOW: never write through a file or link planted at that name.
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                S_IRUSR | S_IWUSR);
    if (fd < 0 && errno == EEXIST && attempt == 0) {
      ::unlink(temporary.c_str());  // left by an earlier start with the same pid that crashed
    }
  }
  if (fd < 0) {
    return fail(
        Error::unavailable(fmt::format("cannot create key file {}: {}", path, errno_text(errno))));
  }
  FileDescriptor file(fd);
  // The umask can only have removed bits; this makes the mode exactly 0600.
  if (::fchmod(file.get(), S_IRUSR | S_IWUSR) != 0) {
    return fail(Error::unavailable(
        fmt::format("cannot set the mode of key file {}: {}", path, errno_text(errno))));
  }
  if (auto written = write_all(file.get(), key, path); !written) {
    return written;
  }
  // Losing the master key to a power cut would make every sealed secret unreadable.
  if (::fsync(file.get()) != 0 || !file.close()) {
    return fail(
        Error::unavailable(fmt::format("cannot write key file {}: {}", path, errno_text(errno))));
  }
  return {};
}

void sync_directory(const std::string& dir) {
  // Best effort: makes the rename durable; some file systems refuse fsync on a directory.
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Result<crypto::Key> create_key_file(const std::string& dir, const std::string& path,
                                    Random& random) {
  crypto::Key key{};
  random.fill(key);
  const std::string temporary = fmt::format("{}.{}.tmp", path, ::getpid());
  if (auto written = write_temporary(temporary, path, key); !written) {
    ::unlink(temporary.c_str());
    return fail(written.error());
  }
  // RENAME_NOREPLACE: if another process created the key meanwhile, its key wins and both use
  // it, rather than each running with a different key.
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    const int error = errno;
    if (error == EEXIST) {
      ::unlink(temporary.c_str());
      auto existing = read_key_file(path);
      if (!existing) {
        return fail(existing.error());
      }
      if (!*existing) {
        return fail(Error::unavailable(fmt::format("key file {} vanished while starting", path)));
      }
      return **existing;
    }
    // File systems without RENAME_NOREPLACE: a plain rename is still atomic for readers.
    if ((error != EINVAL && error != ENOSYS) || ::rename(temporary.c_str(), path.c_str()) != 0) {
      const int rename_error = (error != EINVAL && error != ENOSYS) ? error : errno;
      ::unlink(temporary.c_str());
      return fail(Error::unavailable(
          fmt::format("cannot create key file {}: {}", path, errno_text(rename_error))));
    }
  }
  sync_directory(dir);
  return key;
}

// `random` null: never create a missing key file (a backup reads, it never invents a key).
Result<crypto::Key> load_key(const std::string& data_dir, const char* env_var,
                             std::string_view file_name, Random* random) {
  if (const char* value = std::getenv(env_var); value != nullptr) {
    return key_from_env(env_var, value);
  }
  const std::string path = (std::filesystem::path(data_dir) / file_name).string();
  auto existing = read_key_file(path);
  if (!existing) {
    return fail(existing.error());
  }
  if (*existing) {
    return **existing;
  }
  if (random == nullptr) {
    return fail(Error::unavailable(
        fmt::format("key file {} is missing (and {} is not set): is {} berthd's data directory?",
                    path, env_var, data_dir)));
  }
  return create_key_file(data_dir, path, *random);
}

Result<InstanceSecrets> load_secrets(const std::string& data_dir, Random* random) {
  auto session_key = load_key(data_dir, "BERTH_SESSION_KEY", kSessionKeyFile, random);
  if (!session_key) {
    return fail(session_key.error());
  }
  auto master_key = load_key(data_dir, "BERTH_MASTER_KEY", kMasterKeyFile, random);
  if (!master_key) {
    return fail(master_key.error());
  }
  return InstanceSecrets{.session_key = *session_key, .master_key = *master_key};
}

}  // namespace

Result<InstanceSecrets> load_or_create_instance_secrets(const std::string& data_dir,
                                                        Random& random) {
  return load_secrets(data_dir, &random);
}

Result<InstanceSecrets> load_instance_secrets(const std::string& data_dir) {
  return load_secrets(data_dir, nullptr);
}

}  // namespace berth
