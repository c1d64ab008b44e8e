#pragma once
// The fixture of the service backups' domain tests: a team with a running PostgreSQL service
// (orders-db, deployed by a scripted job runner), the team's backup key and an S3 destination as
// a first backup leaves them, and ServiceBackups over one SQLite store with a manual clock.
// backup() records a backup of the service as berthd records one.
#include <gtest/gtest.h>
#include <sodium.h>

#include <functional>
#include <thread>

#include "../apps/apps_fixture.hpp"
#include "../deploy/scripted_steps.hpp"
#include "core/backup_keys.hpp"
#include "core/crypto.hpp"
#include "domain/backups/service_backups.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/job_ledger.hpp"
#include "domain/fleet/metrics_recorder.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/services/managed_services.hpp"

namespace berth {

inline std::string backup_b64(std::string_view raw) {
  return crypto::base64_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

class ServiceBackupsTest : public AppsTest {
 protected:
  ServiceBackupsTest() {
    auto project =
        projects_.create(as(member_), team_, {.name = "shop", .description = {}}, client());
    EXPECT_TRUE(project.has_value());
    project_ = project ? project->id : std::string();
    source_ = postgres("orders-db");
    // The team's backup key and an S3 destination, as a first backup leaves them.
    const backup::BackupKeyPair pair = backup::backup_key_pair_from_seed(std::string(32, 's'));
    public_key_ = pair.public_key;
    const BackupKeyRecord key{.team_id = team_,
                              .public_key = backup_b64(pair.public_key),
                              .secret_key_sealed = crypto::seal(services_.master_key, random_,
                                                                backup_b64(pair.secret_key)),
                              .created_at = clock_.now()};
    const BackupDestinationRecord destination{
        .id = ids_.next("bdst"),
        .team_id = team_,
        .name = "offsite",
        .kind = "s3",
        .config = {{"endpoint", "http://127.0.0.1:9"}, {"bucket", "b"}, {"path_style", true}},
        .secrets_sealed = crypto::seal(services_.master_key, random_,
                                       R"({"access_key_id":"a","secret_access_key":"s3-secret"})"),
        .created_by = member_.id,
        .created_at = clock_.now(),
        .updated_at = clock_.now()};
    destination_ = destination.id;
    EXPECT_TRUE(store_
                    ->write([&](Tx& tx) -> Result<void> {
                      if (auto made = tx.create_backup_key(key); !made) {
                        return made;
                      }
                      return tx.create_backup_destination(destination);
                    })
                    .has_value());
  }

  ServiceRecord postgres(const std::string& name) {
    auto created = managed_.create(as(member_), team_,
                                   ServiceInput{.project_id = project_,
                                                .server_id = server_,
                                                .spec = {{"name", name},
                                                         {"engine", "postgres"},
                                                         {"version", "15"},
                                                         {"image", "mirror.example/postgres:15.8"},
                                                         {"memory_bytes", 256LL * 1024 * 1024}}},
                                   client());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    EXPECT_TRUE(managed_.idle(std::chrono::seconds(10)));
    return created ? created->service : ServiceRecord{};
  }

  // A backup of the source as berthd records one that succeeded; `recorded` false leaves out
  // what migration 0016 added (a backup taken before it).
  ServiceBackupRecord backup(const std::string& status = "succeeded", bool recorded = true) {
    std::string stream_key(32, 'k');
    std::string sealed(crypto_box_SEALBYTES + stream_key.size(), '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                    reinterpret_cast<const unsigned char*>(stream_key.data()), stream_key.size(),
                    reinterpret_cast<const unsigned char*>(public_key_.data()));
    ServiceBackupRecord b{.id = ids_.next("bkp"),
                          .team_id = team_,
                          .service_id = source_.id,
                          .service_name = source_.name,
                          .engine = "postgres",
                          .server_id = server_,
                          .destination_id = destination_,
                          .status = status,
                          .object_key = "berth/orders-db/x.bsb",
                          .size_bytes = 100,
                          .plain_bytes = 300,
                          .sha256 = std::string(64, 'a'),
                          .sealed_key = backup_b64(sealed),
                          .created_by = member_.id,
                          .created_at = clock_.now()};
    if (recorded) {
      b.project_id = project_;
      b.version = "15";
      b.image = "mirror.example/postgres:15.8";
    }
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_service_backup(b); }).has_value());
    return b;
  }

  Result<BackupRestoreRecord> restore_new(const UserRecord& who, const std::string& backup_id,
                                          const std::string& name,
                                          const std::string& server_id = {}) {
    return backups_.restore(as(who), team_, backup_id,
                            RestoreRequest{.target = "new", .name = name, .server_id = server_id},
                            client());
  }

  std::size_t service_count() {
    auto page = managed_.list(as(viewer_), team_, {}, {.page = 1, .per_page = 100});
    return page ? page->items.size() : 0;
  }

  // The restore once `done` says it moved on (polled: it runs on the backups' worker).
  BackupRestoreRecord restore_when(const std::string& id,
                                   const std::function<bool(const BackupRestoreRecord&)>& done) {
    BackupRestoreRecord last;
    for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         std::chrono::steady_clock::now() < until;
         std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
      auto found = backups_.get_restore(as(viewer_), team_, id);
      if (found) {
        last = *found;
        if (done(last)) {
          return last;
        }
      }
    }
    ADD_FAILURE() << "the restore did not move on: step " << last.step << ", " << last.status;
    return last;
  }

  std::string project_;
  std::string destination_;
  std::string public_key_;
  ServiceRecord source_;
  InProcessEventHub events_;
  MetricsRecorder metrics_{fleet_};
  JobLedger ledger_{fleet_, events_};
  ServerBook book_{fleet_, events_};
  AgentHub hub_{fleet_, ledger_, book_, metrics_};
  JobService jobs_{fleet_, hub_};
  testing::ScriptedSteps steps_;
  ManagedServices managed_{ctx_, jobs_, steps_};
  ServiceBackups backups_{ctx_, jobs_, steps_, managed_};
};

}  // namespace berth
