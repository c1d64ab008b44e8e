#include "domain/identity/team_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "domain/identity/accounts.hpp"
#include "domain/kernel/audit.hpp"

namespace berth {

namespace {

Error owner_protected(std::string message) {
  return with_code(Error::conflict(std::move(message)), "owner_protected");
}

// Deleting a team with apps would strand their containers and routes on servers berthd no
// longer manages: the apps are deleted first (that cleans them up on their servers).
Result<void> refuse_with_apps(Tx& tx, std::string_view team_id) {
  constexpr std::int64_t kListed = 20;
  auto apps = tx.list_apps(AppQuery{.team_id = std::string(team_id), .per_page = kListed});
  if (!apps) {
    return fail(std::move(apps.error()));
  }
  if (apps->total == 0) {
    return {};
  }
  nlohmann::json listed = nlohmann::json::array();
  for (const auto& app : apps->items) {
    listed.push_back({{"id", app.id}, {"name", app.name}, {"server_id", app.server_id}});
  }
  Error error = Error::conflict(fmt::format(
      "the team still has {} app(s): delete them first, so their containers are stopped and "
      "their routes removed",
      apps->total));
  error.code = "team_has_apps";
  error.details = {{"app_count", apps->total}, {"apps", std::move(listed)}};
  return fail(std::move(error));
}

// Every server of the team, all pages: their agents are disconnected once the team is gone.
Result<std::vector<std::string>> team_server_ids(Tx& tx, std::string_view team_id) {
  constexpr std::int64_t kPerPage = 500;
  std::vector<std::string> ids;
  for (std::int64_t page = 1;; ++page) {
    auto servers = tx.list_servers(team_id, "", page, kPerPage);
    if (!servers) {
      return fail(std::move(servers.error()));
    }
    for (const auto& server : servers->items) {
      ids.push_back(server.id);
    }
    if (servers->items.empty() || std::ssize(ids) >= servers->total) {
      return ids;
    }
  }
}

// The member as listed, or nullopt when the user is not a member of this team.
Result<std::optional<MemberRow>> find_member(Tx& tx, std::string_view team_id,
                                             std::string_view user_id) {
  auto membership = tx.get_membership(team_id, user_id);
  if (!membership) {
    return fail(std::move(membership.error()));
  }
  if (!*membership) {
    return std::optional<MemberRow>{};
  }
  auto user = require_user(tx, user_id);
  if (!user) {
    return fail(std::move(user.error()));
  }
  return std::optional<MemberRow>(MemberRow{.membership = std::move(**membership),
                                            .email = std::move(user->email),
                                            .display_name = std::move(user->display_name)});
}

Result<MemberRow> require_member(Tx& tx, std::string_view team_id, std::string_view user_id) {
  auto member = find_member(tx, team_id, user_id);
  if (!member) {
    return fail(std::move(member.error()));
  }
  if (!*member) {
    return fail(Error::not_found("no such member"));
  }
  return std::move(**member);
}

Result<TeamRecord> require_team(Tx& tx, std::string_view team_id) {
  auto team = tx.get_team(team_id);
  if (!team) {
    return fail(std::move(team.error()));
  }
  if (!*team) {
    return fail(Error::not_found("no such team"));
  }
  return std::move(**team);
}

}  // namespace

Error api_key_not_allowed() {
  return Error{.kind = ErrorKind::forbidden,
               .code = "api_key_not_allowed",
               .message = "API keys act only in their own team; sign in to do this",
               .details = nlohmann::json::object(),
               .internal_detail = {}};
}

Result<void> check_team_name(std::string_view name, std::string_view field) {
  const auto length = std::count_if(name.begin(), name.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  });
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  const bool blank = std::all_of(name.begin(), name.end(), [](char c) { return c == ' '; });
  if (length < 1 || length > 63 || control || blank) {
    return fail(Error::validation(std::string(field),
                                  "team names must be 1-63 characters without control characters"));
  }
  return {};
}

Result<std::vector<TeamMembershipRow>> TeamService::list_teams(const Principal& who) {
  auto rows = read_value<std::vector<TeamMembershipRow>>(
      ctx_.store(), [&](Tx& tx) { return tx.list_user_teams(who.user_id); });
  if (!rows) {
    return rows;
  }
  return visible_memberships(who, std::move(*rows));
}

