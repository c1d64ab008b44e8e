// berth destinations …: where a team's backups go, S3-compatible buckets and SFTP folders
// (docs/backups.md, "Destinations"). Secrets are read from files or stdin, never taken as
// arguments: a command line is visible to every user of the machine (ps).
#include <fmt/format.h>

#include <memory>

#include "cli/command.hpp"

namespace berth::cli {

namespace {

const std::vector<Column> kDestinationColumns = {{"NAME", "name"},
                                                 {"KIND", "kind"},
                                                 {"BUCKET", "s3.bucket"},
                                                 {"HOST", "sftp.host"},
                                                 {"LAST TEST", "last_test.ok"},
                                                 {"ID", "id"}};

const std::vector<Column> kDestinationFields = {{"ID", "id"},
                                                {"NAME", "name"},
                                                {"KIND", "kind"},
                                                {"S3", "s3"},
                                                {"SFTP", "sftp"},
                                                {"SECRET SET", "secret_set"},
                                                {"LAST TEST", "last_test"},
                                                {"CREATED", "created_at"},
                                                {"UPDATED", "updated_at"}};

struct DestinationArgs {
  std::string name, kind, new_name;
  // s3
  std::string endpoint, region, bucket, prefix, access_key_id, path_style, allow_http;
  // sftp
  std::string host, user, path, host_key;
  int port = 0;
  // files holding secrets ("-": stdin)
  std::string secret_file, private_key_file, passphrase_file;
};

void add_destination_options(CLI::App* command, DestinationArgs& args) {
  command->add_option("--endpoint", args.endpoint,
                      "S3: https://host[:port] (http only for loopback, or with --allow-http on)");
  command->add_option("--region", args.region, "S3: the region (default us-east-1)");
  command->add_option("--bucket", args.bucket, "S3: the bucket");
  command->add_option("--prefix", args.prefix, "S3: the key prefix, e.g. prod/db/");
  command->add_option("--access-key-id", args.access_key_id, "S3: the access key id");
  command
      ->add_option("--path-style", args.path_style,
                   "S3: on = https://host/bucket/key, off = https://bucket.host/key")
      ->check(CLI::IsMember({"on", "off"}));
  command
      ->add_option("--allow-http", args.allow_http,
                   "S3: on allows an http endpoint that is not loopback (keys in clear!)")
      ->check(CLI::IsMember({"on", "off"}));
  command->add_option("--host", args.host, "SFTP: the host name or address");
  command->add_option("--port", args.port, "SFTP: the port (default 22)")
      ->check(CLI::Range(1, 65535));
  command->add_option("--user", args.user, "SFTP: the user");
  command->add_option("--path", args.path, "SFTP: the absolute folder backups go to");
  command->add_option("--host-key", args.host_key,
                      "SFTP: the host key's SHA256:… fingerprint (else pinned by the first test)");
  command->add_option("--secret-file", args.secret_file,
                      "S3: the secret access key; SFTP: the password — from this file (- reads "
                      "stdin)");
  command->add_option("--private-key-file", args.private_key_file,
                      "SFTP: a private key (OpenSSH or PEM) instead of a password");
  command->add_option("--passphrase-file", args.passphrase_file,
                      "SFTP: the private key's passphrase, from this file");
}

// The file's text without its final line end (a secret typed into a file with echo).
Result<std::string> secret_from(const std::string& path) {
  auto text = read_input_file(path);
  if (!text) {
    return text;
  }
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) {
    text->pop_back();
  }
  return text;
}

// The kind's settings given on the command line.
Result<nlohmann::json> destination_settings_from(const std::string& kind,
                                                 const DestinationArgs& args) {
  nlohmann::json settings = nlohmann::json::object();
  const auto put = [&](const char* field, const std::string& value) {
    if (!value.empty()) {
      settings[field] = value;
    }
  };
  if (kind == "s3") {
    put("endpoint", args.endpoint);
    put("region", args.region);
    put("bucket", args.bucket);
    put("prefix", args.prefix);
    put("access_key_id", args.access_key_id);
    if (!args.path_style.empty()) {
      settings["path_style"] = args.path_style == "on";
    }
    if (!args.allow_http.empty()) {
      settings["allow_http"] = args.allow_http == "on";
    }
    if (!args.secret_file.empty()) {
      auto secret = secret_from(args.secret_file);
      if (!secret) {
        return fail(std::move(secret.error()));
      }
      settings["secret_access_key"] = *secret;
    }
    return settings;
  }
  put("host", args.host);
  put("user", args.user);
  put("path", args.path);
  put("host_key_fingerprint", args.host_key);
  if (args.port != 0) {
    settings["port"] = args.port;
  }
  if (!args.secret_file.empty()) {
    auto password = secret_from(args.secret_file);
    if (!password) {
      return fail(std::move(password.error()));
    }
    settings["password"] = *password;
  }
  if (!args.private_key_file.empty()) {
    auto key = read_input_file(args.private_key_file);
    if (!key) {
      return fail(std::move(key.error()));
    }
    settings["private_key"] = *key;
  }
  if (!args.passphrase_file.empty()) {
    auto passphrase = secret_from(args.passphrase_file);
    if (!passphrase) {
      return fail(std::move(passphrase.error()));
    }
    settings["private_key_passphrase"] = *passphrase;
  }
  return settings;
}

int show_destination_test(Api& api, const nlohmann::json& answer) {
  if (api.options().json) {
    fmt::print("{}\n", answer.dump(2));
  } else if (!api.options().quiet) {
    for (const auto& step : answer.value("steps", nlohmann::json::array())) {
      const bool ok = step.value("ok", false);
      fmt::print("{:<8} {:<4} {:>6} ms{}\n", cell(step, "step"), ok ? "ok" : "FAIL",
                 step.value("ms", 0),
                 ok ? std::string() : "  " + cell(step, "error") + " (" + cell(step, "code") + ")");
    }
    if (answer.contains("host_key_fingerprint") && answer["host_key_fingerprint"].is_string()) {
      fmt::print("host key {}\n", answer["host_key_fingerprint"].get<std::string>());
    }
    fmt::print("{}\n", answer.value("ok", false) ? "The destination works." : "The test failed.");
  }
  return answer.value("ok", false) ? kOk : kFailed;
}

void add_destination_verbs(CLI::App* destinations, const Runner& runner) {
  add_list_command(destinations, runner, "backup-destinations",
                   "List the team's backup destinations", kDestinationColumns);
  add_show_command(destinations, runner, "backup-destinations",
                   "Show a backup destination (never its secrets)", kDestinationFields);

  auto add_args = std::make_shared<DestinationArgs>();
  auto* add = destinations->add_subcommand("add", "Add a backup destination (team admins)");
  add->add_option("name", add_args->name, "Its name in the team")->required();
  add->add_option("--kind", add_args->kind, "s3 or sftp")
      ->required()
      ->check(CLI::IsMember({"s3", "sftp"}));
  add_destination_options(add, *add_args);
  add->footer(
      "Example:\n  berth destinations add offsite --kind s3 --endpoint https://s3.example.com "
      "--bucket backups --prefix prod/ --access-key-id AKIA... --secret-file - < secret.txt\n"
      "  berth destinations add nas --kind sftp --host nas.example.com --user backup --path "
      "/srv/backups --private-key-file ~/.ssh/backup_ed25519");
  runner.on(add, [add_args](Api& api) {
    auto settings = destination_settings_from(add_args->kind, *add_args);
    if (!settings) {
      return report(settings.error());
    }
    const nlohmann::json body = {
        {"name", add_args->name}, {"kind", add_args->kind}, {add_args->kind, *settings}};
    auto answer = api.call("POST", "/api/v1/backup-destinations", body,
                           {{"Idempotency-Key", new_idempotency_key()}});
    return answer ? show_done(api.options(), *answer,
                              fmt::format("Added {} ({}); try it with: berth destinations test {}",
                                          cell(*answer, "name"), cell(*answer, "id"),
                                          cell(*answer, "name")))
                  : report(answer.error());
  });

  auto set_args = std::make_shared<DestinationArgs>();
  auto* set = destinations->add_subcommand(
      "set", "Change a backup destination (a new endpoint or host needs its secret again)");
  set->add_option("destination", set_args->name, "Its id or name")->required();
  set->add_option("--name", set_args->new_name, "A new name");
  add_destination_options(set, *set_args);
  set->footer(
      "Example:\n  berth destinations set offsite --secret-file - < new-secret.txt\n"
      "  berth destinations set offsite --prefix prod/v2/");
  runner.on(set, [set_args](Api& api) {
    auto path = path_of(api, "backup-destinations", set_args->name);
    auto current = path ? api.get(*path) : fail(std::move(path.error()));
    if (!current) {
      return report(current.error());
    }
    const std::string kind = current->value("kind", "s3");
    auto settings = destination_settings_from(kind, *set_args);
    if (!settings) {
      return report(settings.error());
    }
    nlohmann::json body = nlohmann::json::object();
    if (!set_args->new_name.empty()) {
      body["name"] = set_args->new_name;
    }
    if (!settings->empty()) {
      body[kind] = *settings;
    }
    if (body.empty()) {
      return complain("nothing to change", kUsage);
    }
    auto answer = api.call("PATCH", *path, body);
    return answer ? show_done(api.options(), *answer, "Updated " + cell(*answer, "name"))
                  : report(answer.error());
  });

  auto target = std::make_shared<std::string>();
  auto* test = destinations->add_subcommand(
      "test", "Write, read back and delete a probe object at a destination (team admins)");
  test->add_option("destination", *target, "Its id or name")->required();
  test->footer("Exit status 1 when a step failed.\nExample:\n  berth destinations test offsite");
  runner.on(test, [target](Api& api) {
    auto path = path_of(api, "backup-destinations", *target, "/test");
    auto answer = path ? api.call("POST", *path) : fail(std::move(path.error()));
    return answer ? show_destination_test(api, *answer) : report(answer.error());
  });

  add_delete_command(destinations, runner, "backup-destinations",
                     "Remove a backup destination (team admins)");
}

}  // namespace

void add_destination_commands(CLI::App& app, const Runner& runner) {
  auto* destinations = app.add_subcommand(
      "destinations", "Where backups go: S3-compatible buckets and SFTP folders");
  destinations->require_subcommand(1);
  add_destination_verbs(destinations, runner);
}

}  // namespace berth::cli
