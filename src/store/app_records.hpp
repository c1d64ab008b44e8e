#pragma once
/// The rows of apps and deployments: projects, apps, their env vars (secret values only
/// sealed with the master key), deployments with their append-only event log, and the
/// triggers (webhook deliveries seen, deploy-hook tokens stored only as hashes), plus each
/// server's proxy settings.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/deployment_state.hpp"

namespace berth {

struct ProjectRecord {
  std::string id = {};  // "prj_…"
  std::string team_id = {};
  std::string name = {};  // unique within the team
  std::string description = {};
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct AppRecord {
  std::string id = {};  // "app_…"
  std::string team_id = {};
  std::string project_id = {};  // "" when in no project
  std::string name = {};        // unique within the team
  std::string server_id = {};   // the target server
  /// What to run: {"type":"image","image":…} | {"type":"git","repository":…,"branch":…,
  /// "dockerfile":…,"context":…,"build_args":{…}} | {"type":"workflow","steps":[…]}.
  nlohmann::json source = nlohmann::json::object();
  /// How to run it: port, health, resources, volumes, command, privileged, network_mode,
  /// drain_grace_s (see domain/apps/app_spec.hpp).
  nlohmann::json settings = nlohmann::json::object();
  std::string hostname = {};  // on its server's proxy; unique per server
  /// new (never deployed) | deploying | running | stopped | failed
  std::string status = "new";
  /// Bumped on every change that needs a deployment to take effect (settings, source, env);
  /// the app is "out of date" while it differs from deployed_config_version.
  std::int64_t config_version = 1;
  std::int64_t deployed_config_version = 0;
  std::string current_deployment_id = {};  // the deployment now serving; "" when none
  std::string webhook_secret_sealed = {};  // "" until rotated the first time
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct AppQuery {
  std::string team_id = {};     // required
  std::string project_id = {};  // "" = any
  std::string server_id = {};   // "" = any
  std::string q = {};           // substring of the name; "" = any
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

/// One env var of an app (scope "app") or of a project (scope "project"), which its apps
/// inherit and may override.
struct EnvVarRecord {
  std::string scope = "app";  // app | project
  std::string scope_id = {};  // the app's or the project's id
  std::string key = {};
  bool secret = false;
  std::string value = {};         // the value when not secret; "" when secret
  std::string value_sealed = {};  // the sealed value when secret; "" otherwise
  TimePoint updated_at{};
};

struct DeploymentRecord {
  std::string id = {};  // "dep_…"
  std::string team_id = {};
  std::string app_id = {};
  std::string server_id = {};
  DeploymentState state = DeploymentState::queued;
  std::string trigger = "api";   // api | webhook | deploy_hook | rollback | restart | stop | start
  std::string created_by = {};   // user id, API key id, "webhook", "deploy_hook"
  std::string ref = {};          // the requested git ref ("" = the app's branch)
  std::string image = {};        // an image override ("" = the app's)
  std::string rollback_of = {};  // for a rollback: the deployment whose artifact it reuses
  /// The immutable artifact once resolved: {"image":…,"image_id":"sha256:…","commit":…}.
  nlohmann::json artifact = nlohmann::json::object();
  /// The app's source and settings as deployed (never env values).
  nlohmann::json spec = nlohmann::json::object();
  std::int64_t config_version = 0;  // the app's config_version when it was created
  std::string container_name = {};  // the new container ("" before it is started)
  std::int64_t host_port = 0;       // its port on 127.0.0.1
  std::string step = {};            // the step now running (or that failed)
  bool cancel_requested = false;
  std::string error_code = {};
  std::string error_message = {};
  std::int64_t last_seq = 0;  // highest event seq stored
  TimePoint created_at{};
  std::optional<TimePoint> started_at = {};
  std::optional<TimePoint> finished_at = {};
};

struct DeploymentQuery {
  std::string team_id = {};                  // "" = any
  std::string app_id = {};                   // "" = any
  std::vector<DeploymentState> states = {};  // empty = any
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

/// One entry of a deployment's event log (SSE `id` = seq).
struct DeploymentEventRecord {
  std::string deployment_id = {};
  std::int64_t seq = 0;    // 1, 2, … per deployment; assigned by the store
  std::string event = {};  // state | step | output | done
  nlohmann::json data = nlohmann::json::object();
  TimePoint at{};
};

struct DeployHookRecord {
  std::string id = {};  // "dhk_…"
  std::string team_id = {};
  std::string app_id = {};
  std::string token_hash = {};  // SHA-256 hex of the secret in the URL
  std::string created_by = {};
  TimePoint created_at{};
  std::optional<TimePoint> last_used_at = {};
};

/// A server's proxy (Caddy) settings; defaults apply while no row exists.
struct ProxySettingsRecord {
  std::string server_id = {};
  std::string base_domain = {};  // apps default to <app>.<base_domain>
  std::int64_t http_port = 80;
  std::int64_t https_port = 443;
  std::string tls = "off";  // off | internal | acme
  /// The addresses the server is reached at from the internet (IP literals), as an admin
  /// states them; empty: the agent's reported addresses count (DNS checks).
  std::vector<std::string> public_addresses = {};
  /// Caddy's acme issuer for this server's acme domains: the CA's ACME directory URL (https),
  /// the PEM of a root certificate to trust for it, and the account's contact email. Empty:
  /// Caddy's defaults (Let's Encrypt, then ZeroSSL).
  std::string acme_ca = {};
  std::string acme_ca_root = {};
  std::string acme_email = {};
  TimePoint updated_at{};
};

/// An app's edge rules (protocol/edge_rules.hpp) as edge::edge_rules_json writes them: basic
/// auth users carry bcrypt hashes only. No row: the app has no rules. Deleted with the app.
struct AppEdgeRecord {
  std::string app_id = {};
  nlohmann::json rules = nlohmann::json::object();
  TimePoint updated_at{};
};

/// One hostname (optionally under a path prefix) an app answers at. See
/// migrations/0007_domains.sql for the uniqueness rules.
struct DomainRecord {
  std::string id = {};  // "dom_…"
  std::string team_id = {};
  std::string app_id = {};
  std::string hostname = {};     // lower-case A-label DNS name, or "*.<name>"
  std::string path_prefix = {};  // "" = the whole host; else "/…" without a trailing '/'
  bool is_primary = false;       // mirrors the app's `hostname`
  std::string tls = {};          // "" = the server's proxy setting | acme | internal | off | custom
  std::string redirect_to = {};  // a domain id of the same app ("" = serves the app)
  bool https_redirect = true;    // http → https where TLS is on
  bool hsts = false;
  std::string cert_chain = {};       // PEM, tls "custom" only
  std::string cert_key_sealed = {};  // the key, sealed with the master key
  /// What the view shows of the certificate: subject, issuer, not_after, sans.
  nlohmann::json cert_info = nlohmann::json::object();
  std::string dns_status = "pending_dns";  // pending_dns | ok | elsewhere
  nlohmann::json dns_records = nlohmann::json::array();
  std::optional<TimePoint> dns_checked_at = {};
  TimePoint created_at{};
  TimePoint updated_at{};
  /// What the server serves for the hostname, from its last check (null before the first):
  /// {served: {subject, issuer, not_before, not_after, sans} | null, error: null | why none
  /// is served, acme_error: null | Caddy's reason, acme_failed_at, checked_at}.
  nlohmann::json certificate_status = nullptr;
};

struct DomainQuery {
  std::string team_id = {};     // required
  std::string app_id = {};      // "" = any
  std::string dns_status = {};  // "" = any
  std::string q = {};           // substring of the hostname
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

}  // namespace berth
