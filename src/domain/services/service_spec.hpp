#pragma once
/// What a managed service is made of (issue 15), checked and completed, and what it turns into
/// on a server: the docker.run arguments of its container and the env vars a link gives an app.
/// Pure; thread-safe. No store and no HTTP here.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"

namespace berth {

/// One engine a service can run.
struct ServiceEngine {
  std::string_view name = {};                   // postgres | mysql | mariadb | redis | valkey
  std::vector<std::string_view> versions = {};  // the major versions offered, newest last
  std::string_view image_repository = {};       // of the official image: "postgres"
  int port = 0;                                 // where it listens inside the container
  std::string_view data_dir = {};               // what the named volume is mounted at
  std::string_view url_env = {};                // DATABASE_URL | REDIS_URL
  std::string_view url_scheme = {};             // postgresql | mysql | redis
};

const std::vector<ServiceEngine>& service_engines();
/// nullptr for a name outside service_engines().
const ServiceEngine* find_service_engine(std::string_view name);

/// The memory limit a service gets unless it asks otherwise (512 MiB).
inline constexpr std::int64_t kDefaultServiceMemory = 512LL * 1024 * 1024;

/// A create request's service, checked and complete:
/// {"name", "engine", "version" (default the newest), "image" (default the official
/// "<repository>:<version>"; any image reference, so an offline or mirrored image works),
/// "memory_bytes" (default kDefaultServiceMemory, 0 = no limit), "nano_cpus" (default 0),
/// "publish": null | {"host_ip" (default 127.0.0.1), "host_port" (1-65535)}}.
/// Error::validation naming the field.
Result<nlohmann::json> normalize_service(const nlohmann::json& body);

/// `current` (a normalized service) with a PATCH's fields applied: version, image,
/// memory_bytes, nano_cpus and publish may change; name and engine may not. A change of the
/// major version (a version, or an image whose tag starts with another major) is refused with
/// Error::unprocessable pointing at a dump and restore; a new image of the same major is the
/// minor upgrade, done by redeploying.
Result<nlohmann::json> apply_service_patch(const nlohmann::json& current,
                                           const nlohmann::json& patch);

/// The major version an image tag starts with ("16.4-bookworm" → "16", "10.11" → "10"), ""
/// when the tag does not start with a number ("latest", "alpine").
std::string image_major(std::string_view image);

/// Generated when a service is created; sealed at rest like env secrets.
struct ServiceCredentials {
  std::string user = {};           // "" for redis and valkey
  std::string password = {};       // 48 hex characters
  std::string database = {};       // "" for redis and valkey
  std::string root_password = {};  // mysql and mariadb only
};

/// User and database named after the service ("orders-db" → "orders_db"); random passwords.
ServiceCredentials generate_service_credentials(const ServiceEngine& engine,
                                                std::string_view service_name, Random& random);

/// Where a service lives on its server.
struct ServicePlacement {
  std::string container = {};  // container name
  std::string volume = {};     // named volume of its data
  std::string network = {};    // the project's private network
  std::string alias = {};      // its name on that network (the service's name)
};

/// The project's private network: "berth-net-<project id>".
std::string project_network_name(std::string_view project_id);

/// The docker.run arguments of the service's container: the official image's variables from
/// the credentials (Redis and Valkey take the password from REDIS_PASSWORD through the image's
/// entry point, so it never sits in a command line or a job record), the volume at the engine's
/// data dir, the limits, only the project network (with the alias), no published port unless
/// `publish` asks, restart unless-stopped, and the labels berth.service / berth.project.
nlohmann::json service_run_args(const nlohmann::json& service,
                                const ServiceCredentials& credentials,
                                const ServicePlacement& placement, std::string_view service_id,
                                std::string_view project_id);

/// The env vars a link gives an app: the URL (DATABASE_URL or REDIS_URL) and its parts
/// (…_HOST, …_PORT, …_USER, …_PASSWORD, …_NAME), each prefixed with `prefix` ("" or an env
/// key ending in "_", e.g. "ANALYTICS_"). Error::validation on a bad prefix.
Result<std::map<std::string, std::string>> link_env(const nlohmann::json& service,
                                                    const ServiceCredentials& credentials,
                                                    std::string_view host, std::string_view prefix);

}  // namespace berth
