#pragma once
/// What every command file shares: how a subcommand runs against the API and prints its
/// answer (a table by default, the API's objects with --json, ids only with -q).

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/api.hpp"
#include "cli/output.hpp"

namespace berth::cli {

/// Where a command's run leaves its exit code (CLI11 callbacks return nothing).
struct Runner {
  GlobalOptions& global;
  int& exit_code;

  /// Makes `command` connect to berthd and run `body` when it is chosen on the command line.
  void on(CLI::App* command, std::function<int(Api&)> body) const;
  /// The same without a connection (login, context, completion).
  void offline(CLI::App* command, std::function<int()> body) const;
};

/// Prints a list: --json the array, -q the ids, else a table of `columns`.
int show_list(const GlobalOptions& global, const nlohmann::json& items,
              const std::vector<Column>& columns);
/// Prints one object: --json as it is, -q its id, else `fields` as "name: value" lines.
int show_object(const GlobalOptions& global, const nlohmann::json& object,
                const std::vector<Column>& fields);
/// Prints what an action did: --json the answer, -q the answer's id, else `message`.
int show_done(const GlobalOptions& global, const nlohmann::json& answer,
              const std::string& message);

/// "/api/v1/<collection>/<id>" with the id of `name_or_id`, or the lookup's failure.
Result<std::string> path_of(Api& api, const std::string& collection, const std::string& name_or_id,
                            const std::string& rest = "");

/// `<parent> ls`: every item of /api/v1/<collection> (servers, apps, ...) as a table.
void add_list_command(CLI::App* parent, const Runner& runner, const std::string& collection,
                      const std::string& description, std::vector<Column> columns);
/// `<parent> show NAME|ID`: one item of the collection.
void add_show_command(CLI::App* parent, const Runner& runner, const std::string& collection,
                      const std::string& description, std::vector<Column> fields);
/// `<parent> rm NAME|ID`: deletes one item of the collection.
void add_delete_command(CLI::App* parent, const Runner& runner, const std::string& collection,
                        const std::string& description);

/// `text` %-encoded for a query string.
std::string url_encode(const std::string& text);

/// The whole text of `path`, or of stdin for "-"; Error::invalid "cannot read PATH".
Result<std::string> read_input_file(const std::string& path);

/// A fresh Idempotency-Key (random, URL-safe), so a retried POST acts once.
std::string new_idempotency_key();

// Each file adds its nouns to the app.
void add_auth_commands(CLI::App& app, const Runner& runner);
void add_server_commands(CLI::App& app, const Runner& runner);
void add_job_commands(CLI::App& app, const Runner& runner);
void add_app_commands(CLI::App& app, const Runner& runner);
void add_deploy_commands(CLI::App& app, const Runner& runner);
void add_team_commands(CLI::App& app, const Runner& runner);
void add_manifest_commands(CLI::App& app, const Runner& runner);
void add_domain_commands(CLI::App& app, const Runner& runner);
void add_service_commands(CLI::App& app, const Runner& runner);
void add_destination_commands(CLI::App& app, const Runner& runner);
void add_backup_commands(CLI::App& app, const Runner& runner);
void add_admin_commands(CLI::App& app, const Runner& runner);
/// `berth backups schedule show|set|rm`, under `backups`.
void add_backup_schedule_commands(CLI::App* backups, const Runner& runner);
void add_meta_commands(CLI::App& app, const Runner& runner);

}  // namespace berth::cli
