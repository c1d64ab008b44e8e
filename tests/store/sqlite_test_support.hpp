#pragma once
/// Helpers for the SQLite backend's tests: a private temporary directory, a raw sqlite3
/// connection to inspect or tamper with a database around the store, and a fixed clock.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

struct sqlite3;

namespace berth {

/// A new, uniquely named directory under the system temp directory, removed with its contents
/// when this object is destroyed.
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

/// A plain sqlite3 connection, opened without the store. Failures throw std::runtime_error:
/// in a test they are set-up bugs, not outcomes under test.
class RawDb {
 public:
  explicit RawDb(const std::string& path);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  /// Runs constant SQL (several statements allowed).
  void exec(std::string_view sql);
  /// Every row of `sql`, each column as text.
  std::vector<std::vector<std::string>> rows(std::string_view sql);
  /// The first column of the first row ("" when there is none).
  std::string text(std::string_view sql);

 private:
  sqlite3* db_ = nullptr;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint time) : time_(time) {}
  TimePoint now() const override { return time_; }

 private:
  TimePoint time_;
};

}  // namespace berth
