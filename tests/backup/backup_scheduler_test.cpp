// Backup policies and the scheduler against a real SQLite store with a manual clock: who may
// set a policy, what is validated, how runs are claimed (once, also with two sweepers on one
// store file), missed runs, failures as server events, and retention's deletes — never of a
// backup a running restore or drill uses, also when one starts while retention runs.
#include "domain/backups/backup_scheduler.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "../apps/apps_fixture.hpp"
#include "core/crypto.hpp"
#include "core/time_format.hpp"
#include "domain/backups/backup_policies.hpp"
#include "domain/backups/service_backups.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace berth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class RecordingRemover final : public BackupObjectRemover {
 public:
  Result<void> remove_s3(const S3DestinationTarget& target, const std::string& key) override {
    if (before_remove) {
      if (auto allowed = before_remove(key); !allowed) {
        return allowed;
      }
    }
    std::lock_guard lock(mutex_);
    removed.push_back(target.bucket + "/" + key);
    return {};
  }
  Result<void> remove_sftp(const SftpDestinationTarget& target, const std::string& key) override {
    std::lock_guard lock(mutex_);
    removed.push_back(target.host + ":" + target.path + "/" + key);
    return {};
  }
  std::mutex mutex_;
  std::vector<std::string> removed;
  /// Runs before each delete (what else happens meanwhile); an error fails the delete.
  std::function<Result<void>(const std::string& key)> before_remove;
};

class BackupSchedulerTest : public AppsTest {
 protected:
  BackupSchedulerTest() {
    auto project =
        projects_.create(as(member_), team_, {.name = "shop", .description = {}}, client());
    EXPECT_TRUE(project.has_value());
    ServiceRecord service{.id = ids_.next("svc"),
                          .team_id = team_,
                          .project_id = project ? project->id : "",
                          .server_id = server_,
                          .name = "orders-db",
                          .engine = "postgres",
                          .status = "running",
                          .volume_name = "vol",
                          .credentials_sealed = "sealed",
                          .created_at = clock_.now(),
                          .updated_at = clock_.now()};
    service_ = service.id;
    destination_ = add_destination(team_);
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_service(service); }).has_value());
  }

  std::string add_destination(const std::string& team) {
    BackupDestinationRecord d{
        .id = ids_.next("bdst"),
        .team_id = team,
        .name = "s3-" + team,
        .kind = "s3",
        .config = {{"endpoint", "http://127.0.0.1:9"}, {"bucket", "backups"}, {"prefix", ""}},
        .secrets_sealed =
            crypto::seal(services_.master_key, random_,
                         json{{"access_key_id", "AK"}, {"secret_access_key", "SK"}}.dump()),
        .created_at = clock_.now(),
        .updated_at = clock_.now()};
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_backup_destination(d); }));
    return d.id;
  }

  BackupPolicyInput policy(const std::string& schedule, const std::string& zone = "UTC") {
    return BackupPolicyInput{
        .schedule = schedule, .timezone = zone, .destination_id = destination_};
  }

  // The scheduler's hooks: a run is recorded as a running backup (or failed when the service
  // is not running); launched runs are listed; events are recorded.
  ServiceBackupSchedulerHooks hooks() {
    return ServiceBackupSchedulerHooks{
        .record = [this](Tx& tx, const BackupPolicyRecord& p) -> Result<ServiceBackupRecord> {
          auto service = tx.get_service(p.team_id, p.service_id);
          ServiceBackupRecord b{.id = ids_.next("bkp"),
                                .team_id = p.team_id,
                                .service_id = p.service_id,
                                .service_name = "orders-db",
                                .server_id = server_,
                                .destination_id = p.destination_id,
                                .trigger = "schedule",
                                .object_key = "berth/orders-db/x",
                                .created_at = clock_.now()};
          b.object_key += b.id;
          if (!service || !*service || (*service)->status != "running") {
            b.status = "failed";
            b.error_code = "service_busy";
            b.error_message = "the service is stopped";
          }
          if (auto made = tx.create_service_backup(b); !made) {
            return fail(std::move(made.error()));
          }
          return b;
        },
        .launch =
            [this](const ServiceBackupRecord& b) {
              std::lock_guard lock(mutex_);
              launched_.push_back(b.id);
            },
        .event =
            [this](std::string_view, std::string kind, json details) {
              std::lock_guard lock(mutex_);
              events_.push_back(kind + ":" + details.value("backup_id", ""));
            }};
  }

  void finish(const std::string& backup_id, const std::string& status) {
    auto backup = read_value<std::optional<ServiceBackupRecord>>(
        *store_, [&](Tx& tx) { return tx.get_service_backup("", backup_id); });
    ASSERT_TRUE(backup && *backup);
    ServiceBackupRecord b = **backup;
    b.status = status;
    b.finished_at = clock_.now();
    ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_service_backup(b); }));
  }

  // An hourly policy keeping the last one, and its first run succeeded and settled; its id.
  std::string first_run_keeping_one() {
    BackupPolicyInput keep_one = policy("0 * * * *");
    keep_one.keep_last = 1;
    EXPECT_TRUE(policies_.put(as(member_), team_, service_, keep_one, client()));
    return next_success();
  }

  // The next hourly run, succeeded and settled (retention applied); its id.
  std::string next_success() {
    clock_.advance(std::chrono::hours(1));
    scheduler_.tick();
    const std::string run = stored_policy().last_backup_id;
    finish(run, "succeeded");
    scheduler_.tick();
    return run;
  }

  BackupPolicyRecord stored_policy() {
    auto found = read_value<std::optional<BackupPolicyRecord>>(
        *store_, [&](Tx& tx) { return tx.get_backup_policy("", service_); });
    return found && *found ? **found : BackupPolicyRecord{};
  }

  std::vector<std::string> backups() {
    auto page = read_value<Page<ServiceBackupRecord>>(*store_, [&](Tx& tx) {
      return tx.list_service_backups({.team_id = team_, .service_id = service_});
    });
    std::vector<std::string> ids;
    for (const auto& b : page ? page->items : std::vector<ServiceBackupRecord>{}) {
      ids.push_back(b.id);
    }
    return ids;
  }

  std::string service_;
  std::string destination_;
  BackupPolicies policies_{ctx_};
  RecordingRemover remover_;
  std::mutex mutex_;
  std::vector<std::string> launched_;
  std::vector<std::string> events_;
  ServiceBackupScheduler scheduler_{services_, hooks(), &remover_};
};

