// berth apps …, berth env …, berth projects …: what runs, and its configuration.
#include <fmt/format.h>

#include <fstream>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kAppColumns = {{"ID", "id"},         {"NAME", "name"},
                                         {"STATUS", "status"}, {"SERVER", "server_id"},
                                         {"URL", "url"},       {"OUT OF DATE", "out_of_date"}};
const std::vector<Column> kAppFields = {{"id", "id"},
                                        {"name", "name"},
                                        {"status", "status"},
                                        {"server", "server_id"},
                                        {"project", "project_id"},
                                        {"source", "source"},
                                        {"url", "url"},
                                        {"out of date", "out_of_date"},
                                        {"deployment", "current_deployment_id"},
                                        {"created", "created_at"}};
const std::vector<Column> kEnvColumns = {
    {"KEY", "key"}, {"VALUE", "value"}, {"SECRET", "secret"}, {"FROM", "inherited_from"}};
const std::vector<Column> kProjectColumns = {
    {"ID", "id"}, {"NAME", "name"}, {"DESCRIPTION", "description"}, {"CREATED", "created_at"}};

struct CreateApp {
  std::string name, server, image, git, branch, project, hostname;
  int port = 0;
};

int create_app(Api& api, const CreateApp& args) {
  auto server = api.resolve("servers", args.server);
  if (!server) {
    return report(server.error());
  }
  nlohmann::json body{{"name", args.name}, {"server_id", *server}};
  if (!args.image.empty()) {
    body["source"] = {{"type", "image"}, {"image", args.image}};
  } else {
    body["source"] = {{"type", "git"}, {"repository", args.git}};
    if (!args.branch.empty()) {
      body["source"]["branch"] = args.branch;
    }
  }
  if (args.port > 0) {
    body["settings"] = {{"port", args.port}};
  }
  if (!args.project.empty()) {
    auto project = api.resolve("projects", args.project);
    if (!project) {
      return report(project.error());
    }
    body["project_id"] = *project;
  }
  if (!args.hostname.empty()) {
    body["hostname"] = args.hostname;
  }
  auto answer = api.call("POST", "/api/v1/apps", body);
  return answer ? show_done(api.options(), *answer,
                            fmt::format("Created app {} ({})", args.name, cell(*answer, "id")))
                : report(answer.error());
}

// KEY=VALUE lines of a .env file: comments, blank lines and `export ` are skipped; one level
// of matching quotes around the value is removed.
Result<nlohmann::json> read_env_file(const std::string& file, bool secret) {
  std::ifstream in(file);
  if (!in) {
    return fail(Error::invalid("cannot read " + file));
  }
  nlohmann::json vars = nlohmann::json::array();
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') {
      continue;
    }
    line = line.substr(start);
    if (line.starts_with("export ")) {
      line = line.substr(7);
    }
    const auto equals = line.find('=');
    if (equals == std::string::npos || equals == 0) {
      return fail(Error::invalid(fmt::format("{}:{}: expected KEY=VALUE", file, number)));
    }
    std::string value = line.substr(equals + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    vars.push_back({{"key", line.substr(0, equals)}, {"value", value}, {"secret", secret}});
  }
  return vars;
}

// Env commands act on an app's vars, or with --project on a project's shared ones.
struct EnvTarget {
  std::string name;
  bool project = false;
  const char* collection() const { return project ? "projects" : "apps"; }
};

void add_env_target(CLI::App* command, EnvTarget& target) {
  command->add_option("app", target.name, "App id or name (with --project: a project's)")
      ->required();
  command->add_flag("--project", target.project,
                    "The name is a project's: its env vars, shared by its apps");
}

int patch_env(Api& api, const EnvTarget& target, const nlohmann::json& vars) {
  const std::string& app = target.name;
  auto path = path_of(api, target.collection(), app, "/env");
  auto answer = path ? api.call("PATCH", *path, nlohmann::json{{"vars", vars}})
                     : fail(std::move(path.error()));
  return answer ? show_done(api.options(), *answer,
                            fmt::format("Set {} var(s) of {}", vars.size(), app))
                : report(answer.error());
}

