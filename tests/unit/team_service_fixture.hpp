#pragma once
// The fixture the TeamService tests share (team_service_test.cpp, team_invitations_test.cpp).
// Not in an anonymous namespace: both files' tests belong to one gtest suite, which needs one
// fixture type.

#include <string>
#include <utility>
#include <vector>

#include "domain/identity/team_service.hpp"
#include "support/identity_fixture.hpp"

namespace berth {

class TeamServiceTest : public testing::IdentityTest {
 protected:
  // A team owned by `owner`, with `others` as members in the given roles (set directly).
  std::string team(const UserRecord& owner,
                   const std::vector<std::pair<const UserRecord*, Role>>& others = {}) {
    auto created = service_.create_team(as(owner), "Platform", client());
    EXPECT_TRUE(created.has_value());
    const std::string id = created ? created->team.id : std::string{};
    for (const auto& [member, role] : others) {
      put(id, *member, role);
    }
    return id;
  }

  // The token of a new invitation (returned because there is no mailer).
  std::string invite(const UserRecord& by, const std::string& team_id, const std::string& email,
                     Role role) {
    auto issued = service_.invite(as(by), team_id, email, role, client());
    EXPECT_TRUE(issued.has_value()) << (issued ? "" : issued.error().message);
    return issued ? issued->token : std::string{};
  }

  TeamService service_{ctx_};
};

}  // namespace berth