TEST_F(BackupSchedulerTest, MembersSetAPolicyViewersReadIt) {
  EXPECT_EQ(policies_.put(as(viewer_), team_, service_, policy("@daily"), client()).error().kind,
            ErrorKind::forbidden);
  auto set =
      policies_.put(as(member_), team_, service_, policy("30 2 * * *", "Europe/Berlin"), client());
  ASSERT_TRUE(set) << set.error().message;
  // The manual clock starts at 2025-11-24T16:00:00Z: 02:30 in Berlin (CET) is 01:30Z.
  EXPECT_EQ(format_rfc3339(*set->policy.next_run_at), "2025-11-25T01:30:00.000Z");
  auto read = policies_.get(as(viewer_), team_, service_);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->policy.schedule, "30 2 * * *");
  EXPECT_EQ(read->policy.keep_last, 7);
  EXPECT_EQ(policies_.get(as(stranger_), team_, service_).error().kind, ErrorKind::not_found);
  EXPECT_FALSE(audit("service.backup_policy.put").empty());
  EXPECT_EQ(policies_.remove(as(viewer_), team_, service_, client()).error().kind,
            ErrorKind::forbidden);
  EXPECT_TRUE(policies_.remove(as(member_), team_, service_, client()));
  EXPECT_EQ(policies_.get(as(viewer_), team_, service_).error().kind, ErrorKind::not_found);
  EXPECT_EQ(policies_.remove(as(member_), team_, service_, client()).error().kind,
            ErrorKind::not_found);
}

TEST_F(BackupSchedulerTest, APolicyIsValidatedAtTheBoundary) {
  auto bad = policies_.put(as(member_), team_, service_, policy("0 24 * * *"), client());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
  EXPECT_NE(bad.error().message.find("hour field '24'"), std::string::npos);
  auto zone = policies_.put(as(member_), team_, service_, policy("@daily", "Moon/Base"), client());
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().message.find("Moon/Base"), std::string::npos);
  BackupPolicyInput keep = policy("@daily");
  keep.keep_last = 0;
  EXPECT_EQ(policies_.put(as(member_), team_, service_, keep, client()).error().kind,
            ErrorKind::invalid);
  // Another team's destination is as unknown as a made-up one.
  BackupPolicyInput other = policy("@daily");
  other.destination_id = add_destination(stranger_.personal_team_id);
  EXPECT_EQ(policies_.put(as(member_), team_, service_, other, client()).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(policies_.put(as(member_), team_, "svc_nope", policy("@daily"), client()).error().kind,
            ErrorKind::not_found);
}

TEST_F(BackupSchedulerTest, ADueRunIsClaimedOnceAndTheNextSlotSet) {
  ASSERT_TRUE(policies_.put(as(member_), team_, service_, policy("0 * * * *"), client()));
  EXPECT_EQ(scheduler_.tick().claimed, 0);  // 16:00:00 is not after now
  clock_.advance(1h);
  EXPECT_EQ(scheduler_.tick().claimed, 1);
  EXPECT_EQ(scheduler_.tick().claimed, 0);
  EXPECT_EQ(launched_.size(), 1u);
  const BackupPolicyRecord p = stored_policy();
  EXPECT_EQ(format_rfc3339(*p.next_run_at), "2025-11-24T18:00:00.000Z");
  EXPECT_EQ(p.last_backup_id, launched_.at(0));
}