void add_env_commands(CLI::App& app, const Runner& runner) {
  auto* env = app.add_subcommand("env", "An app's (or a project's) env vars and secrets");
  env->require_subcommand(1);
  auto target = std::make_shared<EnvTarget>();
  auto* ls = env->add_subcommand("ls", "List an app's env vars (secrets masked)");
  add_env_target(ls, *target);
  ls->footer("Example:\n  berth env ls web\n  berth env ls --project shop");
  runner.on(ls, [target](Api& api) {
    auto path = path_of(api, target->collection(), target->name, "/env");
    auto items = path ? api.list_all(*path) : fail(std::move(path.error()));
    if (items && api.options().quiet) {  // keys are what identifies a var
      for (const auto& item : *items) {
        fmt::print("{}\n", cell(item, "key"));
      }
      return int{kOk};
    }
    return items ? show_list(api.options(), *items, kEnvColumns) : report(items.error());
  });

  auto pairs = std::make_shared<std::vector<std::string>>();
  auto secret = std::make_shared<bool>(false);
  auto* set = env->add_subcommand("set", "Set env vars: berth env set APP KEY=VALUE...");
  add_env_target(set, *target);
  set->add_option("pairs", *pairs, "KEY=VALUE pairs")->required();
  set->footer(
      "Example:\n  berth env set web LOG_LEVEL=info\n  berth env set --project shop "
      "--secret DATABASE_URL=postgres://...");
  set->add_flag("--secret", *secret, "Store them as secrets");
  runner.on(set, [target, pairs, secret](Api& api) {
    nlohmann::json vars = nlohmann::json::array();
    for (const auto& pair : *pairs) {
      const auto equals = pair.find('=');
      if (equals == std::string::npos || equals == 0) {
        return complain("expected KEY=VALUE, got " + pair, kUsage);
      }
      nlohmann::json var{{"key", pair.substr(0, equals)}, {"value", pair.substr(equals + 1)}};
      if (*secret) {
        var["secret"] = true;
      }
      vars.push_back(var);
    }
    return patch_env(api, *target, vars);
  });

  auto key = std::make_shared<std::string>();
  auto* unset = env->add_subcommand("unset", "Delete an app's env var");
  add_env_target(unset, *target);
  unset->add_option("key", *key, "The key")->required();
  runner.on(unset, [target, key](Api& api) {
    auto path = path_of(api, target->collection(), target->name, "/env/" + *key);
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Deleted " + *key) : report(answer.error());
  });

  auto* reveal = env->add_subcommand("reveal", "Print a secret's value (admins; audited)");
  add_env_target(reveal, *target);
  reveal->add_option("key", *key, "The key")->required();
  runner.on(reveal, [target, key](Api& api) {
    auto path = path_of(api, target->collection(), target->name, "/env/" + *key + "/reveal");
    auto answer = path ? api.call("POST", *path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    fmt::print("{}\n", api.options().json ? answer->dump(2) : cell(*answer, "value"));
    return int{kOk};
  });

  auto file = std::make_shared<std::string>();
  auto* import = env->add_subcommand("import", "Set env vars from a .env file");
  add_env_target(import, *target);
  import->add_option("file", *file, "A file of KEY=VALUE lines")->required();
  import->add_flag("--secret", *secret, "Store them as secrets");
  runner.on(import, [target, file, secret](Api& api) {
    auto vars = read_env_file(*file, *secret);
    if (!vars) {
      return report(vars.error());
    }
    return patch_env(api, *target, *vars);
  });
}

struct EditApp {
  std::string app, name, image, branch, hostname, project, server;
  std::vector<std::string> sets;
};

// "a.b.c=VALUE" into `patch` as {"a": {"b": {"c": VALUE}}}; VALUE is JSON when it parses as
// JSON (8080, true, null, ["a"]), else a string.
bool set_path(nlohmann::json& patch, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    return false;
  }
  const std::string raw = assignment.substr(equals + 1);
  auto value = nlohmann::json::parse(raw, nullptr, false);
  if (value.is_discarded()) {
    value = raw;
  }
  nlohmann::json* at = &patch;
  std::string path = assignment.substr(0, equals);
  for (std::size_t start = 0;;) {
    const auto dot = path.find('.', start);
    const auto key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (key.empty()) {
      return false;
    }
    if (dot == std::string::npos) {
      (*at)[key] = value;
      return true;
    }
    if (!(*at)[key].is_object()) {
      (*at)[key] = nlohmann::json::object();
    }
    at = &(*at)[key];
    start = dot + 1;
  }
}

