#include "agent/self_upgrade.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace berth::agent {
namespace {

Error upgrade_error(ErrorKind kind, std::string code, std::string message) {
  Error error;
  error.kind = kind;
  error.code = std::move(code);
  error.message = std::move(message);
  return error;
}

std::string hex_of(const std::array<unsigned char, crypto_hash_sha256_BYTES>& digest) {
  std::string hex(digest.size() * 2, '\0');
  sodium_bin2hex(hex.data(), hex.size() + 1, digest.data(), digest.size());
  return hex;
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::ranges::all_of(text, [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// Removes the staged file unless it was renamed into place.
struct StagedFile {
  std::string path;
  int fd = -1;
  bool installed = false;
  ~StagedFile() {
    if (fd >= 0) {
      ::close(fd);
    }
    if (!installed && !path.empty()) {
      ::unlink(path.c_str());
    }
  }
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return true;
}

}  // namespace

Result<ReplacedBinary> replace_executable(const std::filesystem::path& executable,
                                          std::string_view expected_sha256,
                                          const BinaryFetch& fetch) {
  if (!is_sha256_hex(expected_sha256)) {
    return fail(Error::validation("sha256", "sha256 must be 64 hex digits"));
  }
  if (sodium_init() < 0) {
    return fail(Error::internal("libsodium failed to start"));
  }
  const std::filesystem::path dir = executable.parent_path();
  StagedFile staged;
  staged.path = (dir / ("." + executable.filename().string() + ".upgrade-XXXXXX")).string();
  staged.fd = ::mkostemp(staged.path.data(), O_CLOEXEC);
  if (staged.fd < 0) {
    const std::string why = std::strerror(errno);
    staged.path.clear();
    return fail(upgrade_error(ErrorKind::unavailable, "write_failed",
                              "cannot create the new binary in " + dir.string() + ": " + why));
  }
  crypto_hash_sha256_state hash;
  crypto_hash_sha256_init(&hash);
  std::uint64_t bytes = 0;
  bool write_failed = false;
  const ChunkWriter write = [&](std::string_view chunk) {
    if (!write_all(staged.fd, chunk)) {
      write_failed = true;
      return false;
    }
    crypto_hash_sha256_update(&hash, reinterpret_cast<const unsigned char*>(chunk.data()),
                              chunk.size());
    bytes += chunk.size();
    return true;
  };
  auto fetched = fetch(write);
  if (write_failed) {
    return fail(upgrade_error(
        ErrorKind::unavailable, "write_failed",
        "cannot write the new binary to " + staged.path + ": " + std::strerror(errno)));
  }
  if (!fetched) {
    return fail(upgrade_error(ErrorKind::unavailable, "download_failed",
                              "downloading the new binary failed: " + fetched.error().message));
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&hash, digest.data());
  const std::string actual = hex_of(digest);
  // Checked before the file could ever run: a mismatch leaves the old binary in place.
  if (actual != lower(expected_sha256)) {
    return fail(upgrade_error(ErrorKind::unprocessable, "checksum_mismatch",
                              "the downloaded binary's SHA-256 is " + actual + ", not " +
                                  lower(expected_sha256) + "; the old binary is kept"));
  }
  if (::fchmod(staged.fd, 0755) != 0 || ::fsync(staged.fd) != 0) {
    return fail(
        upgrade_error(ErrorKind::unavailable, "write_failed",
                      "cannot finish the new binary " + staged.path + ": " + std::strerror(errno)));
  }
  ::close(staged.fd);
  staged.fd = -1;
  if (::rename(staged.path.c_str(), executable.c_str()) != 0) {
    return fail(upgrade_error(
        ErrorKind::unavailable, "write_failed",
        "cannot rename the new binary over " + executable.string() + ": " + std::strerror(errno)));
  }
  staged.installed = true;
  // The rename itself survives a crash only once the directory is on disk.
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return ReplacedBinary{.bytes = bytes, .sha256 = actual};
}

std::string current_executable_path() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : path.string();
}

}  // namespace berth::agent
