#pragma once
/// A team's backup destinations (issue 15): S3-compatible buckets and SFTP folders that
/// backups are written to. Viewers and members read them (never their secrets: answers say
/// whether a secret is set and show a hint of the access key); admins create, change, delete
/// and test them, because a destination decides where a team's data leaves the server.
/// Secrets are sealed with the master key before they are stored and opened only to test
/// (and, later, to hand a backup job); they never reach a log, an audit entry or an answer.
/// Every change is audited. Blocking (store, network for test): call from a worker thread.
/// Thread-safe.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/backups/destination_probe.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

struct DestinationInput {
  std::string name = {};
  std::string kind = {};  // s3 | sftp
  /// The kind's fields (backups::parse_destination), secrets included.
  nlohmann::json settings = nlohmann::json::object();
};

struct DestinationPatch {
  std::optional<std::string> name = {};
  /// Fields to change; a null value returns a field to its default. Changing an S3 endpoint
  /// or an SFTP host needs the secret again (so a stored secret is never sent to a new place
  /// without its owner typing it), and forgets a pinned host key.
  nlohmann::json settings = nlohmann::json::object();
};

struct DestinationFilter {
  std::string kind = {};
  std::string q = {};
};

/// The answer of a test: each step with its time, and the verdict.
struct DestinationTestResult {
  ProbeReport report = {};
  BackupDestinationRecord destination = {};  // after the test (last_test, a pinned host key)
};

/// A destination's secrets, opened (S3 keys, SFTP password or key): only to hand to a probe or
/// a backup job. Error::internal when they cannot be opened.
Result<nlohmann::json> open_destination_secrets(const AreaContext& ctx,
                                                const BackupDestinationRecord& destination);

class DestinationService {
 public:
  DestinationService(AreaContext ctx, DestinationProbe* probe) : ctx_(ctx), probe_(probe) {}

  /// Viewer. Ordered by name. Error::validation for a malformed filter or paging.
  Result<Page<BackupDestinationRecord>> list(const Principal& who, std::string_view team_id,
                                             const DestinationFilter& filter,
                                             const PageRequest& page);
  /// Viewer. not_found for an unknown id (or another team's).
  Result<BackupDestinationRecord> get(const Principal& who, std::string_view team_id,
                                      std::string_view id);
  /// Admin. Error::validation naming the field; conflict destination_name_taken.
  Result<BackupDestinationRecord> create(const Principal& who, std::string_view team_id,
                                         const DestinationInput& input, const ClientInfo& client);
  /// Admin. The kind does not change.
  Result<BackupDestinationRecord> update(const Principal& who, std::string_view team_id,
                                         std::string_view id, const DestinationPatch& patch,
                                         const ClientInfo& client);
  /// Admin.
  Result<void> remove(const Principal& who, std::string_view team_id, std::string_view id,
                      const ClientInfo& client);
  /// Admin. Writes, reads back and deletes a probe object; stores the answer on the
  /// destination. An SFTP host key seen by a successful test is pinned when none was.
  /// unavailable when no probe is wired.
  Result<DestinationTestResult> test(const Principal& who, std::string_view team_id,
                                     std::string_view id, const ClientInfo& client);

 private:
  AreaContext ctx_;
  DestinationProbe* probe_;
};

}  // namespace berth
