// berth: the command-line client of a Berth control plane (docs/cli.md). A client of the
// public REST API only; it links no server code.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "cli/command.hpp"

int main(int argc, char** argv) {
  using namespace berth::cli;
  CLI::App app{"berth: drive a Berth control plane from the shell"};
  app.name("berth");
  app.set_version_flag("--version", "berth " BERTH_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global flags after the noun and verb, too

  GlobalOptions global;
  app.add_flag("--json", global.json, "Print the API's JSON objects");
  app.add_flag("-q,--quiet", global.quiet, "Print ids only");
  app.add_option("--team", global.team, "The team to act in (id or name)")->envname("BERTH_TEAM");
  app.add_option("--context", global.context, "The sign-in to use (berth context ls)")
      ->envname("BERTH_CONTEXT");
  app.add_option("--ca-file", global.ca_file, "A PEM CA file to verify berthd with")
      ->envname("BERTH_CA_FILE");
  app.add_flag("--insecure", global.insecure, "Do not verify berthd's certificate");

  int exit_code = kOk;
  const Runner runner{.global = global, .exit_code = exit_code};
  add_auth_commands(app, runner);
  add_server_commands(app, runner);
  add_job_commands(app, runner);
  add_app_commands(app, runner);
  add_deploy_commands(app, runner);
  add_team_commands(app, runner);
  add_manifest_commands(app, runner);
  add_domain_commands(app, runner);
  add_service_commands(app, runner);
  add_destination_commands(app, runner);
  add_backup_commands(app, runner);
  add_admin_commands(app, runner);
  add_meta_commands(app, runner);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kOk : kUsage;
  }
  return exit_code;
}
