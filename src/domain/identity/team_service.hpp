#pragma once
/// Teams, their members, ownership and invitations. Every method checks the caller's role in
/// the team itself, inside the transaction (the router's check comes first; this one cannot be
/// raced or skipped): a caller who is not a member gets Error::not_found, one whose role is too
/// low a 403 `insufficient_role`. An API key acts only in its own team and never above its own
/// role. Every change is audited in the same transaction and drops cached role checks.
/// All methods block on the store (and the mailer): call them from a worker thread. Thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "domain/identity/team_teardown.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

/// 1-63 characters (code points), not blank, without control characters; else
/// Error::validation on `field`.
Result<void> check_team_name(std::string_view name, std::string_view field = "name");

/// An invitation just made. With a mailer the link went to the invited address and `token` and
/// `invite_url` are empty; without one they are given here once, for the inviter to pass on.
struct IssuedInvitation {
  InvitationRecord invitation;
  bool emailed = false;
  std::string token = {};
  std::string invite_url = {};  // <public_url>/invite#<token>
};

/// A colleague who had no account: the account made from an invitation, and the team joined.
struct RegisteredMember {
  UserRecord user;
  TeamMembershipRow membership;
};

class TeamService {
 public:
  explicit TeamService(IdentityContext& ctx) : ctx_(ctx) {}
  /// Told about the servers a team deletion removed. Set once, before any request.
  void set_teardown(TeamTeardown* teardown) { teardown_ = teardown; }

  // Teams.
  /// The caller's teams with their role; for an API key only its own team.
  Result<std::vector<TeamMembershipRow>> list_teams(const Principal& who);
  /// A new team owned by the caller. Error::forbidden for API keys (they act in one team).
  Result<TeamMembershipRow> create_team(const Principal& who, std::string_view name,
                                        const ClientInfo& client);
  /// The team and the caller's role in it (viewer and up).
  Result<TeamMembershipRow> get_team(const Principal& who, std::string_view team_id);
  /// Admin and up.
  Result<TeamMembershipRow> rename_team(const Principal& who, std::string_view team_id,
                                        std::string_view name, const ClientInfo& client);
  /// Owner only; Error::conflict for a personal team, and conflict `team_has_apps` (details:
  /// the apps) while it still has apps: deleting them first stops their containers and drops
  /// their routes, which cannot happen once their servers are gone. Members, keys,
  /// invitations and servers go too; the servers' agents are disconnected (TeamTeardown) and
  /// their tokens stop working.
  Result<void> delete_team(const Principal& who, std::string_view team_id,
                           const ClientInfo& client);

  // Members. Admins manage members and viewers; only the owner manages admins. The owner's
  // membership changes only by transfer_ownership.
  Result<std::vector<MemberRow>> list_members(const Principal& who, std::string_view team_id);
  /// `role` is viewer, member or admin (else Error::validation); making or changing an admin
  /// needs the owner; the owner's own role is Error::conflict. Not a member: Error::not_found.
  Result<MemberRow> set_member_role(const Principal& who, std::string_view team_id,
                                    std::string_view user_id, Role role, const ClientInfo& client);
  /// Anyone may leave (except the owner: Error::conflict; not through an API key); removing
  /// someone else needs admin, removing an admin the owner.
  Result<void> remove_member(const Principal& who, std::string_view team_id,
                             std::string_view user_id, const ClientInfo& client);
  /// Owner only: `user_id` (a member; else Error::not_found) becomes the owner and the caller
  /// an admin. Error::conflict for a personal team or for oneself.
  Result<void> transfer_ownership(const Principal& who, std::string_view team_id,
                                  std::string_view user_id, const ClientInfo& client);

  // Invitations (team_invitations.cpp).
  /// Admin and up; `role` viewer, member or admin (admin needs the owner). Error::conflict when
  /// the address is a member already or has a pending invitation. With a mailer, a failed send
  /// revokes the invitation again and answers Error::unavailable.
  Result<IssuedInvitation> invite(const Principal& who, std::string_view team_id,
                                  std::string_view email, Role role, const ClientInfo& client);
  /// Admin and up: invitations neither accepted, revoked nor expired, newest first.
  Result<std::vector<InvitationRecord>> list_invitations(const Principal& who,
                                                         std::string_view team_id);
  /// Admin and up (the owner for an admin invitation). Error::not_found for an unknown,
  /// another team's or an already revoked invitation; Error::conflict once accepted.
  Result<void> revoke_invitation(const Principal& who, std::string_view team_id,
                                 std::string_view invitation_id, const ClientInfo& client);
  /// The signed-in caller joins with the invitation's role (keeping a higher role they hold).
  /// Unknown or revoked: 404; expired: 404 `invitation_expired`; used: 409 `invitation_used`;
  /// for another address: 403 `invitation_email_mismatch`.
  Result<TeamMembershipRow> accept_invitation(const Principal& who, std::string_view token,
                                              const ClientInfo& client);
  /// For a colleague without an account: creates one with the invitation's address and joins.
  /// The same token errors as accept_invitation; 409 `account_exists` when the address has an
  /// account (sign in and accept instead). Does not sign in.
  Result<RegisteredMember> register_with_invitation(std::string_view token,
                                                    std::string_view password,
                                                    std::string_view display_name,
                                                    const ClientInfo& client);

 private:
  /// The invitation behind a raw token when it can still be accepted.
  Result<InvitationRecord> usable_invitation(Tx& tx, std::string_view token);
  /// Makes `user_id` a member with the invitation's role (or keeps a higher one) and marks the
  /// invitation used.
  Result<TeamMembershipRow> join(Tx& tx, InvitationRecord invitation, const std::string& user_id);
  Result<void> send_invitation(const IssuedInvitation& issued, const TeamRecord& team,
                               const UserRecord& inviter);

  IdentityContext& ctx_;
  TeamTeardown* teardown_ = nullptr;
};

/// Error::forbidden `api_key_not_allowed`: for what only a signed-in user may do.
Error api_key_not_allowed();

}  // namespace berth
