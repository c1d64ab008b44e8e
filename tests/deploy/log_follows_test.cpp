// `logs?follow` streams are capped per user and per app: each holds a docker.logs job, and so an
// agent thread, for up to an hour. A refused follow starts no job; an ended one frees its place.
#include "domain/deploy/log_follows.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "deploy/deploy_fixture.hpp"

namespace berth::testing {
namespace {

TEST(LogFollows, CapsEachUserAndEachApp) {
  LogFollows follows({.per_user = 2, .per_app = 3});
  std::vector<std::shared_ptr<LogFollows::Slot>> held;
  for (int i = 0; i < 2; ++i) {
    auto slot = follows.reserve("usr_a", "app_1");
    ASSERT_TRUE(slot);
    held.push_back(*slot);
  }
  const auto user_full = follows.reserve("usr_a", "app_2");
  ASSERT_FALSE(user_full);
  EXPECT_EQ(user_full.error().kind, ErrorKind::rate_limited);
  EXPECT_NE(user_full.error().message.find("you already follow 2"), std::string::npos);

  auto third = follows.reserve("usr_b", "app_1");
  ASSERT_TRUE(third);
  const auto app_full = follows.reserve("usr_c", "app_1");
  ASSERT_FALSE(app_full);
  EXPECT_EQ(app_full.error().kind, ErrorKind::rate_limited);
  EXPECT_NE(app_full.error().message.find("this app already has 3"), std::string::npos);

  held.pop_back();  // a stream ended
  EXPECT_TRUE(follows.reserve("usr_a", "app_2"));
  EXPECT_TRUE(follows.reserve("usr_c", "app_1"));
}

TEST(LogFollows, ASlotMayOutliveTheCounter) {
  std::shared_ptr<LogFollows::Slot> slot;
  {
    LogFollows follows;
    slot = *follows.reserve("usr_a", "app_1");
  }
  slot.reset();  // must not touch freed memory (ASan watches)
}

class OpenLogsTest : public DeployTest {
 protected:
  OpenLogsTest() {
    app_ = add_app("web", {{"type", "image"}, {"image", "registry.test/web:1"}});
    DeploymentRecord running{.id = ids_.next("dep"),
                             .team_id = team_,
                             .app_id = app_.id,
                             .server_id = server_.id,
                             .state = DeploymentState::succeeded,
                             .created_at = clock_.now()};
    running.container_name = "berth-web-1";
    app_.current_deployment_id = running.id;
    app_.status = "running";
    EXPECT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
      if (auto made = tx.create_deployment(running); !made) {
        return made;
      }
      return tx.update_app(app_);
    }));
  }
  Result<DeploymentService::OpenedLogs> open(bool follow) {
    return deployments_->open_logs(as(owner_), team_, app_.id, follow, 10);
  }
  std::size_t jobs() {
    auto page = jobs_.list(as(owner_), team_, server_.id, {});
    return page ? static_cast<std::size_t>(page->total) : 0;
  }
  AppRecord app_;
};

TEST_F(OpenLogsTest, AFollowPastTheUsersCapIsRefusedWithoutAJob) {
  std::vector<DeploymentService::OpenedLogs> open_follows;
  for (int i = 0; i < LogFollows::Limits{}.per_user; ++i) {
    auto opened = open(true);
    ASSERT_TRUE(opened) << opened.error().message;
    ASSERT_TRUE(opened->follow_slot);
    open_follows.push_back(std::move(*opened));
  }
  const std::size_t before = jobs();
  const auto refused = open(true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::rate_limited);
  EXPECT_EQ(jobs(), before);

  const auto once = open(false);  // a plain read ends by itself: not capped
  ASSERT_TRUE(once);
  EXPECT_FALSE(once->follow_slot);

  open_follows.pop_back();  // its stream ended
  EXPECT_TRUE(open(true));
}

}  // namespace
}  // namespace berth::testing
