#include "domain/services/service_spec.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "domain/apps/app_spec.hpp"

namespace berth {
namespace {

using nlohmann::json;

const std::vector<std::string_view> kServiceBodyFields = {
    "name", "engine", "version", "image", "memory_bytes", "nano_cpus", "publish"};

Result<json> check_service_publish(const json& publish) {
  if (publish.is_null()) {
    return json(nullptr);
  }
  if (!publish.is_object()) {
    return fail(Error::validation("publish", "publish must be null or {host_ip, host_port}"));
  }
  for (const auto& [key, value] : publish.items()) {
    if (key != "host_ip" && key != "host_port") {
      return fail(Error::validation("publish." + key, "publish takes host_ip and host_port"));
    }
  }
  const auto port = publish.value("host_port", json());
  if (!port.is_number_integer() || port.get<std::int64_t>() < 1 ||
      port.get<std::int64_t>() > 65535) {
    return fail(Error::validation("publish.host_port", "host_port must be a port 1-65535"));
  }
  const auto ip = publish.value("host_ip", json("127.0.0.1"));
  unsigned char address[16];
  const std::string text = ip.is_string() ? ip.get<std::string>() : "";
  if (::inet_pton(AF_INET, text.c_str(), address) != 1 &&
      ::inet_pton(AF_INET6, text.c_str(), address) != 1) {
    return fail(Error::validation("publish.host_ip", "host_ip must be an IPv4 or IPv6 address"));
  }
  return json{{"host_ip", text}, {"host_port", port}};
}

Result<std::int64_t> service_limit(const json& body, const char* key, std::int64_t fallback) {
  const auto value = body.find(key);
  if (value == body.end() || value->is_null()) {
    return fallback;
  }
  if (!value->is_number_integer() || value->get<std::int64_t>() < 0) {
    return fail(
        Error::validation(key, std::string(key) + " must be an integer >= 0 (0: no limit)"));
  }
  return value->get<std::int64_t>();
}

bool engine_offers(const ServiceEngine& engine, std::string_view version) {
  return std::find(engine.versions.begin(), engine.versions.end(), version) !=
         engine.versions.end();
}

std::string engine_versions_text(const ServiceEngine& engine) {
  std::string text;
  for (const auto& version : engine.versions) {
    text += (text.empty() ? "" : ", ") + std::string(version);
  }
  return text;
}

Error major_version_change(std::string_view from, std::string_view to) {
  return Error::unprocessable(
      "a major version change (" + std::string(from) + " to " + std::string(to) +
      ") cannot be done in place: the data files of one major do not open in another. Back the "
      "service up, create a new service on the new version and restore the backup into it.");
}

// "orders-db" → "orders_db": a user or database name every engine takes unquoted.
std::string service_sql_name(std::string_view service_name) {
  std::string out;
  for (const char c : service_name.substr(0, 32)) {
    out += c == '-' ? '_' : c;
  }
  if (out.empty() || (out.front() >= '0' && out.front() <= '9')) {
    out = "s" + out.substr(0, 31);
  }
  return out;
}

}  // namespace

const std::vector<ServiceEngine>& service_engines() {
  static const std::vector<ServiceEngine> engines = {
      {.name = "postgres",
       .versions = {"15", "16", "17"},
       .image_repository = "postgres",
       .port = 5432,
       .data_dir = "/var/lib/postgresql/data",
       .url_env = "DATABASE_URL",
       .url_scheme = "postgresql"},
      {.name = "mysql",
       .versions = {"8"},
       .image_repository = "mysql",
       .port = 3306,
       .data_dir = "/var/lib/mysql",
       .url_env = "DATABASE_URL",
       .url_scheme = "mysql"},
      {.name = "mariadb",
       .versions = {"11"},
       .image_repository = "mariadb",
       .port = 3306,
       .data_dir = "/var/lib/mysql",
       .url_env = "DATABASE_URL",
       .url_scheme = "mysql"},
      {.name = "redis",
       .versions = {"7"},
       .image_repository = "redis",
       .port = 6379,
       .data_dir = "/data",
       .url_env = "REDIS_URL",
       .url_scheme = "redis"},
      {.name = "valkey",
       .versions = {"7", "8"},
       .image_repository = "valkey/valkey",
       .port = 6379,
       .data_dir = "/data",
       .url_env = "REDIS_URL",
       .url_scheme = "redis"},
  };
  return engines;
}

const ServiceEngine* find_service_engine(std::string_view name) {
  for (const auto& engine : service_engines()) {
    if (engine.name == name) {
      return &engine;
    }
  }
  return nullptr;
}

std::string image_major(std::string_view image) {
  const auto digest = image.find('@');
  image = image.substr(0, digest);
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
    return "";
  }
  std::string major;
  for (const char c : image.substr(colon + 1)) {
    if (c < '0' || c > '9') {
      break;
    }
    major += c;
  }
  return major;
}

