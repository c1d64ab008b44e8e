#pragma once
/// What a backup destination may be, checked at the API boundary before anything is stored:
/// every field of the S3 and SFTP kinds (sizes, hostnames, bucket name rules, prefixes and
/// paths without "..", port range, key formats). Pure.
///
/// A destination's fields travel as one flat JSON object (`settings`); parse splits them into
/// the stored config (no secrets) and the secrets (sealed by the service).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/backups/destination_probe.hpp"

namespace berth::backups {

struct DestinationParts {
  nlohmann::json config = nlohmann::json::object();
  nlohmann::json secrets = nlohmann::json::object();
};

/// "s3" | "sftp".
bool is_destination_kind(std::string_view kind);

/// 1-63 characters: letters, digits, '-', '_', '.'; starting with a letter or digit.
Result<void> check_destination_name(std::string_view name);

/// Checks every field of `settings` for `kind` and splits them. Error::validation naming the
/// field (unknown fields included). Missing optional fields take their defaults (s3: region
/// us-east-1, prefix "", path_style false; sftp: port 22).
Result<DestinationParts> parse_destination(std::string_view kind, const nlohmann::json& settings);

/// The fields the API takes, as a JSON schema property map, per kind (for the route table).
nlohmann::json s3_settings_properties();
nlohmann::json sftp_settings_properties();

/// config + secrets as a probe target.
S3DestinationTarget s3_target_of(const nlohmann::json& config, const nlohmann::json& secrets);
SftpDestinationTarget sftp_target_of(const nlohmann::json& config, const nlohmann::json& secrets);

/// Whether a service's backups can go to a destination of `kind` with `config`: an SFTP one
/// needs its host key pinned, which its first successful test does (the agent never trusts a
/// key on first sight): unprocessable destination_untested otherwise.
Result<void> check_backup_target(std::string_view kind, const nlohmann::json& config);

/// "AKIA…MPLE": enough to tell two keys apart, never the whole key.
std::string key_hint(std::string_view key);

}  // namespace berth::backups
