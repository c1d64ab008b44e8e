#pragma once
/// The deploy policy: who may decide what runs on a server (docs/security.md).
///
/// Host commands (a workflow's steps run as root by the agent), privileged containers, host
/// networking, host bind mounts and the Docker socket, and git sources that read the server's
/// own files (file://) or travel in clear (http://) are admin-only to define. An app that has
/// any of them is *guarded*: on it, every change that decides what runs — its source, command,
/// port, volumes or server, its env vars, an image or ref override, a rollback to another spec —
/// needs an admin as well. Members keep deploying, restarting and rolling back to what an admin
/// approved. Pure; thread-safe.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth {

/// What decides what runs: an app's (or a deployment's) source, settings and server.
struct RunSpec {
  const nlohmann::json& source;
  const nlohmann::json& settings;
  std::string_view server_id = {};
};

/// The field that makes `spec` guarded ("source.steps", "settings.privileged",
/// "settings.network_mode", "settings.volumes[1].source", "source.repository"); nullopt for an
/// ordinary app.
std::optional<std::string> guard_of(const RunSpec& spec);

/// The first field a member may not set or change going from `before` (nullopt: a new app) to
/// `after`: on a guarded app any change of what runs (source, settings.command, settings.port,
/// settings.volumes, settings.privileged, settings.network_mode, server_id); otherwise the
/// field that would make the app guarded. nullopt when a member may make the change.
std::optional<std::string> admin_only_change(const std::optional<RunSpec>& before,
                                             const RunSpec& after);

/// Named volumes a member adds live in the team's namespace: a new entry's source "data"
/// becomes "<team_id>-data" (entries already in `before_settings` and names already carrying
/// the prefix are kept). Host paths are left alone (guard_of refuses them). Error::validation
/// on the entry when the name with its prefix is longer than a volume name may be (128).
Result<void> namespace_member_volumes(nlohmann::json& settings,
                                      const nlohmann::json& before_settings,
                                      std::string_view team_id);

/// Error::forbidden `admin_required` naming `field` and why it needs an admin.
Error admin_required_error(const std::string& field);

}  // namespace berth
