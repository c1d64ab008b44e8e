// berth services …: managed databases and caches (docs/services.md). The links of an app to
// them are `berth apps link|unlink|links` (app_commands.cpp).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <thread>

#include "cli/command.hpp"
#include "cli/stream_output.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kServiceColumns = {{"ID", "id"},
                                             {"NAME", "name"},
                                             {"ENGINE", "engine"},
                                             {"VERSION", "version"},
                                             {"STATUS", "status"},
                                             {"PROJECT", "project_id"},
                                             {"SERVER", "server_id"},
                                             {"LINKS", "link_count"}};
const std::vector<Column> kServiceFields = {{"id", "id"},
                                            {"name", "name"},
                                            {"engine", "engine"},
                                            {"version", "version"},
                                            {"image", "image"},
                                            {"status", "status"},
                                            {"message", "status_message"},
                                            {"project", "project_id"},
                                            {"server", "server_id"},
                                            {"address", "address"},
                                            {"network", "network"},
                                            {"memory", "memory"},
                                            {"cpus", "cpus"},
                                            {"published", "published"},
                                            {"container", "container"},
                                            {"volume", "volume"},
                                            {"linked apps", "linked_apps"},
                                            {"created", "created_at"},
                                            {"updated", "updated_at"}};
const std::vector<std::string> kEngineNames = {"postgres", "mysql", "mariadb", "redis", "valkey"};

// "512M", "1G", "1.5GiB", "268435456": bytes (K, M, G, T are powers of 1024); "0" is no limit.
std::optional<std::int64_t> parse_memory(const std::string& text) {
  std::size_t used = 0;
  double number = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string unit = text.substr(used);
  if (unit.ends_with("iB")) {
    unit.resize(unit.size() - 2);
  } else if (unit.ends_with("B") || unit.ends_with("b")) {
    unit.pop_back();
  }
  double scale = 1;
  if (unit == "k" || unit == "K") {
    scale = 1024.0;
  } else if (unit == "m" || unit == "M") {
    scale = 1024.0 * 1024;
  } else if (unit == "g" || unit == "G") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "t" || unit == "T") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else if (!unit.empty()) {
    return std::nullopt;
  }
  const double bytes = number * scale;
  if (!std::isfinite(bytes) || bytes < 0 || bytes > 9e18) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::llround(bytes));
}

