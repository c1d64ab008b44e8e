#pragma once
// The fixture of the volume backups' domain tests: ServiceBackupsTest's team, key and destination
// with the app "web" mounting the named volume "data" at /srv/data, and VolumeBackups over a
// deployment service with the scripted job runner.
#include "domain/backups/volume_backups.hpp"
#include "service_backups_fixture.hpp"

namespace berth {

class VolumeBackupsTest : public ServiceBackupsTest {
 protected:
  using json = nlohmann::json;

  VolumeBackupsTest() {
    auto created = apps_.create(
        as(member_), team_,
        {.name = "web",
         .server_id = server_,
         .source = {{"type", "image"}, {"image", "nginx:1.27"}},
         .settings = {{"port", 80},
                      {"volumes", json::array({{{"source", "data"}, {"target", "/srv/data"}}})}},
         .hostname = {}},
        client());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    app_ = created ? created->app : AppRecord{};
  }

  // The app as a successful deployment leaves it: running in `container` of nginx:1.27.
  void run_app(const std::string& container = "web-c1") {
    DeploymentRecord deployment{.id = ids_.next("dep"),
                                .team_id = team_,
                                .app_id = app_.id,
                                .server_id = server_,
                                .state = DeploymentState::succeeded,
                                .artifact = {{"image", "nginx:1.27"}, {"image_id", "sha256:abc"}},
                                .container_name = container,
                                .created_at = clock_.now()};
    AppRecord app = stored(app_.id);
    app.status = "running";
    app.current_deployment_id = deployment.id;
    ASSERT_TRUE(store_
                    ->write([&](Tx& tx) -> Result<void> {
                      if (auto made = tx.create_deployment(deployment); !made) {
                        return made;
                      }
                      return tx.update_app(app);
                    })
                    .has_value());
    app_ = app;
  }

  // Adds a host-path mount (as an admin's settings would have it).
  void add_host_mount() {
    AppRecord app = stored(app_.id);
    app.settings["volumes"].push_back({{"source", "/etc/ssl"}, {"target", "/certs"}});
    ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }).has_value());
  }

  Result<ServiceBackupRecord> run(const std::string& volume, const UserRecord& who) {
    return volumes_.run(as(who), team_, app_.id, volume, destination_, client());
  }

  AppRecord app_;
  DeploymentService deployments_{ctx_, jobs_, events_, 1, PipelineParts{.steps = &steps_}};
  VolumeBackups volumes_{ctx_, jobs_, backups_, deployments_};
};

}  // namespace berth
