#pragma once
/// The storage interface every backend implements (SQLite now, PostgreSQL later) and the one
/// contract test suite (tests/store/store_contract.hpp) that each backend must pass.
///
/// Work happens inside transactions: Store::read / Store::write hand a Tx to a function and
/// commit only when it succeeds. All calls block; call them from a worker thread (see
/// http/offload.hpp), never from an I/O thread.

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace berth {

/// One audit log row: who did what to which target, when, from where.
struct AuditEntry {
  std::string id;  // "aud_…"
  TimePoint at;
  std::string actor;           // a user id, "system", or later an API key id
  std::string action;          // dotted verb, e.g. "instance.initialize", "server.cordon"
  std::string target;          // the id of the resource acted on ("" when none)
  std::string team_id;         // "" for instance-wide actions
  std::string request_id;      // "" for actions not caused by a request
  std::string source_address;  // "" for actions not caused by a request
  nlohmann::json details = nlohmann::json::object();
};

struct AuditQuery {
  std::string team_id = {};  // "" = any team
  std::string actor = {};    // "" = any actor
  std::string action = {};   // "" = any action
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;
};

/// The operations of one transaction. Valid only inside the function given to read/write.
class Tx {
 public:
  virtual ~Tx() = default;

  // Instance settings: small key/value pairs owned by the instance (not by a team).
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Result<void> put_setting(std::string_view key, std::string_view value, TimePoint at) = 0;
  virtual Result<std::map<std::string, std::string>> list_settings() = 0;

  // Audit log: append-only; newest first when listed.
  virtual Result<void> append_audit(const AuditEntry& entry) = 0;
  virtual Result<Page<AuditEntry>> list_audit(const AuditQuery& query) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Runs `fn` in a read-only transaction. Returns fn's error, or a store error.
  virtual Result<void> read(const std::function<Result<void>(Tx&)>& fn) = 0;

  /// Runs `fn` in a write transaction: committed when fn succeeds, rolled back when it fails
  /// or throws (the exception is rethrown). Writers are serialised.
  virtual Result<void> write(const std::function<Result<void>(Tx&)>& fn) = 0;

  /// The highest migration applied to this database.
  virtual Result<int> schema_version() = 0;

  /// Finishes outstanding work and releases the database; later calls fail `unavailable`.
  virtual void close() = 0;
};

/// A write transaction that runs `fn` and appends `entry` to the audit log; both commit or
/// neither does. Every mutation that a user can cause goes through this.
inline Result<void> write_audited(Store& store, const AuditEntry& entry,
                                  const std::function<Result<void>(Tx&)>& fn) {
  return store.write([&](Tx& tx) -> Result<void> {
    if (auto done = fn(tx); !done) {
      return done;
    }
    return tx.append_audit(entry);
  });
}

/// Runs `fn` in a read transaction and returns its value.
template <class T>
Result<T> read_value(Store& store, const std::function<Result<T>(Tx&)>& fn) {
  std::optional<T> out;
  auto done = store.read([&](Tx& tx) -> Result<void> {
    auto value = fn(tx);
    if (!value) {
      return fail(std::move(value.error()));
    }
    out = std::move(*value);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

}  // namespace berth
