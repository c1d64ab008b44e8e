// berth export APP / berth apply -f app.json: an app as a file, applied idempotently — a
// second apply of the same file changes nothing and says "unchanged".
#include <fmt/format.h>

#include <iostream>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

constexpr const char* kMasked = "********";
// The app fields a manifest carries (besides name and env).
const std::vector<std::string> kManifestFields = {"server_id", "project_id", "source", "settings",
                                                  "hostname"};

// True when every field `want` names has the same value in `have` (objects recursively), so
// a manifest that leaves out defaults still matches the app berthd filled them into.
bool covers(const nlohmann::json& have, const nlohmann::json& want) {
  if (want.is_object() && have.is_object()) {
    for (const auto& [key, value] : want.items()) {
      if (!have.contains(key) || !covers(have[key], value)) {
        return false;
      }
    }
    return true;
  }
  return have == want;
}

Result<nlohmann::json> export_app(Api& api, const std::string& app) {
  auto path = path_of(api, "apps", app);
  auto current = path ? api.get(*path) : fail(std::move(path.error()));
  if (!current) {
    return current;
  }
  auto env = api.list_all(*path + "/env");
  if (!env) {
    return env;
  }
  nlohmann::json manifest{{"name", (*current)["name"]}};
  for (const auto& field : kManifestFields) {
    manifest[field] = (*current)[field];
  }
  manifest["env"] = nlohmann::json::array();
  for (const auto& var : *env) {
    if (var["inherited_from"].is_null()) {  // the project's vars belong to the project
      manifest["env"].push_back(
          {{"key", var["key"]}, {"value", var["value"]}, {"secret", var.value("secret", false)}});
    }
  }
  return manifest;
}

struct ApplyArgs {
  std::string file;
  bool dry_run = false;
};

Result<nlohmann::json> read_manifest(const std::string& file) {
  auto text = read_input_file(file);
  if (!text) {
    return fail(std::move(text.error()));
  }
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_object() || !json.contains("name") || !json["name"].is_string()) {
    return fail(Error::invalid(file + ": expected a JSON object with a name (berth export)"));
  }
  return json;
}

// The env vars of the manifest that differ from the app's own.
nlohmann::json env_changes(const nlohmann::json& want, const nlohmann::json& have) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& var : want) {
    const auto key = var.value("key", "");
    const auto value = var.value("value", "");
    const bool secret = var.value("secret", false);
    const auto found = std::ranges::find_if(have, [&](const auto& h) {
      return h.value("key", "") == key && h["inherited_from"].is_null();
    });
    const bool same = found != have.end() && found->value("secret", false) == secret &&
                      (found->value("value", "") == value || (secret && value == kMasked));
    if (!same) {
      changes.push_back(var);
    }
  }
  return changes;
}

int apply(Api& api, const ApplyArgs& args) {
  auto manifest = read_manifest(args.file);
  if (!manifest) {
    return report(manifest.error());
  }
  const auto name = (*manifest)["name"].get<std::string>();
  const bool quiet = api.options().quiet || api.options().json;
  auto id = api.resolve("apps", name);
  if (!id && id.error().kind != ErrorKind::not_found) {
    return report(id.error());
  }
  nlohmann::json app_change = nlohmann::json::object();
  nlohmann::json current;
  if (!id) {
    app_change = *manifest;
    app_change.erase("env");
  } else {
    auto got = api.get("/api/v1/apps/" + *id);
    if (!got) {
      return report(got.error());
    }
    current = *got;
    for (const auto& field : kManifestFields) {
      if (manifest->contains(field) && !covers(current[field], (*manifest)[field])) {
        app_change[field] = (*manifest)[field];
      }
    }
  }
  nlohmann::json have_env = nlohmann::json::array();
  if (id) {
    auto env = api.list_all("/api/v1/apps/" + *id + "/env");
    if (!env) {
      return report(env.error());
    }
    have_env = *env;
  }
  const auto env = env_changes(manifest->value("env", nlohmann::json::array()), have_env);
  if (id && app_change.empty() && env.empty()) {
    if (!quiet) {
      fmt::print("app {} unchanged\n", name);
    }
    return kOk;
  }
  if (args.dry_run) {
    if (!quiet) {
      fmt::print("would {} app {}", id ? "change" : "create", name);
      for (const auto& [field, value] : app_change.items()) {
        fmt::print("{} {}", field == app_change.begin().key() ? ":" : ",", field);
      }
      for (const auto& var : env) {
        fmt::print(" env:{}", var.value("key", ""));
      }
      fmt::print("\n");
    }
    return kOk;
  }
  std::string app_id = id ? *id : "";
  if (!id) {
    auto created = api.call("POST", "/api/v1/apps", app_change);
    if (!created) {
      return report(created.error());
    }
    app_id = created->value("id", "");
  } else if (!app_change.empty()) {
    if (auto changed = api.call("PATCH", "/api/v1/apps/" + app_id, app_change); !changed) {
      return report(changed.error());
    }
  }
  if (!env.empty()) {
    nlohmann::json sent = env;
    for (auto& var : sent) {
      if (!var.value("secret", false)) {
        continue;
      }
      if (var.value("value", "") == kMasked) {
        return complain("env " + var.value("key", "") + " of " + name +
                        " is a new secret with the masked value ********: give its value");
      }
    }
    if (auto set =
            api.call("PATCH", "/api/v1/apps/" + app_id + "/env", nlohmann::json{{"vars", sent}});
        !set) {
      return report(set.error());
    }
  }
  if (!quiet) {
    fmt::print("app {} {}\n", name, id ? "changed" : "created");
  } else if (api.options().quiet) {
    fmt::print("{}\n", app_id);
  }
  return kOk;
}

}  // namespace

void add_manifest_commands(CLI::App& app, const Runner& runner) {
  auto target = std::make_shared<std::string>();
  auto* exp = app.add_subcommand("export", "Print an app as a JSON manifest for berth apply");
  exp->add_option("app", *target, "App id or name")->required();
  runner.on(exp, [target](Api& api) {
    auto manifest = export_app(api, *target);
    if (!manifest) {
      return report(manifest.error());
    }
    fmt::print("{}\n", manifest->dump(2));
    return int{kOk};
  });

  auto args = std::make_shared<ApplyArgs>();
  auto* apply_cmd = app.add_subcommand("apply", "Create or change an app to match a manifest");
  apply_cmd->add_option("-f,--file", args->file, "The manifest (- for stdin)")->required();
  apply_cmd->add_flag("--dry-run", args->dry_run, "Say what would change, change nothing");
  runner.on(apply_cmd, [args](Api& api) { return apply(api, *args); });
}

}  // namespace berth::cli
