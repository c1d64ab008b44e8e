// berth servers …: the fleet (jobs: job_commands.cpp).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/stream_output.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kServerColumns = {{"ID", "id"},
                                            {"NAME", "name"},
                                            {"STATUS", "status"},
                                            {"SCHEDULING", "scheduling"},
                                            {"ADDRESS", "address"},
                                            {"AGENT", "agent_version"},
                                            {"LAST SEEN", "last_seen_at"}};
const std::vector<Column> kServerFields = {{"id", "id"},
                                           {"name", "name"},
                                           {"status", "status"},
                                           {"reason", "status_reason"},
                                           {"scheduling", "scheduling"},
                                           {"address", "address"},
                                           {"agent", "agent_version"},
                                           {"agent update", "agent_update_available"},
                                           {"labels", "labels"},
                                           {"last seen", "last_seen_at"},
                                           {"created", "created_at"}};

// A server action: POST /servers/{id}/<verb>, then the answer.
void add_server_action(CLI::App* servers, const Runner& runner, const std::string& verb,
                       const std::string& what, const std::string& done) {
  auto server = std::make_shared<std::string>();
  auto* cmd = servers->add_subcommand(verb == "revoke-agent" ? "revoke" : verb, what);
  cmd->add_option("server", *server, "Server id or name")->required();
  runner.on(cmd, [server, verb, done](Api& api) {
    auto path = path_of(api, "servers", *server, "/" + verb);
    if (!path) {
      return report(path.error());
    }
    auto answer = api.call("POST", *path);
    if (!answer) {
      return report(answer.error());
    }
    return show_done(api.options(), *answer, fmt::format("{} {}", done, *server));
  });
}

// `servers label`: the server's labels with `pairs` set and `removed` taken out (PATCH
// replaces the whole label map, so the current one is read first).
int label_server(Api& api, const std::string& server, const std::vector<std::string>& pairs,
                 const std::vector<std::string>& removed) {
  if (pairs.empty() && removed.empty()) {
    return complain("give KEY=VALUE pairs or --rm KEY", kUsage);
  }
  auto path = path_of(api, "servers", server);
  if (!path) {
    return report(path.error());
  }
  auto current = api.get(*path);
  if (!current) {
    return report(current.error());
  }
  nlohmann::json labels =
      (*current)["labels"].is_object() ? (*current)["labels"] : nlohmann::json::object();
  for (const auto& pair : pairs) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      return complain("expected KEY=VALUE, got " + pair, kUsage);
    }
    labels[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  for (const auto& key : removed) {
    labels.erase(key);
  }
  auto answer = api.call("PATCH", *path, nlohmann::json{{"labels", labels}});
  if (!answer) {
    return report(answer.error());
  }
  std::string text;
  for (const auto& [key, value] : (*answer)["labels"].items()) {
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", key, value.get<std::string>());
  }
  return show_done(api.options(), *answer,
                   fmt::format("Labels of {}: {}", server, text.empty() ? "(none)" : text));
}

struct AdoptArgs {
  std::string ssh, key_file, name, host_key, install_dir;
  bool password_stdin = false;
  bool yes = false;
  bool keep_credentials = false;
};

// "user@host[:port]" (a bracketed [IPv6]:port too).
bool parse_ssh_target(const std::string& target, nlohmann::json& body) {
  const auto at = target.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == target.size()) {
    return false;
  }
  body["username"] = target.substr(0, at);
  std::string host = target.substr(at + 1);
  std::string port;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string::npos) {
      return false;
    }
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') {
        return false;
      }
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.find(':');
             colon != std::string::npos && host.find(':', colon + 1) == std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) {
    return false;
  }
  body["host"] = host;
  if (!port.empty()) {
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return false;
    }
    body["port"] = std::stoi(port);
  }
  return true;
}

