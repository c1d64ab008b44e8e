#pragma once
/// Store records of backups (issue 15): where a team's backups go. A destination's settings
/// are plain JSON; its secrets (S3 keys, an SFTP password or private key) are one JSON object
/// sealed with the master key, never stored or returned in clear.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace berth {

/// A team's backup destination: an S3-compatible bucket (and prefix) or an SFTP folder.
struct BackupDestinationRecord {
  std::string id = {};  // "bdst_…"
  std::string team_id = {};
  std::string name = {};  // unique within the team
  std::string kind = {};  // "s3" | "sftp"
  /// The settings without secrets: s3 {endpoint, region, bucket, prefix, path_style,
  /// access_key_hint}, sftp {host, port, user, path, host_key_fingerprint, auth}.
  nlohmann::json config = nlohmann::json::object();
  std::string secrets_sealed = {};  // crypto::seal of a JSON object; "" = none
  /// The last test's answer {ok, steps}; null until tested.
  nlohmann::json last_test = nullptr;
  std::optional<TimePoint> last_tested_at = {};
  std::string created_by = {};  // a user id
  TimePoint created_at = {};
  TimePoint updated_at = {};
};

struct BackupDestinationQuery {
  std::string team_id = {};  // required
  std::string kind = {};     // "" = any
  std::string q = {};        // a substring of the name
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};

}  // namespace berth
