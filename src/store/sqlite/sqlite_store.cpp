#include "store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_migrate.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/sqlite_tx.hpp"

namespace berth {

namespace {

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  F f_;
};

Error closed_error() { return Error::unavailable("store is closed"); }

// SQLite would create the file 0644 (less the umask), but the database holds password hashes
// and encrypted secrets. Creating it 0600 first is enough: SQLite gives -wal and -shm the mode
// of the database file.
Result<void> create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  const int saved_errno = errno;
  if (saved_errno == EEXIST) {
    return {};
  }
  Error error = Error::unavailable(fmt::format("cannot create the database file {}", path));
  error.internal_detail = std::error_code(saved_errno, std::generic_category()).message();
  return fail(std::move(error));
}

Result<SqliteConnectionInfo> describe(SqliteConnection& connection, bool writer) {
  SqliteConnectionInfo info;
  info.writer = writer;
  auto journal_mode = connection.query_text("PRAGMA journal_mode");
  if (!journal_mode) {
    return fail(std::move(journal_mode.error()));
  }
  info.journal_mode = std::move(*journal_mode);
  std::int64_t foreign_keys = 0;
  std::int64_t query_only = 0;
  for (const auto& [sql, out] : {std::pair{"PRAGMA foreign_keys", &foreign_keys},
                                 std::pair{"PRAGMA synchronous", &info.synchronous},
                                 std::pair{"PRAGMA busy_timeout", &info.busy_timeout_ms},
                                 std::pair{"PRAGMA query_only", &query_only}}) {
    auto value = connection.query_int(sql);
    if (!value) {
      return fail(std::move(value.error()));
    }
    *out = *value;
  }
  info.foreign_keys = foreign_keys != 0;
  info.query_only = query_only != 0;
  return info;
}

}  // namespace

Result<std::unique_ptr<Store>> SqliteStore::open(const SqliteOptions& options) {
  return open(options, sqlite_migrations());
}

Result<std::unique_ptr<Store>> SqliteStore::open(const SqliteOptions& options,
                                                 std::span<const Migration> migrations) {
  if (options.path.empty()) {
    return fail(Error::invalid("the database path is empty"));
  }
  if (options.read_connections < 1) {
    return fail(Error::invalid("read_connections must be at least 1"));
  }
  if (auto created = create_private_file(options.path); !created) {
    return fail(std::move(created.error()));
  }

  auto writer = SqliteConnection::open(options.path, /*create=*/true, options.busy_timeout);
  if (!writer) {
    return fail(std::move(writer.error()));
  }
  // WAL lets readers work while the writer writes; it is recorded in the file, so readers
  // opened afterwards use it too. It can be refused (e.g. on some network filesystems).
  auto journal_mode = (*writer)->query_text("PRAGMA journal_mode = WAL");
  if (!journal_mode) {
    return fail(std::move(journal_mode.error()));
  }
  if (*journal_mode != "wal") {
    Error error = Error::unavailable(
        fmt::format("cannot switch the database {} to WAL journal mode", options.path));
    error.internal_detail = fmt::format("journal_mode is {}", *journal_mode);
    return fail(std::move(error));
  }
  // In WAL mode NORMAL is still corruption-safe; only the last commits before a power loss
  // may be lost, and every commit avoids an fsync.
  if (auto done = (*writer)->exec("PRAGMA synchronous = NORMAL"); !done) {
    return fail(std::move(done.error()));
  }

  static const SystemClock system_clock{};
  const Clock& clock = options.clock != nullptr ? *options.clock : system_clock;
  if (auto migrated = apply_migrations(**writer, migrations, clock); !migrated) {
    return fail(std::move(migrated.error()));
  }

  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    auto reader = SqliteConnection::open(options.path, /*create=*/false, options.busy_timeout);
    if (!reader) {
      return fail(std::move(reader.error()));
    }
    // A Tx from read() then cannot write, even by mistake.
    if (auto done = (*reader)->exec("PRAGMA query_only = ON"); !done) {
      return fail(std::move(done.error()));
    }
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(*writer), std::move(readers)));
}