int edit_app(Api& api, const EditApp& args) {
  nlohmann::json patch = nlohmann::json::object();
  for (const auto& assignment : args.sets) {
    if (!set_path(patch, assignment)) {
      return complain("expected FIELD.PATH=VALUE, got " + assignment, kUsage);
    }
  }
  if (!args.name.empty()) {
    patch["name"] = args.name;
  }
  if (!args.image.empty()) {
    patch["source"]["image"] = args.image;
  }
  if (!args.branch.empty()) {
    patch["source"]["branch"] = args.branch;
  }
  if (!args.hostname.empty()) {
    patch["hostname"] = args.hostname;
  }
  if (!args.server.empty()) {
    auto server = api.resolve("servers", args.server);
    if (!server) {
      return report(server.error());
    }
    patch["server_id"] = *server;
  }
  if (args.project == "none") {
    patch["project_id"] = nullptr;
  } else if (!args.project.empty()) {
    auto project = api.resolve("projects", args.project);
    if (!project) {
      return report(project.error());
    }
    patch["project_id"] = *project;
  }
  if (patch.empty()) {
    return complain("nothing to change: give --name, --image, --branch, --set ...", kUsage);
  }
  auto path = path_of(api, "apps", args.app);
  auto answer = path ? api.call("PATCH", *path, patch) : fail(std::move(path.error()));
  return answer ? show_done(api.options(), *answer, "Changed app " + cell(*answer, "name"))
                : report(answer.error());
}

const std::vector<Column> kHookColumns = {{"ID", "id"},
                                          {"CREATED", "created_at"},
                                          {"CREATED BY", "created_by"},
                                          {"LAST USED", "last_used_at"}};

void add_hook_commands(CLI::App& app, const Runner& runner) {
  auto* hooks = app.add_subcommand("hooks", "An app's deploy hooks: URLs that deploy it from CI");
  hooks->require_subcommand(1);
  auto target = std::make_shared<std::string>();
  auto* ls = hooks->add_subcommand("ls", "List an app's deploy hooks");
  ls->add_option("app", *target, "App id or name")->required();
  runner.on(ls, [target](Api& api) {
    auto path = path_of(api, "apps", *target, "/deploy-hooks");
    auto items = path ? api.list_all(*path) : fail(std::move(path.error()));
    return items ? show_list(api.options(), *items, kHookColumns) : report(items.error());
  });
  auto* create =
      hooks->add_subcommand("create", "Create a deploy hook; prints its URL once (keep it secret)");
  create->add_option("app", *target, "App id or name")->required();
  create->footer("Example:\n  curl -X POST \"$(berth hooks create web -q)\"");
  runner.on(create, [target](Api& api) {
    auto path = path_of(api, "apps", *target, "/deploy-hooks");
    auto answer =
        path ? api.call("POST", *path, std::nullopt, {{"Idempotency-Key", new_idempotency_key()}})
             : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json) {
      fmt::print("{}\n", answer->dump(2));
    } else if (api.options().quiet) {
      fmt::print("{}\n", cell(*answer, "url"));
    } else {
      fmt::print("Created {}. POST to this URL to deploy {} (shown only now):\n{}\n",
                 cell(*answer, "id"), *target, cell(*answer, "url"));
    }
    return int{kOk};
  });
  auto hook = std::make_shared<std::string>();
  auto* rm = hooks->add_subcommand("rm", "Delete a deploy hook; its URL stops working");
  rm->add_option("app", *target, "App id or name")->required();
  rm->add_option("hook", *hook, "Hook id")->required();
  runner.on(rm, [target, hook](Api& api) {
    auto path = path_of(api, "apps", *target, "/deploy-hooks/" + *hook);
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Deleted " + *hook) : report(answer.error());
  });
}

