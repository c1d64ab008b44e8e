// The server berthd runs on (enrolled by its local agent with a system token) answers its apps
// at <app>.localhost whatever the machine's hostname: `make run` on a host called `vm` must
// not give apps URLs that resolve nowhere.
#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"
#include "domain/apps/app_service.hpp"
#include "domain/fleet/enrolment_service.hpp"

namespace berth::testing {
namespace {

class LocalServerTest : public DeployTest {
 protected:
  EnrolmentService enrolment_{fleet_, hub_};
};

TEST_F(LocalServerTest, TheLocalAgentsServerIsReachedAtLocalhostAndNamedAfterTheHost) {
  auto minted = enrolment_.mint_for_system(team_, "");
  ASSERT_TRUE(minted.has_value()) << minted.error().message;
  auto enrolled = enrolment_.register_agent(minted->token, {{"hostname", "vm"}}, client());
  ASSERT_TRUE(enrolled.has_value()) << enrolled.error().message;
  auto server = read_value<std::optional<ServerRecord>>(
      *store_, [&](Tx& tx) { return tx.get_server(team_, enrolled->server_id); });
  ASSERT_TRUE(server.has_value() && server->has_value());
  EXPECT_EQ((*server)->address, "localhost");
  EXPECT_EQ((*server)->name, "vm");
  const AppRecord app{.name = "hello"};
  EXPECT_EQ(default_hostname(app, **server, std::nullopt), "hello.localhost");
}

}  // namespace
}  // namespace berth::testing
