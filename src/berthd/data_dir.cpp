#include "berthd/data_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace berth {

namespace fs = std::filesystem;

Result<void> prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return fail(
        Error::unavailable(fmt::format("cannot create data directory {}: {}", dir, ec.message())));
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) {
    return fail(Error::unavailable(
        fmt::format("cannot make data directory {} private: {}", dir, ec.message())));
  }
  return {};
}

Result<void> write_private_file(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(Error::unavailable(fmt::format("cannot write {}: {}", path, std::strerror(errno))));
  }
  const auto written = ::write(fd, content.data(), content.size());
  const bool ok = written == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (ok) {
    fs::rename(temporary, path, ec);
  }
  if (!ok || ec) {
    ::unlink(temporary.c_str());
    return fail(Error::unavailable(fmt::format("cannot write {}", path)));
  }
  return {};
}

Result<void> write_port_file(const std::string& path, std::uint16_t port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out) {
      return fail(Error::unavailable(fmt::format("cannot write port file {}", path)));
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    return fail(
        Error::unavailable(fmt::format("cannot write port file {}: {}", path, ec.message())));
  }
  return {};
}

}  // namespace berth
