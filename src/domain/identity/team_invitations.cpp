// TeamService: invitations — issuing, listing, revoking, accepting and registering with one.

#include <fmt/format.h>

#include <optional>

#include "core/time_format.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/team_service.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/notify/mailer.hpp"

namespace berth {

namespace {

std::string invite_url(std::string_view public_url, std::string_view token) {
  std::string_view base = public_url;
  while (!base.empty() && base.back() == '/') {
    base.remove_suffix(1);
  }
  return fmt::format("{}/invite#{}", base, token);
}

}  // namespace

Result<IssuedInvitation> TeamService::invite(const Principal& who, std::string_view team_id,
                                             std::string_view email, Role role,
                                             const ClientInfo& client) {
  auto address = normalize_email(email);
  if (!address) {
    return fail(std::move(address.error()));
  }
  if (!is_team_role(role) || role == Role::owner) {
    return fail(Error::validation(
        "role", "role must be viewer, member or admin; ownership moves only by transfer"));
  }
  const TimePoint now = ctx_.clock().now();
  IssuedInvitation issued{.invitation = {},
                          .token = crypto::random_token(ctx_.random(), kTokenBytes)};
  issued.invitation = InvitationRecord{.id = ctx_.ids().next("inv"),
                                       .team_id = std::string(team_id),
                                       .email = *address,
                                       .role = role,
                                       .token_hash = token_hash(ctx_, issued.token),
                                       .invited_by = who.user_id,
                                       .created_at = now,
                                       .expires_at = now + ctx_.policy.invitation_ttl};
  std::optional<TeamRecord> team;
  std::optional<UserRecord> inviter;
  auto done = write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "invitation.create", issued.invitation.id,
                 std::string(team_id), {{"email", *address}, {"role", role_name(role)}}),
      [&](Tx& tx) -> Result<void> {
        auto held = require_team_role(tx, who, team_id, Role::admin);
        if (!held) {
          return fail(std::move(held.error()));
        }
        if (role == Role::admin && *held != Role::owner) {
          return fail(insufficient_role_error(Role::owner));
        }
        auto existing = tx.find_user_by_email(*address);
        if (!existing) {
          return fail(std::move(existing.error()));
        }
        if (*existing) {
          auto membership = tx.get_membership(team_id, (*existing)->id);
          if (!membership) {
            return fail(std::move(membership.error()));
          }
          if (*membership) {
            return fail(Error::conflict("this address belongs to a member of the team"));
          }
        }
        auto pending = tx.list_pending_invitations(team_id, now);
        if (!pending) {
          return fail(std::move(pending.error()));
        }
        for (const auto& other : *pending) {
          if (other.email == *address) {
            return fail(Error::conflict(
                "this address has a pending invitation; revoke it to send a new one"));
          }
        }
        auto found_team = tx.get_team(team_id);
        auto found_inviter = require_user(tx, who.user_id);
        if (!found_team || !*found_team) {
          return fail(found_team ? Error::not_found("no such team") : found_team.error());
        }
        if (!found_inviter) {
          return fail(std::move(found_inviter.error()));
        }
        team = std::move(**found_team);
        inviter = std::move(*found_inviter);
        return tx.create_invitation(issued.invitation);
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  issued.invite_url = invite_url(ctx_.services.public_url, issued.token);
  if (ctx_.services.mailer == nullptr) {
    return issued;
  }
  // With a mailer the link goes only to the invited address: receiving it is what proves the
  // address is theirs (register_with_invitation trusts it). If it cannot be sent, nobody gets
  // it, so the invitation is withdrawn rather than left dangling.
  if (auto sent = send_invitation(issued, *team, *inviter); !sent) {
    (void)write_audited(
        ctx_.store(),
        make_audit(ctx_, actor_of(who, client), "invitation.revoke", issued.invitation.id,
                   std::string(team_id), {{"reason", "email_failed"}}),
        [&](Tx& tx) -> Result<void> {
          issued.invitation.revoked_at = ctx_.clock().now();
          return tx.update_invitation(issued.invitation);
        });
    Error error = Error::unavailable("the invitation email could not be sent; try again later");
    error.internal_detail =
        sent.error().internal_detail.empty() ? sent.error().message : sent.error().internal_detail;
    return fail(std::move(error));
  }
  issued.emailed = true;
  issued.token.clear();
  issued.invite_url.clear();
  return issued;
}

Result<void> TeamService::send_invitation(const IssuedInvitation& issued, const TeamRecord& team,
                                          const UserRecord& inviter) {
  const std::string role(role_name(issued.invitation.role));
  const Email email{
      .to = issued.invitation.email,
      .subject = fmt::format("{} invited you to {} on Berth", inviter.display_name, team.name),
      .text = fmt::format(
          "{} ({}) invited you to join the team \"{}\" on Berth as {}.\n\n"
          "Accept the invitation here:\n{}\n\n"
          "The link works once and expires at {}. If you did not expect this invitation, you "
          "can ignore this message.\n",
          inviter.display_name, inviter.email, team.name, role, issued.invite_url,
          format_rfc3339(issued.invitation.expires_at))};
  return ctx_.services.mailer->send(email);
}

Result<std::vector<InvitationRecord>> TeamService::list_invitations(const Principal& who,
                                                                    std::string_view team_id) {
  return read_value<std::vector<InvitationRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<InvitationRecord>> {
        if (auto held = require_team_role(tx, who, team_id, Role::admin); !held) {
          return fail(std::move(held.error()));
        }
        return tx.list_pending_invitations(team_id, ctx_.clock().now());
      });
}