// "15432", "127.0.0.1:15432", "[::1]:15432": the API's publish object.
std::optional<nlohmann::json> parse_publish(const std::string& text) {
  std::string host;
  std::string port = text;
  const auto colon = text.rfind(':');
  if (colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) {
      return std::nullopt;
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int number = std::stoi(port);
  if (number < 1 || number > 65535) {
    return std::nullopt;
  }
  nlohmann::json publish = {{"host_port", number}};
  if (!host.empty()) {
    publish["host_ip"] = host;
  }
  return publish;
}

std::string format_bytes(std::int64_t bytes) {
  if (bytes <= 0) {
    return "no limit";
  }
  constexpr std::int64_t kMiB = 1024 * 1024;
  if (bytes % (1024 * kMiB) == 0) {
    return fmt::format("{}G", bytes / (1024 * kMiB));
  }
  if (bytes % kMiB == 0) {
    return fmt::format("{}M", bytes / kMiB);
  }
  return fmt::format("{} bytes", bytes);
}

// The service with the fields a table or `show` prints that the API leaves to its clients.
nlohmann::json service_row(const nlohmann::json& service) {
  nlohmann::json row = service;
  const auto& links = service.value("links", nlohmann::json::array());
  row["link_count"] = links.size();
  nlohmann::json apps = nlohmann::json::array();
  for (const auto& link : links) {
    apps.push_back(link.value("app_name", ""));
  }
  row["linked_apps"] = apps;
  row["address"] = fmt::format("{}:{} (network {})", cell(service, "host"), cell(service, "port"),
                               cell(service, "network"));
  row["memory"] = format_bytes(service.value("memory_bytes", std::int64_t{0}));
  const auto nano = service.value("nano_cpus", std::int64_t{0});
  row["cpus"] =
      nano <= 0 ? std::string("no limit") : fmt::format("{:g}", static_cast<double>(nano) / 1e9);
  const auto publish = service.value("publish", nlohmann::json());
  row["published"] = publish.is_object() ? fmt::format("{}:{}", cell(publish, "host_ip"),
                                                       cell(publish, "host_port"))
                                         : std::string("no");
  return row;
}

int show_service(const GlobalOptions& global, const nlohmann::json& service) {
  if (global.json || global.quiet) {
    return show_object(global, service, kServiceFields);
  }
  print_fields(service_row(service), kServiceFields);
  for (const auto& warning : service.value("warnings", nlohmann::json::array())) {
    fmt::print(stderr, "warning: {}\n", warning.get<std::string>());
  }
  return kOk;
}

bool service_is_busy(const std::string& status) {
  return status == "new" || status == "deploying" || status == "stopping";
}

// Polls the service until its status leaves deploying/stopping; the exit code: 1 with the
// status_message when it ends failed.
int wait_for_service(Api& api, const nlohmann::json& answer) {
  install_interrupt_handler();
  const std::string id = answer.value("id", "");
  nlohmann::json service = answer;
  while (service_is_busy(service.value("status", ""))) {
    if (interrupted()) {
      fmt::print(stderr, "berth: stopped waiting for {} (it goes on)\n", id);
      return 130;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto read = api.get("/api/v1/services/" + id);
    if (!read) {
      return report(read.error());
    }
    service = std::move(*read);
  }
  if (service.value("status", "") == "failed") {
    fmt::print(stderr, "berth: service {} failed: {}\n", cell(service, "name"),
               cell(service, "status_message"));
    return kFailed;
  }
  return show_done(api.options(), service,
                   fmt::format("Service {} is {}", cell(service, "name"), cell(service, "status")));
}

// What an operation answered: printed as it is, or waited for with --wait.
int service_operation_done(Api& api, const nlohmann::json& answer, bool wait,
                           const std::string& message) {
  if (wait) {
    if (!api.options().json && !api.options().quiet) {
      fmt::print("{}\n", message);
    }
    return wait_for_service(api, answer);
  }
  return show_done(api.options(), answer, message);
}

struct ServiceArgs {
  std::string name, engine, project, server, version, image, memory, publish;
  double cpus = -1;
  bool no_publish = false;
  bool wait = false;
};

// The options of create (`create`) and set: the same fields, described for each.
void add_spec_options(CLI::App* command, ServiceArgs& args, bool create) {
  command->add_option("--version", args.version,
                      create ? "The engine's version (default: the newest)"
                             : "Another version of the same major one (a major change is refused)");
  command->add_option("--image", args.image,
                      create ? "The image (default: the official one, e.g. postgres:17)"
                             : "Another image of the same major version (postgres:17.2)");
  command->add_option("--memory", args.memory, "Memory limit: 512M, 1G, ... (0: no limit)");
  command->add_option("--cpus", args.cpus, "CPU limit: 0.5, 2, ... (0: no limit)")
      ->check(CLI::Range(0.0, 1024.0));
  command->add_option("--publish", args.publish,
                      "Bind its port on the server at [IP:]PORT (admins; IP defaults to "
                      "127.0.0.1)");
  command->add_flag("--wait,-w", args.wait,
                    create ? "Wait until it runs; fail when it fails"
                           : "Wait until it is redeployed; fail when it fails");
}

// The body fields the spec options name; the error side is the exit status.
std::expected<nlohmann::json, int> service_spec_body(const ServiceArgs& args) {
  nlohmann::json body = nlohmann::json::object();
  if (!args.version.empty()) {
    body["version"] = args.version;
  }
  if (!args.image.empty()) {
    body["image"] = args.image;
  }
  if (!args.memory.empty()) {
    const auto bytes = parse_memory(args.memory);
    if (!bytes) {
      return std::unexpected(complain("--memory: expected a size like 512M or 1G", kUsage));
    }
    body["memory_bytes"] = *bytes;
  }
  if (args.cpus >= 0) {
    body["nano_cpus"] = static_cast<std::int64_t>(std::llround(args.cpus * 1e9));
  }
  if (args.no_publish) {
    body["publish"] = nullptr;
  } else if (!args.publish.empty()) {
    const auto publish = parse_publish(args.publish);
    if (!publish) {
      return std::unexpected(complain("--publish: expected [IP:]PORT", kUsage));
    }
    body["publish"] = *publish;
  }
  return body;
}

// "?project_id=…&server_id=…&engine=…" from names or ids.
Result<std::string> service_filter_query(Api& api, const ServiceArgs& args) {
  std::string query;
  auto add = [&query](const std::string& key, const std::string& value) {
    query += (query.empty() ? "?" : "&") + key + "=" + url_encode(value);
  };
  if (!args.project.empty()) {
    auto project = api.resolve("projects", args.project);
    if (!project) {
      return fail(std::move(project.error()));
    }
    add("project_id", *project);
  }
  if (!args.server.empty()) {
    auto server = api.resolve("servers", args.server);
    if (!server) {
      return fail(std::move(server.error()));
    }
    add("server_id", *server);
  }
  if (!args.engine.empty()) {
    add("engine", args.engine);
  }
  return query;
}

int create_service(Api& api, const ServiceArgs& args) {
  auto body = service_spec_body(args);
  if (!body) {
    return body.error();
  }
  auto project = api.resolve("projects", args.project);
  auto server = project ? api.resolve("servers", args.server) : project;
  if (!server) {
    return report(server.error());
  }
  (*body)["name"] = args.name;
  (*body)["engine"] = args.engine;
  (*body)["project_id"] = *project;
  (*body)["server_id"] = *server;
  auto answer =
      api.call("POST", "/api/v1/services", *body, {{"Idempotency-Key", new_idempotency_key()}});
  if (!answer) {
    return report(answer.error());
  }
  for (const auto& warning : answer->value("warnings", nlohmann::json::array())) {
    fmt::print(stderr, "warning: {}\n", warning.get<std::string>());
  }
  return service_operation_done(api, *answer, args.wait,
                                fmt::format("Created service {} ({}): {}", args.name,
                                            cell(*answer, "id"), cell(*answer, "status")));
}

// The name typed for `rm` (from --confirm, or asked for); the error side is the exit status.
std::expected<std::string, int> confirm_service_name(const nlohmann::json& service,
                                                     const std::string& given, bool asked) {
  if (asked) {
    return given;
  }
  const std::string name = cell(service, "name");
  fmt::print(stderr,
             "Deleting service {} removes its container and its data volume.\nType its name to "
             "confirm: ",
             name);
  std::string typed;
  if (!std::getline(std::cin, typed) || typed != name) {
    if (isatty(STDIN_FILENO) == 0 && typed.empty()) {
      return std::unexpected(complain("not deleted: pass --confirm " + name, kUsage));
    }
    return std::unexpected(complain("not deleted: the name did not match", kFailed));
  }
  return typed;
}

void add_service_verbs(CLI::App* services, const Runner& runner) {
  auto args = std::make_shared<ServiceArgs>();
  auto* ls = services->add_subcommand("ls", "List the team's services");
  ls->add_option("--project", args->project, "Only this project's (id or name)");
  ls->add_option("--server", args->server, "Only this server's (id or name)");
  ls->add_option("--engine", args->engine, "Only this engine's")
      ->check(CLI::IsMember(kEngineNames));
  ls->footer("Example:\n  berth services ls --project shop --engine postgres");
  runner.on(ls, [args](Api& api) {
    auto query = service_filter_query(api, *args);
    auto items = query ? api.list_all("/api/v1/services" + *query) : fail(std::move(query.error()));
    if (!items) {
      return report(items.error());
    }
    if (api.options().json) {
      return show_list(api.options(), *items, kServiceColumns);
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& item : *items) {
      rows.push_back(service_row(item));
    }
    return show_list(api.options(), rows, kServiceColumns);
  });

  auto* create = services->add_subcommand(
      "create", "Create a managed PostgreSQL, MySQL, MariaDB, Redis or Valkey");
  create->add_option("name", args->name, "The service's name (its host name for linked apps)")
      ->required();
  create->add_option("--engine", args->engine, "postgres, mysql, mariadb, redis or valkey")
      ->required()
      ->check(CLI::IsMember(kEngineNames));
  create->add_option("--project", args->project, "Project id or name")->required();
  create->add_option("--server", args->server, "Server id or name")->required();
  add_spec_options(create, *args, true);
  create->footer(
      "Example:\n  berth services create orders-db --engine postgres --project shop --server "
      "web-1\n  berth services create cache --engine redis --project shop --server web-1 "
      "--memory 256M --wait");
  runner.on(create, [args](Api& api) { return create_service(api, *args); });

  auto target = std::make_shared<std::string>();
  auto* show = services->add_subcommand(
      "show", "Show a service: status, address on the project network, limits, linked apps");
  show->add_option("service", *target, "Service id or name")->required();
  runner.on(show, [target](Api& api) {
    auto path = path_of(api, "services", *target);
    auto item = path ? api.get(*path) : fail(std::move(path.error()));
    return item ? show_service(api.options(), *item) : report(item.error());
  });

  auto* set = services->add_subcommand(
      "set", "Change a service's image, version, limits or published port (redeploys it)");
  set->add_option("service", *target, "Service id or name")->required();
  add_spec_options(set, *args, false);
  set->add_flag("--no-publish", args->no_publish, "Publish its port no more (admins)");
  set->footer(
      "A new major version is refused: back up, create a service on it and restore.\n"
      "Example:\n  berth services set orders-db --image postgres:17.2 --wait\n  berth services "
      "set orders-db --memory 1G --cpus 1");
  runner.on(set, [args, target](Api& api) {
    if (args->no_publish && !args->publish.empty()) {
      return complain("give --publish or --no-publish, not both", kUsage);
    }
    auto body = service_spec_body(*args);
    if (!body) {
      return body.error();
    }
    if (body->empty()) {
      return complain("nothing to change: give --image, --version, --memory, --cpus or --publish",
                      kUsage);
    }
    auto path = path_of(api, "services", *target);
    auto answer = path ? api.call("PATCH", *path, *body) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    return service_operation_done(
        api, *answer, args->wait,
        fmt::format("Changed service {}: {}", cell(*answer, "name"), cell(*answer, "status")));
  });

  for (const auto* verb : {"start", "stop", "restart"}) {
    const std::string name = verb;
    auto* cmd = services->add_subcommand(
        name, name == "start"  ? "Start a stopped or failed service on its volume"
              : name == "stop" ? "Stop a service's container (the data stays)"
                               : "Replace a service's container (the data stays)");
    cmd->add_option("service", *target, "Service id or name")->required();
    cmd->add_flag("--wait,-w", args->wait, "Wait until it is done; fail when it fails");
    runner.on(cmd, [args, target, name](Api& api) {
      auto path = path_of(api, "services", *target, "/" + name);
      auto answer =
          path ? api.call("POST", *path, std::nullopt, {{"Idempotency-Key", new_idempotency_key()}})
               : fail(std::move(path.error()));
      if (!answer) {
        return report(answer.error());
      }
      return service_operation_done(
          api, *answer, args->wait,
          fmt::format("Service {}: {}", cell(*answer, "name"), cell(*answer, "status")));
    });
  }

  auto follow = std::make_shared<bool>(false);
  auto tail = std::make_shared<int>(-1);
  auto* logs = services->add_subcommand("logs", "A service's container output");
  logs->add_option("service", *target, "Service id or name")->required();
  logs->add_flag("-f,--follow", *follow, "Keep streaming until Ctrl-C or the container stops");
  logs->add_option("--tail", *tail, "Start with the last N lines");
  runner.on(logs, [target, follow, tail](Api& api) {
    return print_container_logs(api, "services", *target, *follow, *tail);
  });

  auto confirm = std::make_shared<std::string>();
  auto* rm = services->add_subcommand(
      "rm", "Delete a service with its container and its data volume (asks for its name)");
  rm->add_option("service", *target, "Service id or name")->required();
  rm->add_option("--confirm", *confirm, "The service's name, instead of typing it");
  rm->footer("Example:\n  berth services rm orders-db --confirm orders-db");
  runner.on(rm, [target, confirm, rm](Api& api) {
    auto path = path_of(api, "services", *target);
    auto service = path ? api.get(*path) : fail(std::move(path.error()));
    if (!service) {
      return report(service.error());
    }
    auto typed = confirm_service_name(*service, *confirm, rm->count("--confirm") > 0);
    if (!typed) {
      return typed.error();
    }
    auto answer = api.call("DELETE", *path + "?confirm=" + url_encode(*typed));
    return answer ? show_done(api.options(), *answer,
                              fmt::format("Deleting service {}: its container and data volume go",
                                          cell(*answer, "name")))
                  : report(answer.error());
  });
}

}  // namespace

void add_service_commands(CLI::App& app, const Runner& runner) {
  auto* services = app.add_subcommand("services", "Managed databases and caches that apps link to");
  services->require_subcommand(1);
  add_service_verbs(services, runner);
}

}  // namespace berth::cli