const std::vector<Column> kLinkColumns = {{"SERVICE", "service_name"},
                                          {"ENGINE", "engine"},
                                          {"PREFIX", "env_prefix"},
                                          {"ENV", "env_keys"},
                                          {"LINKED", "created_at"}};

// berth apps link|unlink|links: an app's links to managed services (docs/services.md).
void add_link_commands(CLI::App* apps, const Runner& runner) {
  auto target = std::make_shared<std::string>();
  auto service = std::make_shared<std::string>();
  auto prefix = std::make_shared<std::string>();
  auto* link = apps->add_subcommand(
      "link", "Give an app a service's URL and credentials as secret env vars (redeploy after)");
  link->add_option("app", *target, "App id or name")->required();
  link->add_option("service", *service, "Service id or name (same project and server)")->required();
  link->add_option("--prefix", *prefix,
                   "Put this in front of each var's name (MAIN_ gives MAIN_DATABASE_URL)");
  link->footer("Example:\n  berth apps link shop-web orders-db\n  berth deploy shop-web --wait");
  runner.on(link, [target, service, prefix](Api& api) {
    auto service_id = api.resolve("services", *service);
    auto path =
        service_id ? path_of(api, "apps", *target, "/links") : fail(std::move(service_id.error()));
    nlohmann::json body{{"service_id", service_id ? *service_id : ""}};
    if (!prefix->empty()) {
      body["env_prefix"] = *prefix;
    }
    auto answer = path ? api.call("POST", *path, body, {{"Idempotency-Key", new_idempotency_key()}})
                       : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().quiet) {
      fmt::print("{}\n", cell(*answer, "service_id"));
      return int{kOk};
    }
    return show_done(
        api.options(), *answer,
        fmt::format("Linked {} to {}: {} (deploy {} to use them)", *target,
                    cell(*answer, "service_name"), cell(*answer, "env_keys"), *target));
  });

  auto* unlink =
      apps->add_subcommand("unlink", "Remove the env vars a link to a service wrote into an app");
  unlink->add_option("app", *target, "App id or name")->required();
  unlink->add_option("service", *service, "Service id or name")->required();
  runner.on(unlink, [target, service](Api& api) {
    auto service_id = api.resolve("services", *service);
    auto path = service_id ? path_of(api, "apps", *target, "/links/" + *service_id)
                           : fail(std::move(service_id.error()));
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer,
                              fmt::format("Unlinked {} from {}", *target, *service))
                  : report(answer.error());
  });

  auto* links = apps->add_subcommand("links", "List the services an app is linked to");
  links->add_option("app", *target, "App id or name")->required();
  runner.on(links, [target](Api& api) {
    auto path = path_of(api, "apps", *target, "/links");
    auto items = path ? api.get(*path) : fail(std::move(path.error()));
    if (items && api.options().quiet) {  // a link is named by its service
      for (const auto& item : *items) {
        fmt::print("{}\n", cell(item, "service_id"));
      }
      return int{kOk};
    }
    return items ? show_list(api.options(), *items, kLinkColumns) : report(items.error());
  });
}

}  // namespace

