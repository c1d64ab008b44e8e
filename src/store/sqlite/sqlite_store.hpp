#pragma once
/// The embedded SQLite backend of Store: one database file in WAL mode, one writer connection
/// (write transactions are serialised by a mutex and start with BEGIN IMMEDIATE) and a small
/// pool of reader connections, so reads run alongside the writer and each other.
/// Only the composition root (berthd) names this class; everything else sees Store.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "store/migration.hpp"
#include "store/store.hpp"

namespace berth {

class SqliteConnection;

struct SqliteOptions {
  std::string path{};                            // the database file; created 0600 when missing
  int read_connections = 4;                      // reader pool size, at least 1
  std::chrono::milliseconds busy_timeout{5000};  // wait for another process's lock this long
  const Clock* clock = nullptr;  // stamps applied migrations, during open() only; null: system
};

/// What one connection reports about its own settings (for start-up logs and tests).
struct SqliteConnectionInfo {
  bool writer = false;
  std::string journal_mode;  // "wal"
  bool foreign_keys = false;
  std::int64_t synchronous = 0;  // 1 = NORMAL
  std::int64_t busy_timeout_ms = 0;
  bool query_only = false;  // true on readers
};

class SqliteStore final : public Store {
 public:
  /// Opens (creating if needed) the database at options.path, switches it to WAL and applies
  /// the missing embedded migrations, each in its own transaction. Fails `unavailable` when
  /// the file cannot be opened or its schema is newer than this binary knows, `invalid` on bad
  /// options, `internal` when a migration fails (nothing of that migration is kept).
  static Result<std::unique_ptr<Store>> open(const SqliteOptions& options);

  /// The same with another list of migrations (versions 1, 2, ... in order); for tests.
  static Result<std::unique_ptr<Store>> open(const SqliteOptions& options,
                                             std::span<const Migration> migrations);

  /// Closes the store (see close()).
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// Thread-safe. Waits for a free reader connection. `fn` must not call read() again (with
  /// every reader taken that would wait for ever) nor close().
  Result<void> read(const std::function<Result<void>(Tx&)>& fn) override;

  /// Thread-safe; writers queue on one mutex. A write() from inside `fn` fails `internal`
  /// instead of deadlocking. `fn` must not call close().
  Result<void> write(const std::function<Result<void>(Tx&)>& fn) override;

  Result<int> schema_version() override;

  /// Waits for running transactions, then finalises statements and closes every connection.
  /// Idempotent; later read/write/schema_version fail `unavailable` ("store is closed").
  void close() override;

  /// The writer's settings first, then each reader's. Waits until no read is running.
  Result<std::vector<SqliteConnectionInfo>> connection_info();

 private:
  SqliteStore(std::unique_ptr<SqliteConnection> writer,
              std::vector<std::unique_ptr<SqliteConnection>> readers);

  /// Runs fn on an idle reader connection (waiting for one); `unavailable` once closed.
  Result<void> with_reader(const std::function<Result<void>(SqliteConnection&)>& fn);

  /// Runs fn between `begin` and COMMIT on `connection`; rolls back on error or exception.
  static Result<void> run_transaction(SqliteConnection& connection, std::string_view begin,
                                      const std::function<Result<void>(Tx&)>& fn);

  std::mutex writer_mutex_;
  std::unique_ptr<SqliteConnection> writer_;      // null once closed; guarded by writer_mutex_
  std::atomic<std::thread::id> writer_thread_{};  // the thread inside write(), to catch nesting

  std::mutex pool_mutex_;
  std::condition_variable pool_changed_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;  // guarded by pool_mutex_
  std::vector<SqliteConnection*> idle_readers_;             // guarded by pool_mutex_
  bool closed_ = false;                                     // guarded by pool_mutex_
};

}  // namespace berth
