// The Store contract, part 3: concurrency, schema version, close and reopen.
#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/store_contract.hpp"

namespace berth {

namespace {

// Bounds every wait, so that a broken backend fails the test instead of hanging it.
constexpr auto kDeadline = std::chrono::seconds(30);

}  // namespace

TEST_P(StoreContract, ConcurrentWritersAllLand) {
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        const std::string key = "thread" + std::to_string(t) + ".key" + std::to_string(i);
        if (!put_setting(store(), key, std::to_string(i))) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  auto all = read_value<std::map<std::string, std::string>>(
      store(), [](Tx& tx) { return tx.list_settings(); });
  BERTH_ASSERT_OK(all);
  EXPECT_EQ(all->size(), static_cast<std::size_t>(kThreads * kWritesPerThread));
  EXPECT_EQ(setting_value(store(), "thread3.key49"), "49");
}

TEST_P(StoreContract, ReadersSeeWholeTransactionsWhileAWriterWrites) {
  BERTH_ASSERT_OK(store().write([](Tx& tx) -> Result<void> {
    if (auto done = tx.put_setting("a", "0", test_time(0)); !done) {
      return done;
    }
    return tx.put_setting("b", "0", test_time(0));
  }));
  constexpr int kWrites = 100;
  std::atomic<bool> writing{true};
  std::atomic<int> torn{0};
  std::atomic<int> went_back{0};
  std::atomic<int> errors{0};
  std::atomic<int> reads{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      int last = 0;
      do {
        std::string a;
        std::string b;
        auto done = store().read([&](Tx& tx) -> Result<void> {
          auto va = tx.get_setting("a");
          auto vb = tx.get_setting("b");
          if (!va || !vb || !*va || !*vb) {
            return fail(Error::internal("a or b missing"));
          }
          a = **va;
          b = **vb;
          return {};
        });
        ++reads;
        if (!done) {
          ++errors;
          continue;
        }
        if (a != b) {
          ++torn;  // saw half of a transaction
        }
        const int now = std::stoi(a);
        if (now < last) {
          ++went_back;  // saw an older state after a newer one
        }
        last = now;
      } while (writing.load());
    });
  }
  for (int i = 1; i <= kWrites; ++i) {
    const std::string value = std::to_string(i);
    BERTH_EXPECT_OK(store().write([&](Tx& tx) -> Result<void> {
      if (auto done = tx.put_setting("a", value, test_time(i)); !done) {
        return done;
      }
      return tx.put_setting("b", value, test_time(i));
    }));
  }
  writing = false;
  for (auto& reader : readers) {
    reader.join();
  }
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(went_back.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(reads.load(), 3);
  EXPECT_EQ(setting_value(store(), "a"), std::to_string(kWrites));
}

TEST_P(StoreContract, ReadDuringAnOpenWriteSeesTheLastCommit) {
  BERTH_ASSERT_OK(put_setting(store(), "k", "committed"));
  std::promise<void> inside_write;
  std::promise<void> read_done;
  auto read_done_future = read_done.get_future();
  std::future<Result<void>> writer = std::async(std::launch::async, [&] {
    return store().write([&](Tx& tx) -> Result<void> {
      if (auto done = tx.put_setting("k", "uncommitted", test_time(1)); !done) {
        return done;
      }
      inside_write.set_value();
      // Hold the write transaction open until the reader has looked.
      if (read_done_future.wait_for(kDeadline) != std::future_status::ready) {
        return fail(Error::internal("the reader never finished"));
      }
      return {};
    });
  });
  ASSERT_EQ(inside_write.get_future().wait_for(kDeadline), std::future_status::ready);
  // The read must not wait for the writer, and must not see its uncommitted change.
  EXPECT_EQ(setting_value(store(), "k"), "committed");
  read_done.set_value();
  ASSERT_EQ(writer.wait_for(kDeadline), std::future_status::ready);
  auto written = writer.get();
  BERTH_ASSERT_OK(written);
  EXPECT_EQ(setting_value(store(), "k"), "uncommitted");
}

TEST_P(StoreContract, SchemaVersionIsTheLatestMigration) {
  auto version = store().schema_version();
  BERTH_ASSERT_OK(version);
  EXPECT_GE(*version, 1);
  EXPECT_EQ(*version, instance_->latest_schema_version());
}

TEST_P(StoreContract, ClosedStoreIsUnavailable) {
  store().close();
  auto read = store().read([](Tx&) -> Result<void> { return {}; });
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(read.error().message, "store is closed");

  bool ran = false;
  auto write = store().write([&](Tx&) -> Result<void> {
    ran = true;
    return {};
  });
  ASSERT_FALSE(write.has_value());
  EXPECT_EQ(write.error().kind, ErrorKind::unavailable);
  EXPECT_FALSE(ran);

  auto version = store().schema_version();
  ASSERT_FALSE(version.has_value());
  EXPECT_EQ(version.error().kind, ErrorKind::unavailable);

  store().close();  // closing twice is harmless
}

TEST_P(StoreContract, ReopeningKeepsDataAndDoesNotReapplyMigrations) {
  BERTH_ASSERT_OK(write_audited(store(), test_audit(1), [](Tx& tx) {
    return tx.put_setting("instance.name", "kept", test_time(1));
  }));
  const auto before = instance_->recorded_migrations();
  ASSERT_EQ(before.size(), static_cast<std::size_t>(instance_->latest_schema_version()));
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].version, static_cast<int>(i) + 1);
  }

  reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(setting_value(store(), "instance.name"), "kept");
  EXPECT_EQ(audit_total(store()), 1);
  EXPECT_EQ(store().schema_version().value_or(-1), instance_->latest_schema_version());
  // Same rows, same applied_at: nothing ran a second time.
  EXPECT_EQ(instance_->recorded_migrations(), before);
}

}  // namespace berth
