#pragma once
// The fixture the apps service tests share: a team owned by `owner_` with an admin, a member
// and a viewer, a server in it, and the three services over one SQLite store.

#include <string>

#include "domain/apps/app_service.hpp"
#include "domain/apps/env_service.hpp"
#include "domain/apps/project_service.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/kernel/in_process_event_hub.hpp"
#include "support/identity_fixture.hpp"

namespace berth {

/// Records what the app services told the deployment side.
class RecordingLifecycle final : public AppLifecycle {
 public:
  void app_removed(const AppRecord& app) override { removed.push_back(app.id); }
  void routes_changed(std::string_view server_id) override { routes.emplace_back(server_id); }
  std::vector<std::string> removed;
  std::vector<std::string> routes;
};

class AppsTest : public testing::IdentityTest {
 protected:
  AppsTest() {
    put(team_, admin_, Role::admin);
    put(team_, member_, Role::member);
    put(team_, viewer_, Role::viewer);
    server_ = add_server(team_, "web-1", "203.0.113.7");
  }

  /// A server of `team` written straight to the store.
  std::string add_server(const std::string& team, const std::string& name,
                         const std::string& address) {
    ServerRecord server{.id = ids_.next("srv"),
                        .team_id = team,
                        .name = name,
                        .address = address,
                        .created_at = clock_.now(),
                        .updated_at = clock_.now()};
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_server(server); }).has_value());
    return server.id;
  }

  /// An image app on the team's server, created by the member.
  AppRecord image_app(const std::string& name, const std::string& project_id = {}) {
    auto created = apps_.create(as(member_), team_,
                                {.name = name,
                                 .project_id = project_id,
                                 .server_id = server_,
                                 .source = {{"type", "image"}, {"image", "nginx:1.27"}},
                                 .settings = {{"port", 80}},
                                 .hostname = {}},
                                client());
    EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().message);
    return created ? created->app : AppRecord{};
  }

  /// The app as stored.
  AppRecord stored(const std::string& app_id) {
    auto found = apps_.get(as(viewer_), team_, app_id);
    EXPECT_TRUE(found.has_value());
    return found.value_or(AppRecord{});
  }

  UserRecord owner_ = user("owner@example.com", "Owner");
  UserRecord admin_ = user("admin@example.com", "Admin");
  UserRecord member_ = user("member@example.com", "Member");
  UserRecord viewer_ = user("viewer@example.com", "Viewer");
  UserRecord stranger_ = user("stranger@example.com", "Stranger");
  std::string team_ = owner_.personal_team_id;
  std::string server_;
  FleetContext fleet_{{services_}, {}};
  RecordingLifecycle lifecycle_;
  ProjectService projects_{ctx_};
  AppService apps_{services_, &lifecycle_};
  EnvService env_{ctx_};
};

}  // namespace berth
