// The fleet's rules about berthd's own work on a server.
//
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

// An SSH adoption runs in berthd: when the adopted server's agent says hello while it is still
// running, the agent must not be sent it (it would answer unknown_kind and fail the adoption).
TEST_F(LocalServerTest, AJobBerthdRunsItselfIsNeverSentToTheAgent) {
  auto adoption =
      jobs_.create_internal(team_, server_.id, "ssh.adopt", nlohmann::json::object(), owner_.id);
  ASSERT_TRUE(adoption.has_value()) << adoption.error().message;
  auto exec = jobs_.create_internal(team_, server_.id, "exec", nlohmann::json::object(), owner_.id);
  ASSERT_TRUE(exec.has_value()) << exec.error().message;

  auto in_flight = ledger_.in_flight(server_.id);
  ASSERT_TRUE(in_flight.has_value());
  ASSERT_EQ(in_flight->size(), 1U);
  EXPECT_EQ(in_flight->front().kind, "exec");
}

}  // namespace
}  // namespace berth::testing
