#pragma once
// A private temporary directory for one test, removed with its contents afterwards.

#include <filesystem>
#include <string>
#include <string_view>

namespace berth::testing {

/// A new, uniquely named directory (mode 0700) under the system temp directory.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// A path inside the directory, as a string.
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace berth::testing