Result<TeamMembershipRow> TeamService::create_team(const Principal& who, std::string_view name,
                                                   const ClientInfo& client) {
  if (who.credential == CredentialKind::api_key) {
    return fail(api_key_not_allowed());
  }
  if (auto ok = check_team_name(name); !ok) {
    return fail(std::move(ok.error()));
  }
  const TimePoint now = ctx_.clock().now();
  TeamMembershipRow out{.team = TeamRecord{.id = ctx_.ids().next("team"),
                                           .name = std::string(name),
                                           .personal = false,
                                           .created_at = now},
                        .role = Role::owner};
  ChangeGuard changed(ctx_);
  auto done = write_audited(ctx_.store(),
                            make_audit(ctx_, actor_of(who, client), "team.create", out.team.id,
                                       out.team.id, {{"name", out.team.name}}),
                            [&](Tx& tx) -> Result<void> {
                              if (auto created = tx.create_team(out.team); !created) {
                                return created;
                              }
                              return tx.put_membership({.team_id = out.team.id,
                                                        .user_id = who.user_id,
                                                        .role = Role::owner,
                                                        .created_at = now});
                            });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return out;
}

Result<TeamMembershipRow> TeamService::get_team(const Principal& who, std::string_view team_id) {
  return read_value<TeamMembershipRow>(ctx_.store(), [&](Tx& tx) -> Result<TeamMembershipRow> {
    auto role = require_team_role(tx, who, team_id, Role::viewer);
    if (!role) {
      return fail(std::move(role.error()));
    }
    auto team = require_team(tx, team_id);
    if (!team) {
      return fail(std::move(team.error()));
    }
    return TeamMembershipRow{.team = std::move(*team), .role = *role};
  });
}

Result<TeamMembershipRow> TeamService::rename_team(const Principal& who, std::string_view team_id,
                                                   std::string_view name,
                                                   const ClientInfo& client) {
  if (auto ok = check_team_name(name); !ok) {
    return fail(std::move(ok.error()));
  }
  ChangeGuard changed(ctx_);  // cached /me answers show team names
  std::optional<TeamMembershipRow> out;
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "team.update", std::string(team_id),
                               std::string(team_id), {{"name", name}}),
                    [&](Tx& tx) -> Result<void> {
                      auto role = require_team_role(tx, who, team_id, Role::admin);
                      if (!role) {
                        return fail(std::move(role.error()));
                      }
                      auto team = require_team(tx, team_id);
                      if (!team) {
                        return fail(std::move(team.error()));
                      }
                      team->name = std::string(name);
                      if (auto saved = tx.update_team(*team); !saved) {
                        return saved;
                      }
                      out = TeamMembershipRow{.team = std::move(*team), .role = *role};
                      return {};
                    });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

Result<void> TeamService::delete_team(const Principal& who, std::string_view team_id,
                                      const ClientInfo& client) {
  ChangeGuard changed(ctx_);
  std::vector<std::string> servers;
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "team.delete", std::string(team_id),
                               std::string(team_id)),
                    [&](Tx& tx) -> Result<void> {
                      if (auto role = require_team_role(tx, who, team_id, Role::owner); !role) {
                        return fail(std::move(role.error()));
                      }
                      auto team = require_team(tx, team_id);
                      if (!team) {
                        return fail(std::move(team.error()));
                      }
                      if (team->personal) {
                        return fail(Error::conflict("a personal team cannot be deleted"));
                      }
                      if (auto apps = refuse_with_apps(tx, team_id); !apps) {
                        return apps;
                      }
                      auto found = team_server_ids(tx, team_id);
                      if (!found) {
                        return fail(std::move(found.error()));
                      }
                      servers = std::move(*found);
                      return tx.delete_team(team_id);
                    });
  if (done && teardown_ != nullptr && !servers.empty()) {
    teardown_->servers_removed(servers);
  }
  return done;
}

Result<std::vector<MemberRow>> TeamService::list_members(const Principal& who,
                                                         std::string_view team_id) {
  return read_value<std::vector<MemberRow>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<MemberRow>> {
        if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
          return fail(std::move(role.error()));
        }
        return tx.list_members(team_id);
      });
}

