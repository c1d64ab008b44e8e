// The Store contract, part 1: the fixture, settings and transaction semantics.
#include "store/store_contract.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace berth {

std::string describe(const Error& error) {
  return fmt::format("{} {}: {} [{}]", default_code(error.kind), error.code, error.message,
                     error.internal_detail);
}

TimePoint test_time(int seconds, int millis) {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 22} + hours{10} + std::chrono::seconds{seconds} +
         milliseconds{millis};
}

std::string test_audit_id(int n) { return fmt::format("aud_{:026}", n); }

AuditEntry test_audit(int n, std::string actor, std::string action, std::string team_id) {
  return AuditEntry{.id = test_audit_id(n),
                    .at = test_time(n),
                    .actor = std::move(actor),
                    .action = std::move(action),
                    .target = "",
                    .team_id = std::move(team_id),
                    .request_id = "",
                    .source_address = "",
                    .details = nlohmann::json::object()};
}

std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

void StoreContract::SetUp() {
  instance_ = GetParam().make();
  ASSERT_NE(instance_, nullptr);
  auto opened = instance_->open();
  ASSERT_TRUE(opened.has_value()) << describe(opened.error());
  store_ = std::move(*opened);
}

void StoreContract::TearDown() {
  if (store_) {
    store_->close();
  }
  store_.reset();
  instance_.reset();
}

void StoreContract::reopen() {
  store_->close();
  store_.reset();
  auto opened = instance_->open();
  ASSERT_TRUE(opened.has_value()) << describe(opened.error());
  store_ = std::move(*opened);
}

Result<void> put_setting(Store& store, std::string_view key, std::string_view value) {
  return store.write([&](Tx& tx) { return tx.put_setting(key, value, test_time(0)); });
}

std::string setting_value(Store& store, std::string_view key) {
  auto value =
      read_value<std::optional<std::string>>(store, [&](Tx& tx) { return tx.get_setting(key); });
  if (!value) {
    return "<error: " + describe(value.error()) + ">";
  }
  return value->value_or("<missing>");
}

std::int64_t audit_total(Store& store) {
  auto total = read_value<std::int64_t>(store, [](Tx& tx) -> Result<std::int64_t> {
    auto page = tx.list_audit({});
    if (!page) {
      return fail(std::move(page.error()));
    }
    return page->total;
  });
  return total.value_or(-1);
}

namespace {

struct Boom : std::runtime_error {
  Boom() : std::runtime_error("boom") {}
};

}  // namespace

TEST_P(StoreContract, MissingSettingIsNullopt) {
  EXPECT_EQ(setting_value(store(), "no.such.key"), "<missing>");
}

TEST_P(StoreContract, PutSettingThenGetIt) {
  BERTH_ASSERT_OK(put_setting(store(), "instance.name", "berth-1"));
  EXPECT_EQ(setting_value(store(), "instance.name"), "berth-1");
}

TEST_P(StoreContract, PutSettingOverwrites) {
  BERTH_ASSERT_OK(put_setting(store(), "instance.name", "first"));
  BERTH_ASSERT_OK(put_setting(store(), "instance.name", "second"));
  EXPECT_EQ(setting_value(store(), "instance.name"), "second");
  auto all = read_value<std::map<std::string, std::string>>(
      store(), [](Tx& tx) { return tx.list_settings(); });
  BERTH_ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1U);
}