TEST_F(BackupSchedulerTest, TwoSweepersOnOneStoreFileRunASlotOnce) {
  ASSERT_TRUE(policies_.put(as(member_), team_, service_, policy("* * * * *"), client()));
  // A second connection to the same file: what a second berthd process would hold.
  auto opened = SqliteStore::open({.path = dir_.file("berth.db")});
  ASSERT_TRUE(opened) << opened.error().message;
  std::unique_ptr<Store> second_store = std::move(*opened);
  ServiceContext second{.store = *second_store,
                        .clock = clock_,
                        .random = random_,
                        .ids = ids_,
                        .session_key = services_.session_key,
                        .master_key = services_.master_key};
  ServiceBackupScheduler other{second, hooks(), &remover_};
  for (int minute = 0; minute < 5; ++minute) {
    clock_.advance(1min);
    int claimed_a = 0;
    int claimed_b = 0;
    std::thread a([&] { claimed_a = scheduler_.tick().claimed; });
    std::thread b([&] { claimed_b = other.tick().claimed; });
    a.join();
    b.join();
    EXPECT_EQ(claimed_a + claimed_b, 1) << "minute " << minute;
  }
  second_store->close();
  EXPECT_EQ(launched_.size(), 5u);
  EXPECT_EQ(backups().size(), 5u);
}

TEST_F(BackupSchedulerTest, RunsMissedWhileDownRunOnceAndAreReportedLate) {
  ASSERT_TRUE(policies_.put(as(member_), team_, service_, policy("0 * * * *"), client()));
  clock_.advance(5h + 10min);  // four slots missed
  EXPECT_EQ(scheduler_.tick().claimed, 1);
  EXPECT_EQ(scheduler_.tick().claimed, 0);
  EXPECT_EQ(format_rfc3339(*stored_policy().next_run_at), "2025-11-24T22:00:00.000Z");
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0], "scheduled_backup_late:" + launched_.at(0));
}

TEST_F(BackupSchedulerTest, ARunThatCannotStartIsAFailedBackupAndAServerEvent) {
  ASSERT_TRUE(policies_.put(as(member_), team_, service_, policy("0 * * * *"), client()));
  ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
    auto s = tx.get_service(team_, service_);
    ServiceRecord stopped = **s;
    stopped.status = "stopped";
    return tx.update_service(stopped);
  }));
  clock_.advance(1h);
  const BackupTickReport report = scheduler_.tick();
  EXPECT_EQ(report.claimed, 1);
  EXPECT_EQ(report.settled, 1);
  const std::string failed = stored_policy().last_backup_id;
  EXPECT_EQ(events_, std::vector<std::string>{"scheduled_backup_failed:" + failed});
  EXPECT_EQ(scheduler_.tick().settled, 0);  // reported once
}

TEST_F(BackupSchedulerTest, RetentionDeletesOlderObjectsAndRowsAfterASuccess) {
  BackupPolicyInput keep_two = policy("0 * * * *");
  keep_two.keep_last = 2;
  ASSERT_TRUE(policies_.put(as(member_), team_, service_, keep_two, client()));
  std::vector<std::string> runs;
  for (int hour = 0; hour < 4; ++hour) {
    clock_.advance(1h);
    ASSERT_EQ(scheduler_.tick().claimed, 1);
    runs.push_back(stored_policy().last_backup_id);
    EXPECT_EQ(scheduler_.tick().settled, 0);  // still running
    finish(runs.back(), "succeeded");
    scheduler_.tick();
  }
  // After the 3rd and 4th successes the oldest two went, objects first.
  EXPECT_EQ(remover_.removed, (std::vector<std::string>{"backups/berth/orders-db/x" + runs[0],
                                                        "backups/berth/orders-db/x" + runs[1]}));
  EXPECT_EQ(backups(), (std::vector<std::string>{runs[3], runs[2]}));
  EXPECT_EQ(events_.back().rfind("backups_pruned", 0), 0u);
}

TEST_F(BackupSchedulerTest, RetentionNeverPrunesABackupARunningRestoreUses) {
  const std::string first = first_run_keeping_one();
  BackupRestoreRecord restore{.id = "rst_1",
                              .team_id = team_,
                              .backup_id = first,
                              .service_id = service_,
                              .created_at = clock_.now()};
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.create_backup_restore(restore); }));
  next_success();
  EXPECT_TRUE(remover_.removed.empty());
  EXPECT_EQ(backups().size(), 2u);
}

