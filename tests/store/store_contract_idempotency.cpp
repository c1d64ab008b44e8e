// The Store contract: idempotency keys (claimed, completed once, forgotten by age).
#include <fmt/format.h>

#include <string>

#include "store/store_contract_records.hpp"

namespace berth {

namespace {

// Key "key-n" of `scope`, claimed at test_time(n), not completed.
IdempotencyRecord test_claim(int n, std::string scope = "usr_0001") {
  return IdempotencyRecord{.scope = std::move(scope),
                           .key = fmt::format("key-{}", n),
                           .fingerprint = fmt::format("fingerprint-{}", n),
                           .created_at = test_time(n)};
}

std::string claim_text(const std::optional<IdempotencyRecord>& record) {
  if (!record) {
    return "<none>";
  }
  return fmt::format("{} {} {} created={} completed={} answer={}", record->scope, record->key,
                     record->fingerprint, time_text(record->created_at),
                     time_text(record->completed_at), record->answer_sealed);
}

std::string stored_claim(Store& store, std::string_view scope, std::string_view key) {
  auto found = read_tx(store, [&](Tx& tx) { return tx.get_idempotency_key(scope, key); });
  return found ? claim_text(*found) : "<error: " + describe(found.error()) + ">";
}

Result<void> create_claims(Store& store, const std::vector<IdempotencyRecord>& claims) {
  return store.write([&](Tx& tx) { return create_each(claims, &Tx::create_idempotency_key, tx); });
}

}  // namespace

TEST_P(StoreContract, IdempotencyKeysRoundTripEveryFieldPerScope) {
  IdempotencyRecord full = test_claim(1);
  full.completed_at = test_time(2, 5);
  full.answer_sealed = "sealed-answer";
  // The same key in another scope is another row.
  BERTH_ASSERT_OK(create_claims(store(), {full, test_claim(1, "key_0001")}));
  EXPECT_EQ(stored_claim(store(), "usr_0001", "key-1"), claim_text(full));
  EXPECT_EQ(stored_claim(store(), "key_0001", "key-1"), claim_text(test_claim(1, "key_0001")));
  EXPECT_EQ(stored_claim(store(), "usr_0002", "key-1"), "<none>");
  // A scope has each key once: a second claim is refused, and the first stays as it was.
  IdempotencyRecord again = test_claim(1);
  again.fingerprint = "other";
  EXPECT_EQ(error_kind(create_claims(store(), {again})), ErrorKind::conflict);
  EXPECT_EQ(stored_claim(store(), "usr_0001", "key-1"), claim_text(full));
}

TEST_P(StoreContract, AnIdempotencyKeyIsCompletedWithItsAnswer) {
  BERTH_ASSERT_OK(create_claims(store(), {test_claim(1)}));
  BERTH_ASSERT_OK(store().write([](Tx& tx) {
    return tx.complete_idempotency_key("usr_0001", "key-1", "answer", test_time(3));
  }));
  IdempotencyRecord done = test_claim(1);
  done.completed_at = test_time(3);
  done.answer_sealed = "answer";
  EXPECT_EQ(stored_claim(store(), "usr_0001", "key-1"), claim_text(done));
  EXPECT_EQ(error_kind(store().write([](Tx& tx) {
              return tx.complete_idempotency_key("usr_0002", "key-1", "answer", test_time(3));
            })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, AnIdempotencyKeyIsDeletedAloneAndPrunedByAge) {
  BERTH_ASSERT_OK(create_claims(
      store(), {test_claim(1), test_claim(2), test_claim(3), test_claim(1, "usr_0002")}));
  auto deleted = write_value<bool>(
      store(), [](Tx& tx) { return tx.delete_idempotency_key("usr_0001", "key-2"); });
  ASSERT_TRUE(deleted.has_value()) << describe(deleted.error());
  EXPECT_TRUE(*deleted);
  auto missing = write_value<bool>(
      store(), [](Tx& tx) { return tx.delete_idempotency_key("usr_0001", "key-2"); });
  ASSERT_TRUE(missing.has_value()) << describe(missing.error());
  EXPECT_FALSE(*missing);
  EXPECT_EQ(stored_claim(store(), "usr_0001", "key-2"), "<none>");

  // Created strictly before the cut: key-1 of both scopes go, key-3 stays.
  auto pruned = write_value<std::int64_t>(
      store(), [](Tx& tx) { return tx.prune_idempotency_keys(test_time(3)); });
  ASSERT_TRUE(pruned.has_value()) << describe(pruned.error());
  EXPECT_EQ(*pruned, 2);
  EXPECT_EQ(stored_claim(store(), "usr_0001", "key-1"), "<none>");
  EXPECT_EQ(stored_claim(store(), "usr_0002", "key-1"), "<none>");
  EXPECT_EQ(stored_claim(store(), "usr_0001", "key-3"), claim_text(test_claim(3)));
}

}  // namespace berth
