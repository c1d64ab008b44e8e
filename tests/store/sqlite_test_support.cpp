#include "store/sqlite_test_support.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <random>
#include <stdexcept>
#include <system_error>

namespace berth {

RawDb::RawDb(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_close_v2(db_);
    throw std::runtime_error(fmt::format("open {}: {}", path, message));
  }
  sqlite3_busy_timeout(db_, 5000);
}

RawDb::~RawDb() { sqlite3_close_v2(db_); }

void RawDb::exec(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error(fmt::format("{}: {}", sql, text));
  }
}

std::vector<std::vector<std::string>> RawDb::rows(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
      SQLITE_OK) {
    throw std::runtime_error(fmt::format("{}: {}", sql, sqlite3_errmsg(db_)));
  }
  std::vector<std::vector<std::string>> out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int column = 0; column < sqlite3_column_count(statement); ++column) {
      const auto* value = sqlite3_column_text(statement, column);
      row.emplace_back(value != nullptr ? reinterpret_cast<const char*>(value) : "");
    }
    out.push_back(std::move(row));
  }
  const std::string message = sqlite3_errmsg(db_);
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) {
    throw std::runtime_error(fmt::format("{}: {}", sql, message));
  }
  return out;
}

std::string RawDb::text(std::string_view sql) {
  auto all = rows(sql);
  return all.empty() || all[0].empty() ? std::string() : all[0][0];
}

}  // namespace berth
