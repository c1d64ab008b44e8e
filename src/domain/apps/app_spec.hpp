#pragma once
/// What an app is made of, checked and completed: names, hostnames, env keys, the source
/// (image | git | workflow) and the run settings, in the exact JSON shapes the deployment
/// pipeline reads (AppRecord.source / .settings). Everything that could reach a command line
/// (image refs, repository URLs, branches, paths) is checked here against a strict alphabet,
/// so shell metacharacters, whitespace and leading '-' never get that far. Pure; thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth {

/// `^[a-z0-9][a-z0-9-]{0,62}$`: app and project names.
bool is_valid_app_name(std::string_view name);
/// Error::validation on `field` unless is_valid_app_name.
Result<void> check_app_name(std::string_view name, std::string_view field = "name");

/// A lower-case DNS name: labels of 1-63 [a-z0-9-] not starting or ending with '-', at most
/// 253 characters in all.
bool is_valid_hostname(std::string_view hostname);

/// A hostname an app may answer at: a valid hostname with at least two labels that is not an
/// IPv4 address (never `localhost`, `127.0.0.1` or a bare machine name).
bool is_valid_app_hostname(std::string_view hostname);

/// Ports that belong to the server itself (ssh, DNS, Caddy's listeners and admin API, the
/// Docker API): a workflow or host-network app may not ask the proxy to send traffic there.
bool is_local_service_port(std::int64_t port);

/// `^[A-Za-z_][A-Za-z0-9_]{0,127}$`: env var and build arg keys.
bool is_valid_env_key(std::string_view key);

/// An image reference: [registry[:port]/]path[:tag][@algo:hex], lower-case path, ≤ 255.
bool is_valid_image_ref(std::string_view ref);
/// The repository of an image reference: without its tag and digest ("ghcr.io/a/b:1@sha256:…"
/// → "ghcr.io/a/b").
std::string_view image_repository(std::string_view ref);
/// https://, http://, ssh://, file:///abs or scp-like user@host:path; no whitespace, control
/// or shell characters, no leading '-', no "::" transport (ext::), ≤ 2048.
bool is_valid_repository_url(std::string_view url);
/// `^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$` without "..".
bool is_valid_branch(std::string_view branch);
/// A relative path inside the checkout: no leading '/' or '-', no "..", [A-Za-z0-9._/-].
bool is_valid_relative_path(std::string_view path);

/// The source checked and with its defaults filled (git: branch "main", dockerfile
/// "Dockerfile", context ".", build_args {}; an optional secret_build_args lists the app's env
/// vars passed as build args at build time, so a token never sits in the source; workflow steps:
/// env {}, timeout_s 600, continue_on_error false). Error::validation naming the field
/// ("source.steps[0].run").
Result<nlohmann::json> normalize_source(const nlohmann::json& source);

/// The settings checked and complete (every default filled; "command" only when given).
/// `source_type` decides whether "port" is required (image, git) or optional (workflow).
Result<nlohmann::json> normalize_settings(const nlohmann::json& settings,
                                          std::string_view source_type);

/// The request schemas of source and settings (also what normalize_* check first).
nlohmann::json source_schema();
nlohmann::json settings_schema();

}  // namespace berth
