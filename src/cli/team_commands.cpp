// berth keys …, berth members ls, berth invite, berth audit: who may do what in a team.
#include <fmt/format.h>

#include "cli/command.hpp"

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
  auto limit = std::make_shared<int>(50);
  auto* audit = app.add_subcommand("audit", "The team's audit log, newest first");
  audit->add_option("--action", *action, "Only this action (e.g. app.deploy)");
  audit->add_option("--actor", *actor, "Only this actor");
  audit->add_option("--search", *query, "A substring of the action or target");
  audit->add_option("--limit", *limit, "At most this many entries (1-100)")
      ->check(CLI::Range(1, 100));
  runner.on(audit, [action, actor, query, limit](Api& api) {
    std::string path = "/api/v1/audit-log?per_page=" + std::to_string(*limit);
    for (const auto& [key, value] : {std::pair{"action", action}, {"actor", actor}, {"q", query}}) {
      if (!value->empty()) {
        path += std::string("&") + key + "=" + url_encode(*value);
      }
    }
    auto items = api.get(path);
    return items ? show_list(api.options(), (*items)["data"], kAuditColumns)
                 : report(items.error());
  });
}

}  // namespace berth::cli