void add_app_commands(CLI::App& app, const Runner& runner) {
  auto* apps = app.add_subcommand("apps", "The team's apps");
  apps->require_subcommand(1);
  add_list_command(apps, runner, "apps", "List apps", kAppColumns);
  add_show_command(apps, runner, "apps", "Show an app", kAppFields);

  auto args = std::make_shared<CreateApp>();
  auto* create = apps->add_subcommand("create", "Create an app from an image or a git repository");
  create->add_option("name", args->name, "The app's name")->required();
  create->add_option("--server", args->server, "Server id or name")->required();
  auto* image = create->add_option("--image", args->image, "A container image");
  auto* git = create->add_option("--git", args->git, "A git repository to build");
  image->excludes(git);
  create->add_option("--branch", args->branch, "The git branch (default main)");
  create->add_option("--port", args->port, "The port the app listens on");
  create->add_option("--project", args->project, "Project id or name");
  create->add_option("--hostname", args->hostname, "The app's host name");
  runner.on(create, [args](Api& api) {
    if (args->image.empty() == args->git.empty()) {
      return complain("give --image or --git", kUsage);
    }
    return create_app(api, *args);
  });

  auto edit = std::make_shared<EditApp>();
  auto* edit_cmd = apps->add_subcommand(
      "edit",
      "Change an app (PATCH): settings and source are merged, so give only what changes; "
      "--set settings.KEY=null removes a field");
  edit_cmd->add_option("app", edit->app, "App id or name")->required();
  edit_cmd->add_option("--name", edit->name, "A new name");
  edit_cmd->add_option("--image", edit->image, "A new image (image apps)");
  edit_cmd->add_option("--branch", edit->branch, "A new git branch (git apps)");
  edit_cmd->add_option("--hostname", edit->hostname, "A new host name");
  edit_cmd->add_option("--server", edit->server,
                       "Move to this server (only while new, stopped or failed)");
  edit_cmd->add_option("--project", edit->project, "Project id or name; none leaves the project");
  edit_cmd->add_option("--set", edit->sets,
                       "FIELD.PATH=VALUE, e.g. settings.port=8080 (VALUE as JSON when it "
                       "parses, else a string); repeatable");
  edit_cmd->footer(
      "Example:\n  berth apps edit web --image nginx:1.28 --set settings.health.path=/ready "
      "--set settings.command=null");
  runner.on(edit_cmd, [edit](Api& api) { return edit_app(api, *edit); });

  add_delete_command(apps, runner, "apps",
                     "Delete an app with its env vars, deployments and hooks");
  add_link_commands(apps, runner);

  add_env_commands(app, runner);
  add_hook_commands(app, runner);

  auto* projects = app.add_subcommand("projects", "Projects: apps grouped with shared env vars");
  projects->require_subcommand(1);
  add_list_command(projects, runner, "projects", "List projects", kProjectColumns);
  add_show_command(projects, runner, "projects", "Show a project", kProjectColumns);
  auto target = std::make_shared<std::string>();
  auto description = std::make_shared<std::string>();
  auto* pcreate = projects->add_subcommand("create", "Create a project");
  pcreate->add_option("name", *target, "The project's name")->required();
  pcreate->add_option("--description", *description, "What it is for");
  runner.on(pcreate, [target, description](Api& api) {
    nlohmann::json body{{"name", *target}};
    if (!description->empty()) {
      body["description"] = *description;
    }
    auto answer = api.call("POST", "/api/v1/projects", body);
    return answer ? show_done(api.options(), *answer, "Created project " + cell(*answer, "id"))
                  : report(answer.error());
  });
  auto rename = std::make_shared<std::string>();
  auto* pedit = projects->add_subcommand("edit", "Rename a project or change its description");
  pedit->add_option("project", *target, "Project id or name")->required();
  pedit->add_option("--name", *rename, "A new name");
  pedit->add_option("--description", *description, "A new description (\"\" clears it)");
  pedit->footer(
      "Example:\n  berth projects edit shop --name storefront --description \"The web shop\"");
  runner.on(pedit, [target, rename, description, pedit](Api& api) {
    nlohmann::json body = nlohmann::json::object();
    if (!rename->empty()) {
      body["name"] = *rename;
    }
    if (pedit->count("--description") > 0) {
      body["description"] = *description;
    }
    if (body.empty()) {
      return complain("nothing to change: give --name or --description", kUsage);
    }
    auto path = path_of(api, "projects", *target);
    auto answer = path ? api.call("PATCH", *path, body) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Updated project " + cell(*answer, "name"))
                  : report(answer.error());
  });
  add_delete_command(projects, runner, "projects", "Delete a project with its env vars");
}

}  // namespace berth::cli
