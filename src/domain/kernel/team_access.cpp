#include "domain/kernel/team_access.hpp"

namespace berth {

Result<Role> acting_team_role(Tx& tx, const Principal& who, std::string_view team_id) {
  if (who.credential == CredentialKind::api_key && who.key_team_id != team_id) {
    return fail(Error::not_found("no such team"));
  }
  auto membership = tx.get_membership(team_id, who.user_id);
  if (!membership) {
    return fail(std::move(membership.error()));
  }
  if (!*membership) {
    return fail(Error::not_found("no such team"));
  }
  Role role = (*membership)->role;
  if (who.credential == CredentialKind::api_key && !role_includes(who.key_role, role)) {
    role = who.key_role;
  }
  return role;
}

std::vector<TeamMembershipRow> visible_memberships(const Principal& who,
                                                   std::vector<TeamMembershipRow> rows) {
  if (who.credential != CredentialKind::api_key) {
    return rows;
  }
  std::vector<TeamMembershipRow> own;
  for (auto& row : rows) {
    if (row.team.id == who.key_team_id) {
      if (!role_includes(who.key_role, row.role)) {
        row.role = who.key_role;
      }
      own.push_back(std::move(row));
    }
  }
  return own;
}

Result<Role> require_team_role(Tx& tx, const Principal& who, std::string_view team_id,
                               Role needed) {
  auto role = acting_team_role(tx, who, team_id);
  if (!role) {
    return role;
  }
  if (!role_includes(*role, needed)) {
    return fail(insufficient_role_error(needed));
  }
  return role;
}

}  // namespace berth
