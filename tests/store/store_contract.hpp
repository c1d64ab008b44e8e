#pragma once
/// The Store contract: what every storage backend must do, written once against the Store
/// interface (as Kea's GenericLeaseMgrTest is) and run by each backend's own test file.
///
/// A backend binds the suite in one file of its own: a StoreFixtureInstance that makes a fresh
/// database, and
///
///   INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
///                            ::testing::Values(StoreBackend{"postgres", make_postgres_db}),
///                            store_backend_name);
///
/// compiled together with ${berth_store_contract_sources} (see tests/store/CMakeLists.txt).
/// Every TEST_P here then runs once per backend bound into the binary.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/store.hpp"

namespace berth {

/// One migration as the backend's schema_migrations table records it.
struct MigrationRecord {
  int version = 0;
  std::string applied_at;
  bool operator==(const MigrationRecord&) const = default;
  friend void PrintTo(const MigrationRecord& record, std::ostream* out) {
    *out << record.version << " at " << record.applied_at;
  }
};

/// One fresh, empty database of a backend, owned by one test and removed when destroyed.
class StoreFixtureInstance {
 public:
  virtual ~StoreFixtureInstance() = default;
  /// Opens a Store on this database; every call opens the same database (to test reopening).
  virtual Result<std::unique_ptr<Store>> open() = 0;
  /// The highest migration version the backend's binary knows.
  virtual int latest_schema_version() const = 0;
  /// The rows of the migrations table, read around the Store (ordered by version).
  virtual std::vector<MigrationRecord> recorded_migrations() = 0;
};

/// "kind code: message [internal detail]", for assertion messages.
std::string describe(const Error& error);

/// Asserts that a Result holds a value, printing the error when it does not.
#define BERTH_ASSERT_OK(expr)                                                  \
  do {                                                                         \
    auto&& berth_result_ = (expr);                                             \
    ASSERT_TRUE(berth_result_.has_value()) << describe(berth_result_.error()); \
  } while (false)
#define BERTH_EXPECT_OK(expr)                                                  \
  do {                                                                         \
    auto&& berth_result_ = (expr);                                             \
    EXPECT_TRUE(berth_result_.has_value()) << describe(berth_result_.error()); \
  } while (false)

/// A fixed test time: 2026-11-22T10:00:00Z plus `seconds` and `millis`.
TimePoint test_time(int seconds, int millis = 0);

/// A well-formed audit id whose order follows `n` ("aud_000...0042").
std::string test_audit_id(int n);

/// An audit entry with test values: id test_audit_id(n), at test_time(n).
AuditEntry test_audit(int n, std::string actor = "usr_alice",
                      std::string action = "settings.update", std::string team_id = "");

/// Writes one setting in its own write transaction.
Result<void> put_setting(Store& store, std::string_view key, std::string_view value);

/// A setting's value in its own read transaction: "<missing>" when absent, "<error: ...>" on
/// failure, so that expectations print well.
std::string setting_value(Store& store, std::string_view key);

/// The number of audit entries, or -1 when listing fails.
std::int64_t audit_total(Store& store);

struct StoreBackend {
  std::string name;  // a GoogleTest parameter name: letters, digits, '_'
  std::function<std::unique_ptr<StoreFixtureInstance>()> make;
  friend void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }
};

/// Names the instantiated tests after the backend ("StoreContract.SettingsOverwrite/sqlite").
std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info);

class StoreContract : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  /// Closes the store and opens the same database again.
  void reopen();

  std::unique_ptr<StoreFixtureInstance> instance_;
  std::unique_ptr<Store> store_;
};

}  // namespace berth
