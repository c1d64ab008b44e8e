// berth keys …, berth members ls, berth invite, berth audit: who may do what in a team.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <utility>

#include "cli/command.hpp"
#include "cli/credentials.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kKeyColumns = {
    {"ID", "id"},           {"NAME", "name"},          {"ROLE", "role"},
    {"PREVIEW", "preview"}, {"EXPIRES", "expires_at"}, {"LAST USED", "last_used_at"}};
const std::vector<Column> kMemberColumns = {{"USER", "user_id"},
                                            {"EMAIL", "email"},
                                            {"NAME", "display_name"},
                                            {"ROLE", "role"},
                                            {"JOINED", "joined_at"}};
const std::vector<Column> kAuditColumns = {{"AT", "at"},
                                           {"ACTION", "action"},
                                           {"ACTOR", "actor"},
                                           {"TARGET", "target"},
                                           {"OUTCOME", "outcome"}};

// The team the request acts in: --team, else the API key's team, else the personal team.
Result<std::string> current_team(Api& api) {
  if (!api.team_id().empty()) {
    return api.team_id();
  }
  auto me = api.get("/api/v1/me");
  if (!me) {
    return fail(std::move(me.error()));
  }
  if ((*me)["api_key"].is_object()) {
    return cell(*me, "api_key.team_id");
  }
  return cell(*me, "user.personal_team_id");
}

const std::vector<std::string> kRoles = {"viewer", "member", "admin", "owner"};

const std::vector<Column> kTeamColumns = {{"ID", "id"},
                                          {"NAME", "name"},
                                          {"ROLE", "role"},
                                          {"PERSONAL", "personal"},
                                          {"CREATED", "created_at"}};
const std::vector<Column> kInvitationColumns = {{"ID", "id"},
                                                {"EMAIL", "email"},
                                                {"ROLE", "role"},
                                                {"INVITED BY", "invited_by"},
                                                {"EXPIRES", "expires_at"}};

// "/api/v1/teams/<team>/members/<user id>" for a user id or a member's email.
Result<std::string> member_path(Api& api, const std::string& user) {
  auto team = current_team(api);
  if (!team) {
    return fail(std::move(team.error()));
  }
  const std::string members = "/api/v1/teams/" + *team + "/members";
  if (user.starts_with("usr_")) {
    return members + "/" + user;
  }
  auto items = api.list_all(members);
  if (!items) {
    return fail(std::move(items.error()));
  }
  for (const auto& item : *items) {
    if (item.value("email", "") == user) {
      return members + "/" + item.value("user_id", "");
    }
  }
  return fail(Error::not_found("no member with the email " + user));
}

// `teams use`: the context's default team (what `--team` is when not given).
int use_team(Api& api, const std::string& team, bool personal) {
  if (const char* token = std::getenv("BERTH_TOKEN"); token != nullptr && *token != '\0') {
    return complain("BERTH_TOKEN is set: there is no context to change; set BERTH_TEAM instead",
                    kUsage);
  }
  if (team.empty() != personal) {
    return complain("give a team, or --personal", kUsage);
  }
  std::string id;
  if (!personal) {
    auto found = api.resolve("teams", team);
    if (!found) {
      return report(found.error());
    }
    id = *found;
  }
  CredentialLock lock;
  auto file = read_credentials();
  if (!file) {
    return report(file.error());
  }
  const auto name = context_name(api.options(), *file);
  const auto found = file->contexts.find(name);
  if (found == file->contexts.end()) {
    return complain("not signed in (context " + name + ")", kNotAuthorized);
  }
  found->second.team = id;
  if (auto written = write_credentials(*file); !written) {
    return report(written.error());
  }
  if (api.options().json) {
    fmt::print("{}\n", nlohmann::json{{"context", name}, {"team", id}}.dump(2));
  } else if (api.options().quiet) {
    fmt::print("{}\n", id);
  } else {
    fmt::print("Context {} now acts in {}\n", name, personal ? "your personal team" : team);
  }
  return kOk;
}

