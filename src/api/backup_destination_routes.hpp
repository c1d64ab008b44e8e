#pragma once
/// Backup destinations: a team's S3-compatible buckets and SFTP folders, and their test
/// (docs/backups.md, "Destinations").

#include <nlohmann/json.hpp>

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth {
struct BackupDestinationRecord;
}

namespace berth::api {

void add_backup_destination_routes(http::Router& router, const ApiContext& context);

/// The destination object: its settings without secrets, `secret_set`, the last test.
nlohmann::json backup_destination_json(const BackupDestinationRecord& destination);
nlohmann::json backup_destination_schema();

}  // namespace berth::api