Result<void> TeamService::revoke_invitation(const Principal& who, std::string_view team_id,
                                            std::string_view invitation_id,
                                            const ClientInfo& client) {
  return write_audited(ctx_.store(),
                       make_audit(ctx_, actor_of(who, client), "invitation.revoke",
                                  std::string(invitation_id), std::string(team_id)),
                       [&](Tx& tx) -> Result<void> {
                         auto held = require_team_role(tx, who, team_id, Role::admin);
                         if (!held) {
                           return fail(std::move(held.error()));
                         }
                         // Scoped by team: another team's invitation id is simply not found here.
                         auto found = tx.get_invitation(team_id, invitation_id);
                         if (!found) {
                           return fail(std::move(found.error()));
                         }
                         if (!*found || (*found)->revoked_at) {
                           return fail(Error::not_found("no such invitation"));
                         }
                         InvitationRecord& invitation = **found;
                         if (invitation.accepted_at) {
                           return fail(Error::conflict("this invitation was already accepted"));
                         }
                         if (invitation.role == Role::admin && *held != Role::owner) {
                           return fail(insufficient_role_error(Role::owner));
                         }
                         invitation.revoked_at = ctx_.clock().now();
                         return tx.update_invitation(invitation);
                       });
}

Result<InvitationRecord> TeamService::usable_invitation(Tx& tx, std::string_view token) {
  auto found = tx.find_invitation_by_hash(token_hash(ctx_, token));
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found || (*found)->revoked_at) {
    return fail(Error::not_found("this invitation is not valid"));
  }
  if ((*found)->accepted_at) {
    return fail(with_code(Error::conflict("this invitation was already used"), "invitation_used"));
  }
  if ((*found)->expires_at <= ctx_.clock().now()) {
    return fail(with_code(Error::not_found("this invitation has expired; ask for a new one"),
                          "invitation_expired"));
  }
  return std::move(**found);
}

Result<TeamMembershipRow> TeamService::join(Tx& tx, InvitationRecord invitation,
                                            const std::string& user_id) {
  const TimePoint now = ctx_.clock().now();
  auto team = tx.get_team(invitation.team_id);
  if (!team) {
    return fail(std::move(team.error()));
  }
  if (!*team) {
    return fail(Error::not_found("this invitation is not valid"));
  }
  auto current = tx.get_membership(invitation.team_id, user_id);
  if (!current) {
    return fail(std::move(current.error()));
  }
  // Exactly the invited role; someone who already holds more keeps it (never a demotion, and
  // never a second owner).
  Role role = invitation.role;
  if (*current && role_includes((*current)->role, role)) {
    role = (*current)->role;
  } else {
    if (auto saved = tx.put_membership(
            {.team_id = invitation.team_id, .user_id = user_id, .role = role, .created_at = now});
        !saved) {
      return fail(std::move(saved.error()));
    }
  }
  invitation.accepted_at = now;
  invitation.accepted_by = user_id;
  if (auto saved = tx.update_invitation(invitation); !saved) {
    return fail(std::move(saved.error()));
  }
  return TeamMembershipRow{.team = std::move(**team), .role = role};
}

