#include "cli/credentials.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace berth::cli {
namespace {

Error insecure(const std::filesystem::path& path, unsigned mode) {
  Error error;
  error.kind = ErrorKind::unauthenticated;
  error.code = "insecure_credentials";
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode & 07777U);
  error.message = "refusing to read " + path.string() + ": its mode " + octal +
                  " lets other users read it; run `chmod 600 " + path.string() +
                  "` if you trust it, or `berth login` again";
  return error;
}

nlohmann::json to_json(const Credential& c) {
  return {{"url", c.url},
          {"email", c.email},
          {"team", c.team},
          {"refresh_token", c.refresh_token},
          {"access_token", c.access_token},
          {"access_expires_at", c.access_expires_at}};
}

Credential from_json(const nlohmann::json& j) {
  return Credential{.url = j.value("url", ""),
                    .email = j.value("email", ""),
                    .team = j.value("team", ""),
                    .refresh_token = j.value("refresh_token", ""),
                    .access_token = j.value("access_token", ""),
                    .access_expires_at = j.value("access_expires_at", 0LL)};
}

}  // namespace

std::filesystem::path config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/') {
    return std::filesystem::path(xdg) / "berth";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".config" / "berth";
}

std::filesystem::path credential_path() { return config_dir() / "credentials.json"; }

Result<CredentialFile> read_credentials() {
  const auto path = credential_path();
  // Opened first and checked on the descriptor, so the file checked is the file read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return CredentialFile{};
    }
    return fail(Error::invalid("cannot open " + path.string() + ": " + std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || (info.st_mode & 077U) != 0) {
    ::close(fd);
    return fail(insecure(path, info.st_mode));
  }
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) {
    return fail(Error::invalid(path.string() + " is not valid JSON; remove it and log in again"));
  }
  CredentialFile file{.current = json.value("current", "")};
  if (json.contains("contexts") && json["contexts"].is_object()) {
    for (const auto& [name, value] : json["contexts"].items()) {
      file.contexts[name] = from_json(value);
    }
  }
  return file;
}

Result<void> write_credentials(const CredentialFile& file) {
  const auto dir = config_dir();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  nlohmann::json json{{"current", file.current}, {"contexts", nlohmann::json::object()}};
  for (const auto& [name, credential] : file.contexts) {
    json["contexts"][name] = to_json(credential);
  }
  const auto temp = dir / ".credentials.json.tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail(Error::invalid("cannot write " + temp.string() + ": " + std::strerror(errno)));
  }
  ::fchmod(fd, 0600);
  const std::string text = json.dump(2) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced || ::rename(temp.c_str(), credential_path().c_str()) != 0) {
    return fail(Error::invalid("cannot write " + credential_path().string()));
  }
  return {};
}

CredentialLock::CredentialLock() {
  std::error_code ec;
  std::filesystem::create_directories(config_dir(), ec);
  ::chmod(config_dir().c_str(), 0700);
  fd_ = ::open((config_dir() / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_EX);
  }
}

CredentialLock::~CredentialLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace berth::cli
