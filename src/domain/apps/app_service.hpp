#pragma once
/// A team's apps: what runs (source), how (settings), where (server) and under which hostname
/// on that server's proxy. Viewers read; members create, change and delete, within the deploy
/// policy (only admins may set privileged mode, host networking, host bind mounts or the
/// Docker socket). Changes to source, settings or server bump config_version (the app is out
/// of date until deployed). Every method re-checks the role inside its transaction; changes
/// are audited. Blocking (store): call from a worker thread. Thread-safe.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/apps/app_lifecycle.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

struct AppInput {
  std::string name = {};
  std::string project_id = {};  // "" = in no project
  std::string server_id = {};
  nlohmann::json source = nlohmann::json::object();
  nlohmann::json settings = nlohmann::json::object();
  std::string hostname = {};  // "" = the server's default for this app
};

struct AppPatch {
  std::optional<std::string> name = {};
  std::optional<std::string> project_id = {};  // "" = out of its project
  std::optional<std::string> server_id = {};   // only while new, stopped or failed
  /// Merged into the stored source (RFC 7396) when its type is absent or the same; a source
  /// of another type replaces it.
  std::optional<nlohmann::json> source = {};
  std::optional<nlohmann::json> settings = {};  // merged into the stored settings (RFC 7396)
  std::optional<std::string> hostname = {};     // "" = back to the server's default
};

struct AppFilter {
  std::string project_id = {};  // "" = any
  std::string server_id = {};   // "" = any
  std::string q = {};           // substring of the name
};

/// An app with its server's proxy settings (defaults when none are stored): what its url
/// needs.
struct AppView {
  AppRecord app = {};
  ProxySettingsRecord proxy = {};
};

class AppService {
 public:
  /// `lifecycle` hears of deleted apps and moved hostnames; may be null (tests).
  AppService(AreaContext ctx, AppLifecycle* lifecycle) : ctx_(ctx), lifecycle_(lifecycle) {}

  /// Ordered by name. Error::validation for a malformed filter id or paging.
  Result<Page<AppView>> list(const Principal& who, std::string_view team_id,
                             const AppFilter& filter, const PageRequest& page);
  /// Viewer. Error::not_found for an unknown app or another team's.
  Result<AppRecord> get(const Principal& who, std::string_view team_id, std::string_view app_id);
  /// get, with the server's proxy settings.
  Result<AppView> show(const Principal& who, std::string_view team_id, std::string_view app_id);
  /// Member. Error::validation (field named) for a bad name, source, settings, hostname, or a
  /// project or server that is not the team's; Error::forbidden `admin_required` under the
  /// deploy policy; conflict `app_name_taken` / `hostname_taken`.
  Result<AppView> create(const Principal& who, std::string_view team_id, const AppInput& input,
                         const ClientInfo& client);
  /// Member. As create; conflict `app_running` when moving a deployed app to another server.
  Result<AppView> update(const Principal& who, std::string_view team_id, std::string_view app_id,
                         const AppPatch& patch, const ClientInfo& client);
  /// Member. Deletes the app with its env vars, deployments and hooks, then tells the
  /// lifecycle to remove its containers and route.
  Result<void> remove(const Principal& who, std::string_view team_id, std::string_view app_id,
                      const ClientInfo& client);

 private:
  AreaContext ctx_;
  AppLifecycle* lifecycle_;
};

/// `<app name>.<base domain>`: the proxy settings' base_domain when set; else "localhost" for
/// a server whose address is empty, loopback or "localhost"; `<ip>.sslip.io` for an IP
/// address (IPv6 with '-' for ':'); else the address itself (lower-cased).
std::string default_hostname(const AppRecord& app, const ServerRecord& server,
                             const std::optional<ProxySettingsRecord>& proxy);

/// Where the app answers through its server's proxy: http://<hostname>[:http_port] when tls
/// is "off", else https://<hostname>[:https_port] (default ports left out).
std::string app_url(const AppRecord& app, const ProxySettingsRecord& proxy);

}  // namespace berth