// Polls the adoption job until it ends (its output is berthd's business; the state is ours).
Result<nlohmann::json> wait_for_job(Api& api, const std::string& job_id) {
  for (;;) {
    auto job = api.get("/api/v1/jobs/" + job_id);
    if (!job) {
      return job;
    }
    const auto state = job->value("state", "");
    if (state != "queued" && state != "dispatched" && state != "running") {
      return job;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// The middle of /etc/ssh/ssh_host_<kind>_key.pub for an SSH key type.
std::string host_key_file_kind(const std::string& type) {
  if (type.find("ed25519") != std::string::npos) {
    return "ed25519";
  }
  if (type.starts_with("ecdsa")) {
    return "ecdsa";
  }
  return "rsa";
}

// Asks berthd for the server's host key (a key exchange, no credential sent) and has it
// confirmed before the adoption: by a person on a terminal, by --host-key (must match), or
// taken as seen with --yes. The adoption then refuses any other key before signing in.
// The error side is the exit status to end with.
std::expected<std::string, int> confirm_host_key(Api& api, const AdoptArgs& args,
                                                 const nlohmann::json& body) {
  nlohmann::json where = {{"host", body["host"]}, {"port", body.value("port", 22)}};
  auto probed = api.call("POST", "/api/v1/servers/ssh-host-key", where);
  if (!probed) {
    return std::unexpected(report(probed.error()));
  }
  const std::string key = cell(*probed, "host_key");
  const std::string type = cell(*probed, "host_key_type");
  if (!args.host_key.empty()) {
    if (key != args.host_key) {
      fmt::print(stderr,
                 "berth: {} has host key {}, not the expected {}: not adopted (no credential was "
                 "sent)\n",
                 args.ssh, key, args.host_key);
      return std::unexpected(kFailed);
    }
    return key;
  }
  if (args.yes) {
    if (!api.options().json && !api.options().quiet) {
      fmt::print(stderr, "Host key of {}: {} {}\n", args.ssh, type, key);
    }
    return key;
  }
  if (args.password_stdin || !isatty(STDIN_FILENO)) {
    fmt::print(stderr, "Host key of {}: {} {}\n", args.ssh, type, key);
    return std::unexpected(complain(
        "not a terminal: pass --host-key " + key + " (after checking it) or --yes", kUsage));
  }
  fmt::print(stderr,
             "The server at {} presents the host key\n  {} {}\nCompare it with `ssh-keygen -lf "
             "/etc/ssh/ssh_host_{}_key.pub` on the server. Adopt it? [y/N] ",
             args.ssh, type, key, host_key_file_kind(type));
  std::string yes;
  std::getline(std::cin, yes);
  if (yes != "y" && yes != "Y" && yes != "yes") {
    return std::unexpected(complain("not adopted", kFailed));
  }
  return key;
}

struct ProxyArgs {
  std::string server, tls, base_domain, acme_ca, acme_ca_root_file, acme_email;
  std::vector<std::string> public_addresses = {};
  std::int64_t http_port = 0, https_port = 0;
};

// Without options: the settings. With some: PUT of the whole document, the rest as it was.
int server_proxy(Api& api, const ProxyArgs& args, const CLI::App& command) {
  auto path = path_of(api, "servers", args.server, "/proxy");
  auto current = path ? api.get(*path) : fail(std::move(path.error()));
  if (!current) {
    return report(current.error());
  }
  const auto given = [&](const char* option) { return command.count(option) > 0; };
  bool change = false;
  for (const char* option : {"--tls", "--http-port", "--https-port", "--base-domain", "--acme-ca",
                             "--acme-ca-root", "--acme-email", "--public-address"}) {
    change = change || given(option);
  }
  if (!change) {
    nlohmann::json shown = *current;
    if (!api.options().json) {  // a root is a page of PEM: the table says whether there is one
      shown["acme_ca_root"] = shown.value("acme_ca_root", "").empty() ? "" : "(set)";
    }
    return show_object(api.options(), shown,
                       {{"TLS", "tls"},
                        {"HTTP PORT", "http_port"},
                        {"HTTPS PORT", "https_port"},
                        {"BASE DOMAIN", "base_domain"},
                        {"ACME CA", "acme_ca"},
                        {"ACME CA ROOT", "acme_ca_root"},
                        {"ACME EMAIL", "acme_email"},
                        {"PUBLIC ADDRESSES", "public_addresses"}});
  }
  nlohmann::json body = {
      {"tls", given("--tls") ? args.tls : current->value("tls", "off")},
      {"http_port", given("--http-port") ? args.http_port : current->value("http_port", 80)},
      {"https_port", given("--https-port") ? args.https_port : current->value("https_port", 443)}};
  if (given("--base-domain")) {
    body["base_domain"] = args.base_domain;
  } else if ((*current)["base_domain"].is_string()) {
    body["base_domain"] = (*current)["base_domain"];
  }
  // Settings without an option keep their value: the PUT replaces the whole document.
  if (given("--public-address")) {  // "" alone clears: the agent's addresses count again
    body["public_addresses"] = nlohmann::json::array();
    for (const auto& address : args.public_addresses) {
      if (!address.empty()) {
        body["public_addresses"].push_back(address);
      }
    }
  } else if ((*current)["public_addresses"].is_array()) {
    body["public_addresses"] = (*current)["public_addresses"];
  }
  body["acme_ca"] = given("--acme-ca") ? args.acme_ca : current->value("acme_ca", "");
  body["acme_email"] = given("--acme-email") ? args.acme_email : current->value("acme_email", "");
  body["acme_ca_root"] = current->value("acme_ca_root", "");
  if (given("--acme-ca-root")) {
    if (args.acme_ca_root_file.empty()) {
      body["acme_ca_root"] = "";
    } else {
      auto pem = read_input_file(args.acme_ca_root_file);
      if (!pem) {
        return complain(pem.error().message, kUsage);
      }
      body["acme_ca_root"] = *pem;
    }
  }
  auto answer = api.call("PUT", *path, body);
  return answer ? show_done(api.options(), *answer,
                            fmt::format("Proxy of {}: tls {}, ports {}/{}", args.server,
                                        cell(*answer, "tls"), cell(*answer, "http_port"),
                                        cell(*answer, "https_port")))
                : report(answer.error());
}

// The SSH credentials from --key FILE or one line of stdin (--password-stdin); the error
// side is the exit status.
std::expected<nlohmann::json, int> read_ssh_credentials(const std::string& key_file,
                                                        bool password_stdin) {
  if (!key_file.empty()) {
    auto key = read_input_file(key_file);
    if (!key) {
      return std::unexpected(complain(key.error().message, kUsage));
    }
    return nlohmann::json{{"private_key", *key}};
  }
  if (!password_stdin) {
    return std::unexpected(complain("give --key FILE or --password-stdin", kUsage));
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') {
    password.pop_back();
  }
  if (password.empty()) {
    return std::unexpected(complain("no password on stdin", kUsage));
  }
  return nlohmann::json{{"password", password}};
}

// Waits for a started adoption ({server, job}) and reports how it ended.
int follow_adoption(Api& api, const nlohmann::json& started) {
  const auto server_id = cell(started, "server.id");
  auto job = wait_for_job(api, cell(started, "job.id"));
  if (!job) {
    return report(job.error());
  }
  auto server = api.get("/api/v1/servers/" + server_id);
  if (!server) {
    return report(server.error());
  }
  // Recorded on the server once adopted; the job's result carries it too.
  std::string host_key = cell(*server, "ssh.host_key");
  if (host_key == "-") {
    host_key = cell(*job, "result.host_key");
  }
  if (api.options().json) {
    fmt::print("{}\n", nlohmann::json{{"server", *server}, {"job", *job}}.dump(2));
  } else if (api.options().quiet) {
    fmt::print("{}\n", server_id);
  } else if (host_key != "-") {
    fmt::print("Host key: {}\n", host_key);
  }
  if (job->value("state", "") != "succeeded") {
    const auto& error = (*job)["error"];
    fmt::print(stderr, "berth: adoption {}: {}\n", job->value("state", ""),
               error.is_object() ? cell(error, "code") + ": " + cell(error, "message")
                                 : cell(*job, "error"));
    return kFailed;
  }
  if (!api.options().json && !api.options().quiet) {
    fmt::print("Adopted {} ({})\n", cell(*server, "name"), server_id);
  }
  return kOk;
}

int adopt_server(Api& api, const AdoptArgs& args) {
  nlohmann::json body = nlohmann::json::object();
  if (!parse_ssh_target(args.ssh, body)) {
    return complain("expected --ssh user@host[:port], got " + args.ssh, kUsage);
  }
  body["name"] = args.name.empty() ? body["host"].get<std::string>() : args.name;
  if (args.key_file.empty() == !args.password_stdin) {
    return complain("give --key FILE or --password-stdin", kUsage);
  }
  if (!args.host_key.empty() && !args.host_key.starts_with("SHA256:")) {
    return complain("--host-key takes the key's SHA256:... fingerprint", kUsage);
  }
  auto auth = read_ssh_credentials(args.key_file, args.password_stdin);
  if (!auth) {
    return auth.error();
  }
  body["auth"] = *auth;
  if (args.keep_credentials) {
    body["keep_credentials"] = true;
  }
  if (!args.install_dir.empty()) {
    body["install_dir"] = args.install_dir;
  }
  auto confirmed = confirm_host_key(api, args, body);
  if (!confirmed) {
    return confirmed.error();
  }
  body["host_key"] = *confirmed;
  auto started =
      api.call("POST", "/api/v1/servers", body, {{"Idempotency-Key", new_idempotency_key()}});
  if (!started) {
    return report(started.error());
  }
  if (!api.options().json && !api.options().quiet) {
    fmt::print("Adopting {} as {} ({})...\n", args.ssh, cell(*started, "server.name"),
               cell(*started, "server.id"));
  }
  return follow_adoption(api, *started);
}

struct UpgradeArgs {
  std::string server;
  bool all = false;
  bool wait = false;
};

// After its job succeeded the agent starts again and says its version in hello.
int wait_for_upgrade(Api& api, const nlohmann::json& started) {
  const std::string server_id = cell(started, "server_id");
  const std::string name = cell(started, "server_name");
  auto job = wait_for_job(api, cell(started, "job.id"));
  if (!job) {
    return report(job.error());
  }
  if (job->value("state", "") != "succeeded") {
    const auto& error = (*job)["error"];
    fmt::print(stderr, "berth: upgrading the agent of {} {}: {}\n", name, job->value("state", ""),
               error.is_object() ? cell(error, "code") + ": " + cell(error, "message")
                                 : cell(*job, "error"));
    return kFailed;
  }
  const std::string target = cell(started, "to_version");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto server = api.get("/api/v1/servers/" + server_id);
    if (!server) {
      return report(server.error());
    }
    if (server->value("agent_version", "") == target && server->value("status", "") != "offline") {
      if (!api.options().quiet) {
        fmt::print("{}: agent {} connected\n", name, target);
      }
      return kOk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  fmt::print(stderr, "berth: {} replaced its agent but has not come back as {} within 2 minutes\n",
             name, target);
  return kFailed;
}

int upgrade_agents(Api& api, const UpgradeArgs& args) {
  if (args.all == !args.server.empty()) {
    return complain("give a server, or --all for every server whose agent is older", kUsage);
  }
  nlohmann::json started = nlohmann::json::array();
  if (args.all) {
    auto answer = api.call("POST", "/api/v1/servers/upgrade");
    if (!answer) {
      return report(answer.error());
    }
    started = (*answer)["data"];
    if (started.empty() && !api.options().json && !api.options().quiet) {
      fmt::print("Every agent already runs {}\n", cell(*answer, "version"));
    }
  } else {
    auto path = path_of(api, "servers", args.server, "/upgrade");
    auto answer = path ? api.call("POST", *path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    started.push_back(*answer);
  }
  if (api.options().json) {
    fmt::print("{}\n", started.dump(2));
  }
  for (const auto& one : started) {
    if (api.options().quiet) {
      fmt::print("{}\n", cell(one, "job.id"));
    } else if (!api.options().json) {
      fmt::print("Upgrading the agent of {} from {} to {} (job {})\n", cell(one, "server_name"),
                 cell(one, "from_version"), cell(one, "to_version"), cell(one, "job.id"));
    }
  }
  int code = kOk;
  if (args.wait) {
    for (const auto& one : started) {
      code = std::max(code, wait_for_upgrade(api, one));
    }
  }
  return code;
}

}  // namespace

void add_server_commands(CLI::App& app, const Runner& runner) {
  auto* servers = app.add_subcommand("servers", "The team's servers");
  servers->require_subcommand(1);
  add_list_command(servers, runner, "servers", "List servers", kServerColumns);
  add_show_command(servers, runner, "servers", "Show a server", kServerFields);
  auto server = std::make_shared<std::string>();
  add_server_action(servers, runner, "cordon", "Place no new deployments on a server", "Cordoned");
  add_server_action(servers, runner, "uncordon", "Make a cordoned server schedulable",
                    "Uncordoned");
  add_server_action(servers, runner, "drain", "Cordon a server and cancel its queued jobs",
                    "Draining");
  add_server_action(servers, runner, "revoke-agent",
                    "Revoke the server's agent token and disconnect it", "Revoked the agent of");

  add_delete_command(servers, runner, "servers",
                     "Delete a server with its jobs, metrics and events");

  auto upgrade = std::make_shared<UpgradeArgs>();
  auto* upgrade_cmd = servers->add_subcommand(
      "upgrade", "Upgrade a server's agent (or --all: every older one) to berthd's version");
  upgrade_cmd->add_option("server", upgrade->server, "Server id or name");
  upgrade_cmd->add_flag("--all", upgrade->all, "Every server whose agent is older than berthd");
  upgrade_cmd->add_flag("--wait", upgrade->wait,
                        "Wait until each agent has restarted and reports the new version");
  runner.on(upgrade_cmd, [upgrade](Api& api) { return upgrade_agents(api, *upgrade); });

  auto new_name = std::make_shared<std::string>();
  auto* rename = servers->add_subcommand("rename", "Rename a server");
  rename->add_option("server", *server, "Server id or name")->required();
  rename->add_option("name", *new_name, "The new name")->required();
  runner.on(rename, [server, new_name](Api& api) {
    auto path = path_of(api, "servers", *server);
    auto answer = path ? api.call("PATCH", *path, nlohmann::json{{"name", *new_name}})
                       : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Renamed to " + *new_name)
                  : report(answer.error());
  });

  auto ttl = std::make_shared<int>(0);
  auto* token = servers->add_subcommand("install-token", "Mint a one-time install command");
  token->add_option("--ttl", *ttl, "Seconds the token lives (60-604800; default 3600)");
  runner.on(token, [ttl](Api& api) {
    nlohmann::json body = nlohmann::json::object();
    if (*ttl > 0) {
      body["ttl_seconds"] = *ttl;
    }
    auto answer = api.call("POST", "/api/v1/servers/install-tokens", body);
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json || api.options().quiet) {
      return show_done(api.options(), *answer, "");
    }
    fmt::print("Run this on the server as root (expires {}):\n\n  {}\n",
               cell(*answer, "expires_at"), cell(*answer, "install_command"));
    return kOk;
  });

  auto range = std::make_shared<std::string>("1h");
  auto* metrics = servers->add_subcommand("metrics", "A server's metrics over a time range");
  metrics->add_option("server", *server, "Server id or name")->required();
  metrics->add_option("--range", *range, "1h, 6h, 24h or 7d")
      ->check(CLI::IsMember({"1h", "6h", "24h", "7d"}));
  runner.on(metrics, [server, range](Api& api) {
    auto path = path_of(api, "servers", *server, "/metrics?range=" + *range);
    auto answer = path ? api.get(*path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    if (api.options().json) {
      fmt::print("{}\n", answer->dump(2));
      return kOk;
    }
    const auto& points = (*answer)["points"];
    nlohmann::json rows = points.is_array() ? points : nlohmann::json::array();
    std::vector<Column> columns;
    if (!rows.empty() && rows[0].is_object()) {
      for (const auto& [key, value] : rows[0].items()) {
        columns.push_back({key, key});
      }
    }
    return show_list(api.options(), rows, columns);
  });

  auto pairs = std::make_shared<std::vector<std::string>>();
  auto removed = std::make_shared<std::vector<std::string>>();
  auto* label = servers->add_subcommand(
      "label", "Set or remove a server's labels (the others stay as they are)");
  label->add_option("server", *server, "Server id or name")->required();
  label->add_option("pairs", *pairs, "KEY=VALUE labels to set");
  label->add_option("--rm", *removed, "Label keys to remove");
  label->footer("Example:\n  berth servers label web-1 region=eu-west tier=edge --rm old");
  runner.on(label, [server, pairs, removed](Api& api) {
    return label_server(api, *server, *pairs, *removed);
  });

  auto adopt = std::make_shared<AdoptArgs>();
  auto* add = servers->add_subcommand(
      "add",
      "Adopt a server over SSH: berthd first reads the server's host key (no credential sent) "
      "and shows it for confirmation; then it connects with the credentials, refusing any "
      "other key, and installs and enrols the agent. Off a terminal pass --host-key (checked) "
      "or --yes (the key seen is trusted)");
  add->add_option("--ssh", adopt->ssh, "user@host[:port] (port 22 by default)")->required();
  auto* key_opt = add->add_option("--key", adopt->key_file, "A private key file to sign in with");
  add->add_flag("--password-stdin", adopt->password_stdin, "Read the SSH password from stdin")
      ->excludes(key_opt);
  add->add_option("--name", adopt->name, "The server's name (default: the host)");
  add->add_flag("--yes,-y", adopt->yes, "Trust the host key berthd sees without asking");
  add->add_option("--host-key", adopt->host_key,
                  "The expected SHA256:... fingerprint: another key is refused before any "
                  "credential is sent");
  add->add_option("--install-dir", adopt->install_dir,
                  "Where the agent goes on the server (default /opt/berth; the user must be "
                  "able to create it)");
  add->add_flag("--keep-credentials", adopt->keep_credentials,
                "Keep the credentials (sealed) so berthd can adopt it again");
  add->footer(
      "Example:\n  berth servers add --ssh root@203.0.113.7 --key ~/.ssh/id_ed25519 --name web-2\n"
      "  berth servers add --ssh deploy@web-3:2222 --password-stdin --host-key SHA256:... < pw");
  runner.on(add, [adopt](Api& api) { return adopt_server(api, *adopt); });

  auto again = std::make_shared<AdoptArgs>();
  auto* readopt = servers->add_subcommand(
      "adopt",
      "Adopt a server over SSH again (a failed adoption, a reinstalled agent): the recorded "
      "host key must match. Without --key/--password-stdin the kept credentials are used");
  readopt->add_option("server", again->name, "Server id or name")->required();
  auto* again_key = readopt->add_option("--key", again->key_file, "A private key file");
  readopt->add_flag("--password-stdin", again->password_stdin, "Read the SSH password from stdin")
      ->excludes(again_key);
  readopt->footer("Example:\n  berth servers adopt web-2 --key ~/.ssh/id_ed25519");
  runner.on(readopt, [again](Api& api) {
    auto path = path_of(api, "servers", again->name, "/adopt");
    if (!path) {
      return report(path.error());
    }
    nlohmann::json body = nlohmann::json::object();
    if (!again->key_file.empty() || again->password_stdin) {
      auto auth = read_ssh_credentials(again->key_file, again->password_stdin);
      if (!auth) {
        return auth.error();
      }
      body["auth"] = *auth;
    }
    auto started = api.call("POST", *path, body, {{"Idempotency-Key", new_idempotency_key()}});
    if (!started) {
      return report(started.error());
    }
    if (!api.options().json && !api.options().quiet) {
      fmt::print("Adopting {} again...\n", again->name);
    }
    return follow_adoption(api, *started);
  });

  auto proxy = std::make_shared<ProxyArgs>();
  auto* proxy_cmd = servers->add_subcommand(
      "proxy", "Show a server's proxy settings, or change them with options (admins)");
  proxy_cmd->add_option("server", proxy->server, "Server id or name")->required();
  proxy_cmd->add_option("--tls", proxy->tls, "off, internal or acme")
      ->check(CLI::IsMember({"off", "internal", "acme"}));
  proxy_cmd->add_option("--http-port", proxy->http_port, "Caddy's HTTP port")
      ->check(CLI::Range(1, 65535));
  proxy_cmd->add_option("--https-port", proxy->https_port, "Caddy's HTTPS port")
      ->check(CLI::Range(1, 65535));
  proxy_cmd->add_option("--base-domain", proxy->base_domain,
                        "New apps without a hostname answer at <app>.<base domain> (\"\" clears)");
  proxy_cmd->add_option("--acme-ca", proxy->acme_ca,
                        "ACME directory URL (https) of the CA for acme domains, e.g. a step-ca "
                        "(\"\" clears: Let's Encrypt/ZeroSSL)");
  proxy_cmd->add_option("--acme-ca-root", proxy->acme_ca_root_file,
                        "PEM file (- for stdin) of the root that CA's certificate chains to "
                        "(\"\" clears)");
  proxy_cmd->add_option("--acme-email", proxy->acme_email,
                        "Contact email of the ACME account (\"\" clears)");
  proxy_cmd->add_option("--public-address", proxy->public_addresses,
                        "An address the server is reached at from the internet, for the "
                        "domains' DNS check (repeat for several; \"\" clears: the agent's own)");
  proxy_cmd->footer(
      "Example:\n  berth servers proxy web-1\n  berth servers proxy web-1 --tls acme "
      "--base-domain apps.example.com\n  berth servers proxy web-1 --acme-ca "
      "https://ca.internal:9000/acme/acme/directory --acme-ca-root root_ca.crt --acme-email "
      "ops@example.com");
  runner.on(proxy_cmd,
            [proxy, proxy_cmd](Api& api) { return server_proxy(api, *proxy, *proxy_cmd); });

  auto* deploy_key = servers->add_subcommand(
      "deploy-key", "Print the server's git deploy key (add it to a repository, read-only)");
  deploy_key->add_option("server", *server, "Server id or name")->required();
  deploy_key->footer("Example:\n  berth servers deploy-key web-1 | gh repo deploy-key add -");
  runner.on(deploy_key, [server](Api& api) {
    auto path = path_of(api, "servers", *server, "/deploy-key");
    auto answer = path ? api.get(*path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    fmt::print("{}\n", api.options().json ? answer->dump(2) : cell(*answer, "public_key"));
    return int{kOk};
  });
}

}  // namespace berth::cli