Result<json> normalize_service(const json& body) {
  if (!body.is_object()) {
    return fail(Error::validation("body", "the service must be a JSON object"));
  }
  for (const auto& [key, value] : body.items()) {
    if (std::find(kServiceBodyFields.begin(), kServiceBodyFields.end(), key) ==
        kServiceBodyFields.end()) {
      return fail(Error::validation(key, "unknown field"));
    }
  }
  const auto name = body.value("name", json());
  if (!name.is_string()) {
    return fail(Error::validation("name", "name is required"));
  }
  if (auto checked = check_app_name(name.get<std::string>()); !checked) {
    return fail(checked.error());
  }
  const auto engine_name = body.value("engine", json());
  const ServiceEngine* engine =
      engine_name.is_string() ? find_service_engine(engine_name.get<std::string>()) : nullptr;
  if (engine == nullptr) {
    return fail(
        Error::validation("engine", "engine must be postgres, mysql, mariadb, redis or valkey"));
  }
  std::string version(engine->versions.back());
  if (const auto given = body.find("version"); given != body.end() && !given->is_null()) {
    const std::string text = given->is_string()           ? given->get<std::string>()
                             : given->is_number_integer() ? std::to_string(given->get<int>())
                                                          : "";
    if (!engine_offers(*engine, text)) {
      return fail(Error::validation("version", std::string(engine->name) + " comes in version " +
                                                   engine_versions_text(*engine)));
    }
    version = text;
  }
  std::string image = std::string(engine->image_repository) + ":" + version;
  if (const auto given = body.find("image"); given != body.end() && !given->is_null()) {
    if (!given->is_string() || !is_valid_image_ref(given->get<std::string>())) {
      return fail(
          Error::validation("image", "image must be an image reference such as postgres:16"));
    }
    image = given->get<std::string>();
  }
  auto memory = service_limit(body, "memory_bytes", kDefaultServiceMemory);
  auto cpus = service_limit(body, "nano_cpus", 0);
  if (!memory || !cpus) {
    return fail(!memory ? memory.error() : cpus.error());
  }
  if (*memory != 0 && *memory < 64LL * 1024 * 1024) {
    return fail(Error::validation("memory_bytes", "memory_bytes must be 0 or at least 64 MiB"));
  }
  auto publish = check_service_publish(body.value("publish", json()));
  if (!publish) {
    return fail(publish.error());
  }
  return json{{"name", name},       {"engine", engine->name},  {"version", version},
              {"image", image},     {"memory_bytes", *memory}, {"nano_cpus", *cpus},
              {"publish", *publish}};
}

Result<json> apply_service_patch(const json& current, const json& patch) {
  if (!patch.is_object()) {
    return fail(Error::validation("body", "the changes must be a JSON object"));
  }
  json next = current;
  for (const auto& [key, value] : patch.items()) {
    if (key == "name" || key == "engine") {
      if (value != current.value(key, json())) {
        return fail(Error::validation(key, key + " cannot change; create a new service"));
      }
      continue;
    }
    next[key] = value;
  }
  // A new version without a new image moves the default image along.
  const std::string old_version = current.value("version", "");
  const std::string old_image = current.value("image", "");
  if (patch.contains("version") && !patch.contains("image")) {
    const ServiceEngine* engine = find_service_engine(current.value("engine", ""));
    if (engine != nullptr &&
        old_image == std::string(engine->image_repository) + ":" + old_version) {
      next.erase("image");
    }
  }
  auto normalized = normalize_service(next);
  if (!normalized) {
    return normalized;
  }
  const std::string new_version = (*normalized)["version"];
  if (new_version != old_version) {
    return fail(major_version_change(old_version, new_version));
  }
  const std::string from = image_major(old_image);
  const std::string to = image_major((*normalized)["image"].get<std::string>());
  if (!from.empty() && !to.empty() && from != to) {
    return fail(major_version_change(from, to));
  }
  return normalized;
}