Result<TeamMembershipRow> TeamService::accept_invitation(const Principal& who,
                                                         std::string_view token,
                                                         const ClientInfo& client) {
  if (who.credential == CredentialKind::api_key) {
    return fail(api_key_not_allowed());
  }
  std::optional<TeamMembershipRow> out;
  ChangeGuard changed(ctx_);
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto invitation = usable_invitation(tx, token);
    if (!invitation) {
      return fail(std::move(invitation.error()));
    }
    auto user = require_user(tx, who.user_id);
    if (!user) {
      return fail(std::move(user.error()));
    }
    if (user->email != invitation->email) {
      return fail(Error{.kind = ErrorKind::forbidden,
                        .code = "invitation_email_mismatch",
                        .message = "this invitation is for another email address; sign in "
                                   "with that account to accept it",
                        .details = nlohmann::json::object(),
                        .internal_detail = {}});
    }
    const std::string id = invitation->id;
    const std::string team_id = invitation->team_id;
    auto joined = join(tx, std::move(*invitation), who.user_id);
    if (!joined) {
      return fail(std::move(joined.error()));
    }
    out = std::move(*joined);
    return tx.append_audit(make_audit(ctx_, actor_of(who, client), "invitation.accept", id, team_id,
                                      {{"role", role_name(out->role)}}));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

Result<RegisteredMember> TeamService::register_with_invitation(std::string_view token,
                                                               std::string_view password,
                                                               std::string_view display_name,
                                                               const ClientInfo& client) {
  if (auto ok = check_password(password); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_display_name(display_name); !ok) {
    return fail(std::move(ok.error()));
  }
  // Checked before the Argon2id work, so junk tokens cost little; checked again below.
  if (auto valid = read_value<InvitationRecord>(
          ctx_.store(), [&](Tx& tx) { return usable_invitation(tx, token); });
      !valid) {
    return fail(std::move(valid.error()));
  }
  auto hash = crypto::hash_password(password);
  if (!hash) {
    return fail(std::move(hash.error()));
  }
  std::optional<RegisteredMember> out;
  ChangeGuard changed(ctx_);
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto invitation = usable_invitation(tx, token);
    if (!invitation) {
      return fail(std::move(invitation.error()));
    }
    auto existing = tx.find_user_by_email(invitation->email);
    if (!existing) {
      return fail(std::move(existing.error()));
    }
    if (*existing) {
      return fail(with_code(Error::conflict("an account with this email exists; sign in to accept"),
                            "account_exists"));
    }
    auto user = create_account(ctx_, tx,
                               {.email = invitation->email,
                                .password_hash = *hash,
                                .display_name = std::string(display_name),
                                .is_instance_admin = false});
    if (!user) {
      return fail(std::move(user.error()));
    }
    const Actor actor{.user_id = user->id,
                      .request_id = client.request_id,
                      .source_address = client.source_address};
    const std::string id = invitation->id;
    const std::string team_id = invitation->team_id;
    if (auto logged = tx.append_audit(make_audit(ctx_, actor, "user.register", user->id,
                                                 user->personal_team_id, {{"invitation", id}}));
        !logged) {
      return logged;
    }
    auto joined = join(tx, std::move(*invitation), user->id);
    if (!joined) {
      return fail(std::move(joined.error()));
    }
    out = RegisteredMember{.user = std::move(*user), .membership = std::move(*joined)};
    return tx.append_audit(make_audit(ctx_, actor, "invitation.accept", id, team_id,
                                      {{"role", role_name(out->membership.role)}}));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

}  // namespace berth
