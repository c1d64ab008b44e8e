// agent.json: written privately, read back, refused when incomplete.

#include "agent/state_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

TEST(StateFileTest, WritesPrivatelyAndReadsBack) {
  testing::TempDir dir;
  const auto state_dir = dir.path() / "nested" / "state";
  ASSERT_TRUE(write_agent_state(
      state_dir,
      {.server_url = "https://b.example", .server_id = "srv_1", .agent_token = "secret"}));
  // 0711: Caddy, maybe another user, reaches handover/ by name; nothing can be listed.
  EXPECT_EQ(fs::status(state_dir).permissions() & fs::perms::all,
            fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  EXPECT_EQ(fs::status(state_dir / "agent.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const auto state = read_agent_state(state_dir);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->server_url, "https://b.example");
  EXPECT_EQ(state->server_id, "srv_1");
  EXPECT_EQ(state->agent_token, "secret");
}

TEST(StateFileTest, MissingOrIncompleteStateIsRefused) {
  testing::TempDir dir;
  const auto missing = read_agent_state(dir.path());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("enroll"), std::string::npos);
  std::ofstream(dir.file("agent.json")) << R"({"server_url":"http://x","server_id":"s"})";
  EXPECT_FALSE(read_agent_state(dir.path()).has_value());
  std::ofstream(dir.file("agent.json")) << "not json";
  EXPECT_FALSE(read_agent_state(dir.path()).has_value());
}

}  // namespace
}  // namespace berth::agent