ServiceCredentials generate_service_credentials(const ServiceEngine& engine,
                                                std::string_view service_name, Random& random) {
  ServiceCredentials credentials;
  credentials.password = random_hex(random, 24);
  if (engine.url_scheme != "redis") {
    credentials.user = service_sql_name(service_name);
    credentials.database = service_sql_name(service_name);
  }
  if (engine.url_scheme == "mysql") {
    credentials.root_password = random_hex(random, 24);
  }
  return credentials;
}

std::string project_network_name(std::string_view project_id) {
  return "berth-net-" + std::string(project_id);
}

json service_run_args(const json& service, const ServiceCredentials& credentials,
                      const ServicePlacement& placement, std::string_view service_id,
                      std::string_view project_id) {
  const ServiceEngine* engine = find_service_engine(service.value("engine", ""));
  json env = json::object();
  json args = {{"image", service.value("image", "")},
               {"name", placement.container},
               {"restart", "unless-stopped"},
               {"labels",
                {{"berth.service", std::string(service_id)},
                 {"berth.project", std::string(project_id)},
                 {"berth.engine", service.value("engine", "")}}},
               {"memory_bytes", service.value("memory_bytes", kDefaultServiceMemory)},
               {"nano_cpus", service.value("nano_cpus", 0)},
               {"network_mode", placement.network},
               {"networks", {{{"name", placement.network}, {"aliases", {placement.alias}}}}}};
  if (engine == nullptr) {
    return args;
  }
  args["volumes"] = {{{"source", placement.volume}, {"target", std::string(engine->data_dir)}}};
  if (engine->name == "postgres") {
    env = {{"POSTGRES_USER", credentials.user},
           {"POSTGRES_PASSWORD", credentials.password},
           {"POSTGRES_DB", credentials.database}};
  } else if (engine->url_scheme == "mysql") {
    // MySQL's names; MariaDB's images take them too.
    env = {{"MYSQL_ROOT_PASSWORD", credentials.root_password},
           {"MYSQL_USER", credentials.user},
           {"MYSQL_PASSWORD", credentials.password},
           {"MYSQL_DATABASE", credentials.database}};
  } else {
    const std::string server = engine->name == "valkey" ? "valkey-server" : "redis-server";
    env = {{"REDIS_PASSWORD", credentials.password}};
    // A fixed script: the password stays in the environment, and the image's entry point
    // still drops root before the server starts.
    args["cmd"] = {"sh", "-c",
                   "exec docker-entrypoint.sh " + server +
                       " --requirepass \"$REDIS_PASSWORD\" --appendonly yes"};
  }
  args["env"] = env;
  const auto publish = service.value("publish", json());
  if (publish.is_object()) {
    args["ports"] = {{{"container", engine->port},
                      {"host_port", publish.value("host_port", 0)},
                      {"host_ip", publish.value("host_ip", "127.0.0.1")}}};
  }
  return args;
}

Result<std::map<std::string, std::string>> link_env(const json& service,
                                                    const ServiceCredentials& credentials,
                                                    std::string_view host,
                                                    std::string_view prefix) {
  const ServiceEngine* engine = find_service_engine(service.value("engine", ""));
  if (engine == nullptr) {
    return fail(Error::validation("service_id", "the service's engine is unknown"));
  }
  if (!prefix.empty() &&
      (prefix.back() != '_' || !is_valid_env_key(prefix) || prefix.size() > 64)) {
    return fail(Error::validation("env_prefix",
                                  "env_prefix must be an env var name ending in _, e.g. CACHE_"));
  }
  const std::string p(prefix);
  const std::string port = std::to_string(engine->port);
  const std::string base = engine->url_scheme == "redis" ? "REDIS" : "DATABASE";
  std::map<std::string, std::string> env;
  std::string url = std::string(engine->url_scheme) + "://";
  // The generated names and passwords are [a-z0-9_]: nothing in them needs escaping.
  if (engine->url_scheme == "redis") {
    url += ":" + credentials.password + "@" + std::string(host) + ":" + port + "/0";
  } else {
    url += credentials.user + ":" + credentials.password + "@" + std::string(host) + ":" + port +
           "/" + credentials.database;
    env[p + base + "_USER"] = credentials.user;
    env[p + base + "_NAME"] = credentials.database;
  }
  env[p + std::string(engine->url_env)] = url;
  env[p + base + "_HOST"] = std::string(host);
  env[p + base + "_PORT"] = port;
  env[p + base + "_PASSWORD"] = credentials.password;
  return env;
}

}  // namespace berth