Result<MemberRow> TeamService::set_member_role(const Principal& who, std::string_view team_id,
                                               std::string_view user_id, Role role,
                                               const ClientInfo& client) {
  if (!is_team_role(role) || role == Role::owner) {
    return fail(Error::validation(
        "role", "role must be viewer, member or admin; ownership moves only by transfer"));
  }
  std::optional<MemberRow> out;
  nlohmann::json details = {{"role", role_name(role)}};
  ChangeGuard changed(ctx_);
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto held = require_team_role(tx, who, team_id, Role::admin);
    if (!held) {
      return fail(std::move(held.error()));
    }
    auto member = require_member(tx, team_id, user_id);
    if (!member) {
      return fail(std::move(member.error()));
    }
    const Role previous = member->membership.role;
    if (previous == Role::owner) {
      return fail(owner_protected("the owner's role changes only by transferring ownership"));
    }
    // Admins manage members and viewers; admins themselves answer only to the owner.
    if ((role == Role::admin || previous == Role::admin) && *held != Role::owner) {
      return fail(insufficient_role_error(Role::owner));
    }
    member->membership.role = role;
    if (auto saved = tx.put_membership(member->membership); !saved) {
      return saved;
    }
    details["previous_role"] = role_name(previous);
    out = std::move(*member);
    return tx.append_audit(make_audit(ctx_, actor_of(who, client), "member.update",
                                      std::string(user_id), std::string(team_id), details));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

Result<void> TeamService::remove_member(const Principal& who, std::string_view team_id,
                                        std::string_view user_id, const ClientInfo& client) {
  const bool self = user_id == who.user_id;
  // Leaving is the user's own decision; a key (perhaps read-only) must not make it for them.
  if (self && who.credential == CredentialKind::api_key) {
    return fail(api_key_not_allowed());
  }
  ChangeGuard changed(ctx_);
  return ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto held = acting_team_role(tx, who, team_id);
    if (!held) {
      return fail(std::move(held.error()));
    }
    // Someone who may not manage members learns nothing about who else is in the team.
    if (!self && !role_includes(*held, Role::admin)) {
      return fail(insufficient_role_error(Role::admin));
    }
    auto member = require_member(tx, team_id, user_id);
    if (!member) {
      return fail(std::move(member.error()));
    }
    const Role role = member->membership.role;
    if (role == Role::owner) {
      return fail(owner_protected(self ? "the owner cannot leave; transfer ownership first"
                                       : "the owner cannot be removed"));
    }
    if (!self && role == Role::admin && *held != Role::owner) {
      return fail(insufficient_role_error(Role::owner));
    }
    if (auto removed = tx.delete_membership(team_id, user_id); !removed) {
      return removed;
    }
    return tx.append_audit(make_audit(ctx_, actor_of(who, client), "member.remove",
                                      std::string(user_id), std::string(team_id),
                                      {{"role", role_name(role)}, {"self", self}}));
  });
}

Result<void> TeamService::transfer_ownership(const Principal& who, std::string_view team_id,
                                             std::string_view user_id, const ClientInfo& client) {
  ChangeGuard changed(ctx_);
  return write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "team.transfer", std::string(user_id),
                 std::string(team_id), {{"from", who.user_id}, {"to", user_id}}),
      [&](Tx& tx) -> Result<void> {
        if (auto held = require_team_role(tx, who, team_id, Role::owner); !held) {
          return fail(std::move(held.error()));
        }
        auto team = require_team(tx, team_id);
        if (!team) {
          return fail(std::move(team.error()));
        }
        // A personal team stays with the user it belongs to (users.personal_team_id).
        if (team->personal) {
          return fail(Error::conflict("a personal team cannot be transferred"));
        }
        if (user_id == who.user_id) {
          return fail(Error::conflict("you already own this team"));
        }
        auto target = require_member(tx, team_id, user_id);
        if (!target) {
          return fail(std::move(target.error()));
        }
        auto previous = tx.get_membership(team_id, who.user_id);
        if (!previous) {
          return fail(std::move(previous.error()));
        }
        if (!*previous) {
          return fail(Error::not_found("no such team"));
        }
        target->membership.role = Role::owner;
        (*previous)->role = Role::admin;
        if (auto saved = tx.put_membership(target->membership); !saved) {
          return saved;
        }
        return tx.put_membership(**previous);
      });
}

}  // namespace berth