// --since: "30m", "2h", "7d", "45s", or an RFC 3339 UTC time / date, as a timestamp that
// compares with the API's (RFC 3339 UTC with milliseconds) as text.
Result<std::string> audit_since(const std::string& since) {
  if (since.size() >= 2 && since.find_first_not_of("0123456789") == since.size() - 1) {
    const long long amount = std::stoll(since.substr(0, since.size() - 1));
    const char unit = since.back();
    const long long seconds = unit == 's'   ? amount
                              : unit == 'm' ? amount * 60
                              : unit == 'h' ? amount * 3600
                              : unit == 'd' ? amount * 86400
                                            : -1;
    if (seconds >= 0) {
      const std::time_t at = static_cast<std::time_t>(unix_now() - seconds);
      std::tm utc{};
      gmtime_r(&at, &utc);
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", &utc);
      return std::string(text);
    }
  }
  if (since.size() >= 10 && since[4] == '-' && since[7] == '-' &&
      (since.size() == 10 || since.back() == 'Z')) {
    return since;
  }
  return fail(
      Error::invalid("--since takes a duration (30m, 2h, 7d) or a UTC time "
                     "(2026-12-01 or 2026-12-01T10:00:00Z), got " +
                     since));
}

}  // namespace

void add_team_commands(CLI::App& app, const Runner& runner) {
  auto* keys = app.add_subcommand("keys", "The team's API keys");
  keys->require_subcommand(1);
  add_list_command(keys, runner, "api-keys", "List API keys", kKeyColumns);
  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>("member");
  auto expires = std::make_shared<std::string>();
  auto* create = keys->add_subcommand("create", "Create an API key; prints the key once");
  create->add_option("name", *name, "What the key is for")->required();
  create->add_option("--role", *role, "viewer, member, admin or owner")
      ->check(CLI::IsMember(kRoles));
  create->add_option("--expires-at", *expires, "RFC 3339 time the key stops working");
  runner.on(create, [name, role, expires](Api& api) {
    nlohmann::json body{{"name", *name}, {"role", *role}};
    if (!expires->empty()) {
      body["expires_at"] = *expires;
    }
    auto answer = api.call("POST", "/api/v1/api-keys", body);
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json) {
      fmt::print("{}\n", answer->dump(2));
    } else if (api.options().quiet) {
      fmt::print("{}\n", cell(*answer, "raw_key"));
    } else {
      fmt::print("Created {} ({}). The key, shown only now:\n{}\n", cell(*answer, "api_key.id"),
                 cell(*answer, "api_key.role"), cell(*answer, "raw_key"));
    }
    return int{kOk};
  });
  auto* revoke = keys->add_subcommand("revoke", "Revoke an API key at once");
  revoke->add_option("key", *name, "Key id")->required();
  runner.on(revoke, [name](Api& api) {
    auto answer = api.call("DELETE", "/api/v1/api-keys/" + *name);
    return answer ? show_done(api.options(), *answer, "Revoked " + *name) : report(answer.error());
  });

  auto* members = app.add_subcommand("members", "The team's members");
  members->require_subcommand(1);
  runner.on(members->add_subcommand("ls", "List members and their roles"), [](Api& api) {
    auto team = current_team(api);
    auto items =
        team ? api.list_all("/api/v1/teams/" + *team + "/members") : fail(std::move(team.error()));
    if (items && api.options().quiet) {
      for (const auto& item : *items) {
        fmt::print("{}\n", cell(item, "user_id"));
      }
      return int{kOk};
    }
    return items ? show_list(api.options(), *items, kMemberColumns) : report(items.error());
  });

  auto user = std::make_shared<std::string>();
  auto* role_cmd = members->add_subcommand(
      "role", "Change a member's role (admins: members and viewers; the owner: admins too)");
  role_cmd->add_option("user", *user, "User id or email")->required();
  role_cmd->add_option("role", *role, "viewer, member or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "member", "admin"}));
  role_cmd->footer("Example:\n  berth members role ana@example.com admin");
  runner.on(role_cmd, [user, role](Api& api) {
    auto path = member_path(api, *user);
    auto answer = path ? api.call("PATCH", *path, nlohmann::json{{"role", *role}})
                       : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer,
                              fmt::format("{} is now {}", *user, cell(*answer, "role")))
                  : report(answer.error());
  });
  auto* member_rm =
      members->add_subcommand("rm", "Remove a member from the team (your own email: leave it)");
  member_rm->add_option("user", *user, "User id or email")->required();
  member_rm->footer("Example:\n  berth members rm ana@example.com");
  runner.on(member_rm, [user](Api& api) {
    auto path = member_path(api, *user);
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Removed " + *user) : report(answer.error());
  });

  auto* invitations = app.add_subcommand("invitations", "The team's pending invitations");
  invitations->require_subcommand(1);
  runner.on(invitations->add_subcommand("ls", "List pending invitations (admins)"), [](Api& api) {
    auto team = current_team(api);
    auto items = team ? api.list_all("/api/v1/teams/" + *team + "/invitations")
                      : fail(std::move(team.error()));
    return items ? show_list(api.options(), *items, kInvitationColumns) : report(items.error());
  });
  auto invitation = std::make_shared<std::string>();
  auto* invitation_rm =
      invitations->add_subcommand("rm", "Revoke a pending invitation; its link stops working");
  invitation_rm->add_option("invitation", *invitation, "Invitation id")->required();
  invitation_rm->footer("Example:\n  berth invitations rm $(berth invitations ls -q | head -1)");
  runner.on(invitation_rm, [invitation](Api& api) {
    auto team = current_team(api);
    auto answer = team
                      ? api.call("DELETE", "/api/v1/teams/" + *team + "/invitations/" + *invitation)
                      : fail(std::move(team.error()));
    return answer ? show_done(api.options(), *answer, "Revoked " + *invitation)
                  : report(answer.error());
  });

  auto* invite = app.add_subcommand("invite", "Invite someone to the team by email");
  invite->add_option("email", *name, "Their email")->required();
  invite->add_option("--role", *role, "viewer, member or admin")
      ->check(CLI::IsMember({"viewer", "member", "admin"}));
  runner.on(invite, [name, role](Api& api) {
    auto team = current_team(api);
    auto answer = team ? api.call("POST", "/api/v1/teams/" + *team + "/invitations",
                                  nlohmann::json{{"email", *name}, {"role", *role}})
                       : fail(std::move(team.error()));
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json) {
      fmt::print("{}\n", answer->dump(2));
    } else if (answer->value("delivered", "") == "link") {
      fmt::print("No mail is set up: send {} this link (valid 7 days):\n{}\n", *name,
                 cell(*answer, "invite_url"));
    } else {
      fmt::print("Invited {} as {}\n", *name, *role);
    }
    return int{kOk};
  });

  auto action = std::make_shared<std::string>();
  auto actor = std::make_shared<std::string>();
  auto query = std::make_shared<std::string>();
  auto since = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(50);
  auto* audit = app.add_subcommand("audit", "The team's audit log, newest first");
  audit->add_option("--action", *action, "Only this action (e.g. app.deploy)");
  audit->add_option("--actor", *actor, "Only this actor");
  audit->add_option("--search", *query, "A substring of the action or target");
  audit->add_option("--since", *since,
                    "Only entries since a duration ago (30m, 2h, 7d) or a UTC time "
                    "(2026-12-01T10:00:00Z); filtered by berth, reading pages until older ones");
  auto* limit_opt = audit
                        ->add_option("--limit", *limit,
                                     "At most this many entries (1-1000; default 50, with "
                                     "--since 1000)")
                        ->check(CLI::Range(1, 1000));
  audit->footer("Example:\n  berth audit --action app.deploy --since 24h");
  runner.on(audit, [action, actor, query, since, limit, limit_opt](Api& api) {
    std::string threshold;
    if (!since->empty()) {
      auto parsed = audit_since(*since);
      if (!parsed) {
        return complain(parsed.error().message, kUsage);
      }
      threshold = *parsed;
    }
    const int wanted = threshold.empty() || limit_opt->count() > 0 ? *limit : 1000;
    const int per_page = std::min(wanted, 100);
    std::string path = "/api/v1/audit-log?per_page=" + std::to_string(per_page);
    for (const auto& [key, value] : {std::pair{"action", action}, {"actor", actor}, {"q", query}}) {
      if (!value->empty()) {
        path += std::string("&") + key + "=" + url_encode(*value);
      }
    }
    nlohmann::json entries = nlohmann::json::array();
    for (int page = 1; std::cmp_less(entries.size(), wanted); ++page) {
      auto items = api.get(path + "&page=" + std::to_string(page));
      if (!items) {
        return report(items.error());
      }
      const auto& data = (*items)["data"];
      bool older = false;
      for (const auto& entry : data) {
        if (!threshold.empty() && entry.value("at", "") < threshold) {
          older = true;
          break;
        }
        if (std::cmp_less(entries.size(), wanted)) {
          entries.push_back(entry);
        }
      }
      if (older || std::cmp_less(data.size(), per_page)) {
        break;
      }
    }
    return show_list(api.options(), entries, kAuditColumns);
  });

  auto* teams = app.add_subcommand("teams", "Your teams");
  teams->require_subcommand(1);
  runner.on(teams->add_subcommand("ls", "List your teams with your role in each"), [](Api& api) {
    auto items = api.list_all("/api/v1/teams");
    return items ? show_list(api.options(), *items, kTeamColumns) : report(items.error());
  });
  auto team_name = std::make_shared<std::string>();
  auto* team_create = teams->add_subcommand("create", "Create a team; you become its owner");
  team_create->add_option("name", *team_name, "The team's name")->required();
  team_create->footer("Example:\n  berth teams create ops && berth teams use ops");
  runner.on(team_create, [team_name](Api& api) {
    auto answer = api.call("POST", "/api/v1/teams", nlohmann::json{{"name", *team_name}},
                           {{"Idempotency-Key", new_idempotency_key()}});
    return answer ? show_done(api.options(), *answer, "Created team " + cell(*answer, "id"))
                  : report(answer.error());
  });
  auto* team_rm = teams->add_subcommand(
      "rm", "Delete a team with its members, keys, invitations and servers (owner; no apps left)");
  team_rm->add_option("team", *team_name, "Team id or name")->required();
  runner.on(team_rm, [team_name](Api& api) {
    auto path = path_of(api, "teams", *team_name);
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Deleted team " + *team_name)
                  : report(answer.error());
  });
  auto new_name = std::make_shared<std::string>();
  auto* team_rename = teams->add_subcommand("rename", "Rename a team (admins)");
  team_rename->add_option("team", *team_name, "Team id or name")->required();
  team_rename->add_option("name", *new_name, "The new name")->required();
  team_rename->footer("Example:\n  berth teams rename ops platform");
  runner.on(team_rename, [team_name, new_name](Api& api) {
    auto path = path_of(api, "teams", *team_name);
    auto answer = path ? api.call("PATCH", *path, nlohmann::json{{"name", *new_name}})
                       : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Renamed team to " + cell(*answer, "name"))
                  : report(answer.error());
  });
  auto new_owner = std::make_shared<std::string>();
  auto* transfer = teams->add_subcommand(
      "transfer", "Make another member the current team's owner; you become an admin (owner)");
  transfer->add_option("user", *new_owner, "User id or a member's email")->required();
  transfer->footer("Example:\n  berth --team ops teams transfer ana@example.com");
  runner.on(transfer, [new_owner](Api& api) {
    auto member = member_path(api, *new_owner);  // .../teams/{team}/members/{user_id}
    if (!member) {
      return report(member.error());
    }
    const auto cut = member->rfind("/members/");
    const std::string user_id = member->substr(cut + std::string_view("/members/").size());
    auto answer = api.call("POST", member->substr(0, cut) + "/transfer",
                           nlohmann::json{{"user_id", user_id}});
    return answer ? show_done(api.options(), *answer, *new_owner + " now owns the team")
                  : report(answer.error());
  });
  auto personal = std::make_shared<bool>(false);
  auto* team_use = teams->add_subcommand(
      "use", "Make a team the current context's default (what --team is when not given)");
  team_use->add_option("team", *team_name, "Team id or name");
  team_use->add_flag("--personal", *personal, "Go back to your personal team");
  team_use->footer("Example:\n  berth teams use ops");
  runner.on(team_use,
            [team_name, personal](Api& api) { return use_team(api, *team_name, *personal); });
}

}  // namespace berth::cli
