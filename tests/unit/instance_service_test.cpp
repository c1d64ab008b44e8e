#include "domain/instance/instance_service.hpp"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

class InstanceServiceTest : public ::testing::Test {
 protected:
  InstanceServiceTest() {
    auto opened = SqliteStore::open({.path = dir_.file("berth.db")});
    EXPECT_TRUE(opened.has_value());
    store_ = std::move(*opened);
  }
  ~InstanceServiceTest() override { store_->close(); }

  std::vector<AuditEntry> audit() {
    auto page = read_value<Page<AuditEntry>>(*store_, [](Tx& tx) { return tx.list_audit({}); });
    EXPECT_TRUE(page.has_value());
    return page ? page->items : std::vector<AuditEntry>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  testing::ManualClock clock_;
  testing::CountingRandom random_;
  IdGenerator ids_{clock_, random_};
};

TEST_F(InstanceServiceTest, FirstStartRecordsTheInstanceAndAuditsIt) {
  InstanceService service(*store_, clock_, ids_);
  auto info = service.initialize();
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->first_start);
  EXPECT_TRUE(is_valid_id("ins", info->instance_id));
  EXPECT_EQ(info->created_at, "2025-11-24T16:00:00.000Z");

  const auto entries = audit();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].action, "instance.initialize");
  EXPECT_EQ(entries[0].actor, "system");
  EXPECT_EQ(entries[0].target, info->instance_id);
}

TEST_F(InstanceServiceTest, LaterStartsKeepTheIdAndAuditNothing) {
  InstanceService service(*store_, clock_, ids_);
  const auto first = service.initialize();
  clock_.advance(std::chrono::hours(24));
  const auto second = service.initialize();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(second->first_start);
  EXPECT_EQ(second->instance_id, first->instance_id);
  EXPECT_EQ(second->created_at, first->created_at);
  EXPECT_EQ(audit().size(), 1U);
}

}  // namespace
}  // namespace berth