TEST_P(StoreContract, ListSettingsReturnsEverySetting) {
  auto empty = read_value<std::map<std::string, std::string>>(
      store(), [](Tx& tx) { return tx.list_settings(); });
  BERTH_ASSERT_OK(empty);
  EXPECT_TRUE(empty->empty());

  BERTH_ASSERT_OK(put_setting(store(), "b", "2"));
  BERTH_ASSERT_OK(put_setting(store(), "a", "1"));
  BERTH_ASSERT_OK(put_setting(store(), "c", "3"));
  auto all = read_value<std::map<std::string, std::string>>(
      store(), [](Tx& tx) { return tx.list_settings(); });
  BERTH_ASSERT_OK(all);
  const std::map<std::string, std::string> expected{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(*all, expected);
}

TEST_P(StoreContract, SettingValuesRoundTripExactly) {
  // Values are bound, never spliced into SQL: quotes and the like must come back unchanged.
  const std::map<std::string, std::string> values{
      {"empty", ""},
      {"quotes", "it's \"quoted\"; DROP TABLE instance_settings; --"},
      {"unicode", "Grüße, 世界 ✓"},
      {"lines", "one\ntwo\r\nthree\ttab"},
      {"it's a key", "key with a quote"},
  };
  for (const auto& [key, value] : values) {
    BERTH_ASSERT_OK(put_setting(store(), key, value));
  }
  auto all = read_value<std::map<std::string, std::string>>(
      store(), [](Tx& tx) { return tx.list_settings(); });
  BERTH_ASSERT_OK(all);
  EXPECT_EQ(*all, values);
}

TEST_P(StoreContract, ReadSeesCommittedWrites) {
  BERTH_ASSERT_OK(put_setting(store(), "k", "v1"));
  EXPECT_EQ(setting_value(store(), "k"), "v1");
  BERTH_ASSERT_OK(put_setting(store(), "k", "v2"));
  EXPECT_EQ(setting_value(store(), "k"), "v2");
}

TEST_P(StoreContract, WriteSeesItsOwnChanges) {
  BERTH_ASSERT_OK(store().write([](Tx& tx) -> Result<void> {
    if (auto done = tx.put_setting("k", "mine", test_time(1)); !done) {
      return done;
    }
    auto value = tx.get_setting("k");
    EXPECT_TRUE(value.has_value());
    EXPECT_EQ(value.value_or(std::nullopt), "mine");
    return {};
  }));
}

TEST_P(StoreContract, WriteRollsBackWhenFnFails) {
  BERTH_ASSERT_OK(put_setting(store(), "kept", "before"));
  auto result = store().write([](Tx& tx) -> Result<void> {
    if (auto done = tx.put_setting("kept", "after", test_time(1)); !done) {
      return done;
    }
    if (auto done = tx.put_setting("new", "value", test_time(1)); !done) {
      return done;
    }
    return fail(Error::unprocessable("the domain said no"));
  });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::unprocessable);
  EXPECT_EQ(result.error().message, "the domain said no");
  EXPECT_EQ(setting_value(store(), "kept"), "before");
  EXPECT_EQ(setting_value(store(), "new"), "<missing>");
}

TEST_P(StoreContract, WriteAuditedCommitsChangeAndEntryTogether) {
  BERTH_ASSERT_OK(write_audited(store(), test_audit(1),
                                [](Tx& tx) { return tx.put_setting("k", "v", test_time(1)); }));
  EXPECT_EQ(setting_value(store(), "k"), "v");
  EXPECT_EQ(audit_total(store()), 1);
}

TEST_P(StoreContract, WriteAuditedRollsBackBothWhenFnFails) {
  auto result = write_audited(store(), test_audit(1), [](Tx& tx) -> Result<void> {
    if (auto done = tx.put_setting("k", "v", test_time(1)); !done) {
      return done;
    }
    return fail(Error::conflict("already initialised"));
  });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::conflict);
  EXPECT_EQ(setting_value(store(), "k"), "<missing>");
  EXPECT_EQ(audit_total(store()), 0);
}

TEST_P(StoreContract, WriteAuditedRollsBackChangeWhenAppendFails) {
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.append_audit(test_audit(1)); }));
  // The same audit id again: the append violates the primary key after fn already wrote.
  auto result = write_audited(store(), test_audit(1),
                              [](Tx& tx) { return tx.put_setting("k", "v", test_time(2)); });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::conflict) << describe(result.error());
  EXPECT_EQ(setting_value(store(), "k"), "<missing>");
  EXPECT_EQ(audit_total(store()), 1);
}

TEST_P(StoreContract, WriteRollsBackAndRethrowsWhenFnThrows) {
  EXPECT_THROW((void)store().write([](Tx& tx) -> Result<void> {
    (void)tx.put_setting("k", "v", test_time(1));
    (void)tx.append_audit(test_audit(1));
    throw Boom();
  }),
               Boom);
  EXPECT_EQ(setting_value(store(), "k"), "<missing>");
  EXPECT_EQ(audit_total(store()), 0);
  // The writer was released and its transaction ended: the next write works.
  BERTH_ASSERT_OK(put_setting(store(), "k", "later"));
  EXPECT_EQ(setting_value(store(), "k"), "later");
}

TEST_P(StoreContract, ReadReturnsFnError) {
  auto result = store().read([](Tx&) -> Result<void> { return fail(Error::not_found()); });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::not_found);
}

TEST_P(StoreContract, ReadRethrowsAndStaysUsable) {
  // More throwing reads than any reader pool holds: a leaked connection would hang the last.
  for (int i = 0; i < 20; ++i) {
    EXPECT_THROW((void)store().read([](Tx&) -> Result<void> { throw Boom(); }), Boom);
  }
  BERTH_ASSERT_OK(put_setting(store(), "k", "v"));
  EXPECT_EQ(setting_value(store(), "k"), "v");
}

TEST_P(StoreContract, ReadTransactionCannotWrite) {
  auto result = store().read([](Tx& tx) { return tx.put_setting("k", "v", test_time(1)); });
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(setting_value(store(), "k"), "<missing>");
}

}  // namespace berth