TEST_F(BackupSchedulerTest, RetentionNeverPrunesABackupARunningDrillUses) {
  const std::string first = first_run_keeping_one();
  BackupDrillRecord drill{.id = "drl_1",
                          .team_id = team_,
                          .backup_id = first,
                          .service_id = service_,
                          .created_at = clock_.now()};
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.create_backup_drill(drill); }));
  next_success();
  EXPECT_TRUE(remover_.removed.empty());
  EXPECT_EQ(backups().size(), 2u);

  // Once the drill ended, the next success prunes both older ones.
  drill.status = "verified";
  drill.finished_at = clock_.now();
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_backup_drill(drill); }));
  next_success();
  EXPECT_EQ(remover_.removed.size(), 2u);
  EXPECT_EQ(backups(), std::vector<std::string>{stored_policy().last_backup_id});
}

// The race: retention read which backups are in use, then a restore starts on one it is about
// to prune. Each backup is claimed (marked pruning_at, in the transaction that checks the
// running restores and drills) just before its object is deleted: the backup the restore took
// is kept, and a backup already claimed refuses a restore or drill.
TEST_F(BackupSchedulerTest, ARestoreStartingWhileRetentionPrunesKeepsItsBackupOrIsRefused) {
  BackupPolicyInput keep_one = policy("0 * * * *");
  keep_one.keep_last = 1;
  ASSERT_TRUE(policies_.put(as(member_), team_, service_, keep_one, client()));
  std::vector<std::string> old;
  for (int i = 0; i < 2; ++i) {
    ServiceBackupRecord b{.id = ids_.next("bkp"),
                          .team_id = team_,
                          .service_id = service_,
                          .service_name = "orders-db",
                          .server_id = server_,
                          .destination_id = destination_,
                          .status = "succeeded",
                          .trigger = "manual",
                          .created_at = clock_.now()};
    b.object_key = "berth/orders-db/x" + b.id;
    clock_.advance(1min);
    ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.create_service_backup(b); }));
    old.push_back(b.id);
  }
  std::vector<std::string> refusals;
  remover_.before_remove = [&](const std::string& key) -> Result<void> {
    const std::string pruned = key.substr(key.rfind('x') + 1);
    const std::string other = pruned == old[0] ? old[1] : old[0];
    // The backup being deleted can no longer be restored or drilled...
    auto refused = read_value<ServiceBackupRecord>(
        *store_, [&](Tx& tx) { return succeeded_backup(tx, team_, pruned, "restored"); });
    refusals.push_back(refused ? "restorable" : refused.error().code);
    // ...and a restore starts on the other one, which retention read as unused.
    if (remover_.removed.empty()) {
      BackupRestoreRecord restore{.id = "rst_1",
                                  .team_id = team_,
                                  .backup_id = other,
                                  .service_id = service_,
                                  .created_at = clock_.now()};
      return store_->write([&](Tx& tx) { return tx.create_backup_restore(restore); });
    }
    return {};
  };
  clock_.advance(1h);
  scheduler_.tick();
  const std::string newest = stored_policy().last_backup_id;
  finish(newest, "succeeded");
  scheduler_.tick();

  ASSERT_EQ(remover_.removed.size(), 1u) << "the backup the restore took stays";
  EXPECT_EQ(refusals, std::vector<std::string>{"backup_not_restorable"});
  const std::string pruned = remover_.removed[0].substr(remover_.removed[0].rfind('x') + 1);
  const std::string kept = pruned == old[0] ? old[1] : old[0];
  const auto left = backups();
  EXPECT_EQ(std::ranges::count(left, pruned), 0) << "its row went with its object";
  EXPECT_EQ(std::ranges::count(left, kept), 1);
  auto usable = read_value<ServiceBackupRecord>(
      *store_, [&](Tx& tx) { return succeeded_backup(tx, team_, kept, "restored"); });
  EXPECT_TRUE(usable) << "the restore's backup is whole and unmarked";
}

TEST_F(BackupSchedulerTest, ABackupWhoseDeleteFailedIsRestorableAgain) {
  const std::string first = first_run_keeping_one();
  remover_.before_remove = [](const std::string&) -> Result<void> {
    return fail(Error::unavailable("the bucket did not answer"));
  };
  next_success();
  EXPECT_TRUE(remover_.removed.empty());
  EXPECT_EQ(backups().size(), 2u);
  auto usable = read_value<ServiceBackupRecord>(
      *store_, [&](Tx& tx) { return succeeded_backup(tx, team_, first, "restored"); });
  ASSERT_TRUE(usable) << usable.error().message;
  EXPECT_FALSE(usable->pruning_at.has_value());
  EXPECT_EQ(events_.back().rfind("backup_retention_failed", 0), 0u) << events_.back();
}

}  // namespace
}  // namespace berth
