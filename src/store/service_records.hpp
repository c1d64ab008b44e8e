#pragma once
/// The rows of managed services (issue 15): a database or cache container of a project on one
/// server, and the links that give apps its address and credentials. See
/// sqlite/migrations/0011_services.sql.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace berth {

struct ServiceRecord {
  std::string id = {};  // "svc_…"
  std::string team_id = {};
  std::string project_id = {};
  std::string server_id = {};
  std::string name = {};    // unique within the team; the service's name on the project network
  std::string engine = {};  // postgres | mysql | mariadb | redis | valkey
  /// The normalized service (domain/services/service_spec.hpp): version, image, limits, publish.
  nlohmann::json spec = nlohmann::json::object();
  /// new | deploying | running | stopping | stopped | failed | deleting
  std::string status = "new";
  std::string status_message = {};  // why it failed; "" otherwise
  std::string container_name = {};  // "" before the first start
  std::string volume_name = {};
  std::string credentials_sealed = {};  // ServiceCredentials as JSON, sealed with the master key
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct ServiceQuery {
  std::string team_id = {};     // "" = any team (start-up's resume); the API always sets it
  std::string project_id = {};  // "" = any
  std::string server_id = {};   // "" = any
  std::string engine = {};      // "" = any
  std::string status = {};      // "" = any
  std::string q = {};           // substring of the name
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

/// An app using a service: the env keys the link wrote into the app's secret env vars.
struct ServiceLinkRecord {
  std::string app_id = {};
  std::string service_id = {};
  std::string env_prefix = {};
  std::vector<std::string> env_keys = {};
  TimePoint created_at{};
};

}  // namespace berth
