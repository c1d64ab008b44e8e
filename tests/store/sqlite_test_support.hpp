#pragma once
/// Helpers for the SQLite backend's tests: a raw sqlite3 connection to inspect or tamper with
/// a database around the store (the temporary directory and clock come from tests/support).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

struct sqlite3;

namespace berth {

using testing::TempDir;

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

using FixedClock = testing::ManualClock;

}  // namespace berth