SqliteStore::SqliteStore(std::unique_ptr<SqliteConnection> writer,
                         std::vector<std::unique_ptr<SqliteConnection>> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {
  for (const auto& reader : readers_) {
    idle_readers_.push_back(reader.get());
  }
}

SqliteStore::~SqliteStore() { close(); }

Result<void> SqliteStore::read(const std::function<Result<void>(Tx&)>& fn) {
  return with_reader(
      [&](SqliteConnection& connection) { return run_transaction(connection, "BEGIN", fn); });
}

Result<void> SqliteStore::write(const std::function<Result<void>(Tx&)>& fn) {
  if (writer_thread_.load() == std::this_thread::get_id()) {
    return fail(Error::internal("write() called inside a write transaction"));
  }
  std::lock_guard lock(writer_mutex_);
  if (!writer_) {
    return fail(closed_error());
  }
  writer_thread_.store(std::this_thread::get_id());
  ScopeExit clear_thread([this] { writer_thread_.store(std::thread::id{}); });
  // IMMEDIATE takes the write lock up front, so a busy database fails here, before fn runs,
  // rather than at its first write.
  return run_transaction(*writer_, "BEGIN IMMEDIATE", fn);
}

Result<int> SqliteStore::schema_version() {
  int version = 0;
  auto done = with_reader([&](SqliteConnection& connection) -> Result<void> {
    auto recorded = recorded_schema_version(connection);
    if (!recorded) {
      return fail(std::move(recorded.error()));
    }
    version = *recorded;
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return version;
}

void SqliteStore::close() {
  {
    std::unique_lock lock(pool_mutex_);
    closed_ = true;
    pool_changed_.notify_all();
    pool_changed_.wait(lock, [this] { return idle_readers_.size() == readers_.size(); });
    idle_readers_.clear();
    readers_.clear();
  }
  // Readers close first: the last connection to close checkpoints the WAL into the file.
  std::lock_guard lock(writer_mutex_);
  writer_.reset();
}

Result<std::vector<SqliteConnectionInfo>> SqliteStore::connection_info() {
  std::vector<SqliteConnectionInfo> infos;
  {
    std::lock_guard lock(writer_mutex_);
    if (!writer_) {
      return fail(closed_error());
    }
    auto info = describe(*writer_, /*writer=*/true);
    if (!info) {
      return fail(std::move(info.error()));
    }
    infos.push_back(std::move(*info));
  }
  std::unique_lock lock(pool_mutex_);
  pool_changed_.wait(lock, [this] { return closed_ || idle_readers_.size() == readers_.size(); });
  if (closed_) {
    return fail(closed_error());
  }
  for (const auto& reader : readers_) {
    auto info = describe(*reader, /*writer=*/false);
    if (!info) {
      return fail(std::move(info.error()));
    }
    infos.push_back(std::move(*info));
  }
  return infos;
}

Result<void> SqliteStore::with_reader(const std::function<Result<void>(SqliteConnection&)>& fn) {
  SqliteConnection* connection = nullptr;
  {
    std::unique_lock lock(pool_mutex_);
    pool_changed_.wait(lock, [this] { return closed_ || !idle_readers_.empty(); });
    if (closed_) {
      return fail(closed_error());
    }
    connection = idle_readers_.back();
    idle_readers_.pop_back();
  }
  // Returned even when fn throws, or close() would wait for it for ever.
  ScopeExit give_back([this, connection] {
    {
      std::lock_guard lock(pool_mutex_);
      idle_readers_.push_back(connection);
    }
    pool_changed_.notify_all();
  });
  return fn(*connection);
}

Result<void> SqliteStore::run_transaction(SqliteConnection& connection, std::string_view begin,
                                          const std::function<Result<void>(Tx&)>& fn) {
  // A connection left inside a transaction (a rollback that failed) would refuse BEGIN forever.
  connection.rollback();
  {
    auto statement = connection.prepare(begin);
    if (!statement) {
      return fail(std::move(statement.error()));
    }
    if (auto began = statement->run(); !began) {
      return began;
    }
  }
  SqliteTx tx(connection);
  Result<void> outcome;
  try {
    outcome = fn(tx);
  } catch (...) {
    connection.rollback();
    throw;
  }
  if (!outcome) {
    connection.rollback();
    return outcome;
  }
  auto committed = [&connection]() -> Result<void> {
    auto commit = connection.prepare("COMMIT");
    if (!commit) {
      return fail(std::move(commit.error()));
    }
    return commit->run();
  }();
  if (!committed) {
    connection.rollback();
    return committed;
  }
  return {};
}

}  // namespace berth
