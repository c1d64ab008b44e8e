// AppService: creating, changing and deleting apps — validation, default hostnames, the
// deploy policy, config_version bumps, moves between servers, and what the lifecycle hears.

#include <gtest/gtest.h>

#include "apps/apps_fixture.hpp"

namespace berth {
namespace {

using nlohmann::json;

class AppServiceTest : public AppsTest {
 protected:
  Result<AppView> create(const UserRecord& who, AppInput input) {
    if (input.server_id.empty()) {
      input.server_id = server_;
    }
    return apps_.create(as(who), team_, input, client());
  }

  Result<AppView> patch(const UserRecord& who, const std::string& id, const AppPatch& change) {
    return apps_.update(as(who), team_, id, change, client());
  }

  // Marks the app as serving a deployment (what the pipeline would record).
  void serving(AppRecord app, const std::string& status = "running") {
    app.status = status;
    app.current_deployment_id = ids_.next("dep");
    app.deployed_config_version = app.config_version;
    EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }).has_value());
  }

  static std::string field_of(const Result<AppView>& result) {
    return result ? std::string("ok") : result.error().details.value("field", "");
  }
};

TEST_F(AppServiceTest, CreatesAnImageAppWithCompleteSettingsAndADefaultHostname) {
  const AppRecord app = image_app("web");
  EXPECT_EQ(app.hostname, "web.203.0.113.7.sslip.io");
  EXPECT_EQ(app.status, "new");
  EXPECT_EQ(app.config_version, 1);
  EXPECT_EQ(app.source, json({{"type", "image"}, {"image", "nginx:1.27"}}));
  EXPECT_EQ(app.settings["health"]["retries"], 15);
  EXPECT_EQ(app.settings["drain_grace_s"], 5);
  const auto entries = audit("app.create");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].target, app.id);
  EXPECT_EQ(entries[0].details["source_type"], "image");
}

TEST_F(AppServiceTest, DefaultHostnames) {
  const AppRecord app{.name = "api"};
  const auto host = [&](const std::string& address,
                        const std::optional<ProxySettingsRecord>& proxy = std::nullopt) {
    return default_hostname(app, ServerRecord{.address = address}, proxy);
  };
  EXPECT_EQ(host(""), "api.localhost");
  EXPECT_EQ(host("127.0.0.1"), "api.localhost");
  EXPECT_EQ(host("127.1.2.3"), "api.localhost");
  EXPECT_EQ(host("::1"), "api.localhost");
  EXPECT_EQ(host("LocalHost"), "api.localhost");
  EXPECT_EQ(host("198.51.100.4"), "api.198.51.100.4.sslip.io");
  EXPECT_EQ(host("2001:db8::1"), "api.2001-db8--1.sslip.io");
  EXPECT_EQ(host("Box.Example.com"), "api.box.example.com");
  // A bare hostname is no DNS name: `make run` on a machine called vm answers at localhost.
  EXPECT_EQ(host("vm"), "api.localhost");
  EXPECT_EQ(host("debian-12"), "api.localhost");
  EXPECT_EQ(host("198.51.100.4", ProxySettingsRecord{.base_domain = "apps.example.com"}),
            "api.apps.example.com");
  EXPECT_EQ(host("198.51.100.4", ProxySettingsRecord{.base_domain = ""}),
            "api.198.51.100.4.sslip.io");
}

TEST_F(AppServiceTest, TheServersBaseDomainWins) {
  ASSERT_TRUE(store_
                  ->write([&](Tx& tx) {
                    return tx.put_proxy_settings(
                        {.server_id = server_, .base_domain = "apps.example.com"});
                  })
                  .has_value());
  EXPECT_EQ(image_app("web").hostname, "web.apps.example.com");
}

TEST_F(AppServiceTest, ServersWithoutAUsableAddressNeedAHostname) {
  const std::string odd = add_server(team_, "odd", "my box");
  auto created = create(member_, {.name = "web",
                                  .server_id = odd,
                                  .source = {{"type", "image"}, {"image", "nginx"}},
                                  .settings = {{"port", 80}}});
  EXPECT_EQ(field_of(created), "hostname");
  auto named = create(member_, {.name = "web",
                                .server_id = odd,
                                .source = {{"type", "image"}, {"image", "nginx"}},
                                .settings = {{"port", 80}},
                                .hostname = "web.example.com"});
  EXPECT_TRUE(named.has_value());
}

TEST_F(AppServiceTest, NamesAndHostnamesAreUnique) {
  image_app("web");
  auto again = create(member_, {.name = "web",
                                .source = {{"type", "image"}, {"image", "nginx"}},
                                .settings = {{"port", 80}},
                                .hostname = "other.example.com"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "app_name_taken");
  auto same_host = create(member_, {.name = "web2",
                                    .source = {{"type", "image"}, {"image", "nginx"}},
                                    .settings = {{"port", 80}},
                                    .hostname = "web.203.0.113.7.sslip.io"});
  ASSERT_FALSE(same_host.has_value());
  EXPECT_EQ(same_host.error().kind, ErrorKind::conflict);
  EXPECT_EQ(same_host.error().code, "hostname_taken");
}

TEST_F(AppServiceTest, HostileInputIsAValidationError) {
  const json settings = {{"port", 80}};
  const auto image = [](const std::string& ref) { return json{{"type", "image"}, {"image", ref}}; };
  const auto git = [](const std::string& repo, const std::string& branch) {
    return json{{"type", "git"}, {"repository", repo}, {"branch", branch}};
  };
  EXPECT_EQ(
      field_of(create(member_, {.name = "web;id", .source = image("nginx"), .settings = settings})),
      "name");
  EXPECT_EQ(field_of(create(member_,
                            {.name = "web", .source = image("nginx$(id)"), .settings = settings})),
            "source.image");
  EXPECT_EQ(field_of(create(
                member_, {.name = "web", .source = image("--privileged"), .settings = settings})),
            "source.image");
  EXPECT_EQ(field_of(create(
                member_,
                {.name = "web", .source = git("https://h/r`id`", "main"), .settings = settings})),
            "source.repository");
  EXPECT_EQ(field_of(create(
                member_,
                {.name = "web", .source = git("https://h/r", "main\nid"), .settings = settings})),
            "source.branch");
  EXPECT_EQ(field_of(create(
                member_,
                {.name = "web", .source = git("https://h/r", "--exec=id"), .settings = settings})),
            "source.branch");
  EXPECT_EQ(field_of(create(member_, {.name = "web",
                                      .source = image("nginx"),
                                      .settings = settings,
                                      .hostname = "a b.example.com"})),
            "hostname");
}

TEST_F(AppServiceTest, ReferencesMustBeTheTeams) {
  const std::string other_team = stranger_.personal_team_id;
  const std::string foreign = add_server(other_team, "theirs", "198.51.100.9");
  EXPECT_EQ(field_of(create(member_, {.name = "web",
                                      .server_id = foreign,
                                      .source = {{"type", "image"}, {"image", "nginx"}},
                                      .settings = {{"port", 80}}})),
            "server_id");
  EXPECT_EQ(field_of(create(member_, {.name = "web",
                                      .project_id = ids_.next("prj"),
                                      .source = {{"type", "image"}, {"image", "nginx"}},
                                      .settings = {{"port", 80}}})),
            "project_id");
  const AppRecord app = image_app("web");
  auto seen = apps_.get(as(stranger_), other_team, app.id);
  ASSERT_FALSE(seen.has_value());
  EXPECT_EQ(seen.error().kind, ErrorKind::not_found);
  auto outsider = apps_.get(as(stranger_), team_, app.id);
  ASSERT_FALSE(outsider.has_value());
  EXPECT_EQ(outsider.error().kind, ErrorKind::not_found);
}

TEST_F(AppServiceTest, ViewersReadButDoNotWrite) {
  const AppRecord app = image_app("web");
  EXPECT_TRUE(apps_.show(as(viewer_), team_, app.id).has_value());
  auto created = create(
      viewer_,
      {.name = "x", .source = {{"type", "image"}, {"image", "nginx"}}, .settings = {{"port", 80}}});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::forbidden);
  auto removed = apps_.remove(as(viewer_), team_, app.id, client());
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().kind, ErrorKind::forbidden);
}

TEST_F(AppServiceTest, OnlyAdminsMayLoosenTheContainer) {
  const json source = {{"type", "image"}, {"image", "nginx"}};
  auto by_member = create(
      member_, {.name = "web", .source = source, .settings = {{"port", 80}, {"privileged", true}}});
  ASSERT_FALSE(by_member.has_value());
  EXPECT_EQ(by_member.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(by_member.error().code, "admin_required");
  EXPECT_EQ(by_member.error().details["field"], "settings.privileged");
  auto socket = create(
      member_,
      {.name = "web",
       .source = source,
       .settings = {{"port", 80},
                    {"volumes",
                     {{{"source", "/var/run/docker.sock"}, {"target", "/var/run/docker.sock"}}}}}});
  ASSERT_FALSE(socket.has_value());
  EXPECT_EQ(socket.error().details["field"], "settings.volumes[0].source");

  auto by_admin =
      create(admin_, {.name = "web",
                      .source = source,
                      .settings = {{"port", 8080},
                                   {"privileged", true},
                                   {"volumes", {{{"source", "/srv/web"}, {"target", "/data"}}}}}});
  ASSERT_TRUE(by_admin.has_value()) << by_admin.error().message;
  const std::string id = by_admin->app.id;
  // A member may tune how it runs and keep what the admin set…
  auto kept = patch(member_, id, {.settings = json{{"drain_grace_s", 10}}});
  ASSERT_TRUE(kept.has_value()) << kept.error().message;
  EXPECT_EQ(kept->app.settings["privileged"], true);
  // …but not change what runs (its port, image or command) or loosen it further.
  EXPECT_EQ(patch(member_, id, {.settings = json{{"port", 9090}}}).error().details["field"],
            "settings.port");
  EXPECT_EQ(patch(member_, id, {.source = json{{"image", "evil/root:1"}}}).error().code,
            "admin_required");
  EXPECT_EQ(patch(member_, id, {.settings = json{{"command", {"sh", "-c", "id"}}}})
                .error()
                .details["field"],
            "settings.command");
  auto host = patch(member_, id, {.settings = json{{"network_mode", "host"}}});
  ASSERT_FALSE(host.has_value());
  EXPECT_EQ(host.error().details["field"], "settings.network_mode");
  auto mount = patch(member_, id,
                     {.settings = json{{"volumes", {{{"source", "/etc"}, {"target", "/etc2"}}}}}});
  ASSERT_FALSE(mount.has_value());
  EXPECT_EQ(mount.error().code, "admin_required");
}

TEST_F(AppServiceTest, HostCommandsAreAnAdminsToDefine) {
  const json workflow = {{"type", "workflow"}, {"steps", {{{"name", "build"}, {"shell", "id"}}}}};
  auto by_member = create(member_, {.name = "ci", .source = workflow, .settings = json::object()});
  ASSERT_FALSE(by_member.has_value());
  EXPECT_EQ(by_member.error().code, "admin_required");
  EXPECT_EQ(by_member.error().details["field"], "source.steps");

  auto web = create(member_, {.name = "web",
                              .source = {{"type", "image"}, {"image", "nginx"}},
                              .settings = {{"port", 8080}}});
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ(patch(member_, web->app.id, {.source = workflow}).error().details["field"],
            "source.steps");

  auto by_admin = create(admin_, {.name = "ci", .source = workflow, .settings = json::object()});
  ASSERT_TRUE(by_admin.has_value()) << by_admin.error().message;
  const std::string id = by_admin->app.id;
  json changed_steps = workflow;
  changed_steps["steps"][0]["shell"] = "cat /etc/shadow";
  EXPECT_EQ(patch(member_, id, {.source = changed_steps}).error().code, "admin_required");
  // A workflow's port is the server's own: no member may aim the proxy at one.
  EXPECT_EQ(patch(member_, id, {.settings = json{{"port", 2019}}}).error().code,
            "validation_failed");
  EXPECT_EQ(patch(member_, id, {.settings = json{{"port", 8080}}}).error().code, "admin_required");
  EXPECT_TRUE(patch(member_, id, {.name = std::string("ci-renamed")}).has_value());
  EXPECT_TRUE(patch(admin_, id, {.source = changed_steps}).has_value());
  // Git sources that read the server's own files are admin-only too.
  auto file_repo =
      create(member_, {.name = "local",
                       .source = {{"type", "git"}, {"repository", "file:///srv/x.git"}},
                       .settings = {{"port", 80}}});
  ASSERT_FALSE(file_repo.has_value());
  EXPECT_EQ(file_repo.error().details["field"], "source.repository");
}

TEST_F(AppServiceTest, MembersNamedVolumesAreTheTeams) {
  auto created = create(
      member_,
      {.name = "db",
       .source = {{"type", "image"}, {"image", "postgres:16"}},
       .settings = {{"port", 5432},
                    {"volumes", {{{"source", "pgdata"}, {"target", "/var/lib/postgresql"}}}}}});
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->app.settings["volumes"][0]["source"], team_ + "-pgdata");
  auto by_admin = create(
      admin_,
      {.name = "db2",
       .source = {{"type", "image"}, {"image", "postgres:16"}},
       .settings = {{"port", 5432},
                    {"volumes", {{{"source", "pgdata"}, {"target", "/var/lib/postgresql"}}}}}});
  ASSERT_TRUE(by_admin.has_value());
  EXPECT_EQ(by_admin->app.settings["volumes"][0]["source"], "pgdata");
}

TEST_F(AppServiceTest, SingleLabelAndAddressHostnamesAreRefused) {
  for (const char* hostname : {"localhost", "127.0.0.1", "vm"}) {
    auto created = create(member_, {.name = "web",
                                    .source = {{"type", "image"}, {"image", "nginx"}},
                                    .settings = {{"port", 80}},
                                    .hostname = hostname});
    EXPECT_EQ(field_of(created), "hostname") << hostname;
  }
}

TEST_F(AppServiceTest, SourceAndSettingsChangesBumpConfigVersionHostnamesDoNot) {
  const AppRecord app = image_app("web");
  auto same = patch(member_, app.id, {.settings = json{{"port", 80}}});
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->app.config_version, 1);
  auto settings = patch(member_, app.id, {.settings = json{{"health", {{"path", "/healthz"}}}}});
  ASSERT_TRUE(settings.has_value());
  EXPECT_EQ(settings->app.config_version, 2);
  EXPECT_EQ(settings->app.settings["health"]["path"], "/healthz");
  EXPECT_EQ(settings->app.settings["health"]["retries"], 15);
  auto source = patch(member_, app.id, {.source = json{{"image", "nginx:1.28"}}});
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(source->app.config_version, 3);
  EXPECT_EQ(source->app.source["image"], "nginx:1.28");
  auto to_git =
      patch(member_, app.id, {.source = json{{"type", "git"}, {"repository", "https://h/r.git"}}});
  ASSERT_TRUE(to_git.has_value()) << to_git.error().message;
  EXPECT_EQ(to_git->app.source["branch"], "main");
  EXPECT_FALSE(to_git->app.source.contains("image"));
  auto host = patch(member_, app.id, {.hostname = std::string("www.example.com")});
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->app.config_version, 4);
  EXPECT_EQ(host->app.status, "new");
  EXPECT_TRUE(lifecycle_.routes.empty());  // never deployed: no route to change
}

TEST_F(AppServiceTest, AHostnameChangeOfAServingAppReachesTheProxy) {
  const AppRecord app = image_app("web");
  serving(app);
  auto host = patch(member_, app.id, {.hostname = std::string("www.example.com")});
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(lifecycle_.routes, std::vector<std::string>{server_});
  EXPECT_EQ(host->app.status, "running");
  auto back = patch(member_, app.id, {.hostname = std::string()});
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->app.hostname, "web.203.0.113.7.sslip.io");
}

TEST_F(AppServiceTest, RenamingKeepsTheDefaultHostnameInStep) {
  const AppRecord app = image_app("web");
  auto renamed = patch(member_, app.id, {.name = std::string("site")});
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->app.hostname, "site.203.0.113.7.sslip.io");
}

TEST_F(AppServiceTest, MovingServersOnlyWhileNotRunning) {
  const AppRecord app = image_app("web");
  const std::string other = add_server(team_, "web-2", "localhost");
  serving(app);
  auto refused = patch(member_, app.id, {.server_id = other});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, "app_running");
  serving(stored(app.id), "stopped");
  auto moved = patch(member_, app.id, {.server_id = other});
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_EQ(moved->app.server_id, other);
  EXPECT_EQ(moved->app.hostname, "web.localhost");
  EXPECT_EQ(moved->app.config_version, 2);
}

TEST_F(AppServiceTest, DeletingTellsTheLifecycle) {
  const AppRecord app = image_app("web");
  ASSERT_TRUE(apps_.remove(as(member_), team_, app.id, client()).has_value());
  EXPECT_EQ(lifecycle_.removed, std::vector<std::string>{app.id});
  EXPECT_EQ(apps_.get(as(viewer_), team_, app.id).error().kind, ErrorKind::not_found);
  EXPECT_EQ(audit("app.delete").size(), 1U);
}

TEST_F(AppServiceTest, ListsFilter) {
  auto project = projects_.create(as(member_), team_, {.name = "shop"}, client());
  ASSERT_TRUE(project.has_value());
  image_app("web", project->id);
  image_app("api");
  const auto names = [&](const AppFilter& filter) {
    std::vector<std::string> out;
    auto page = apps_.list(as(viewer_), team_, filter, {});
    EXPECT_TRUE(page.has_value());
    for (const auto& view : page ? page->items : std::vector<AppView>{}) {
      out.push_back(view.app.name);
    }
    return out;
  };
  EXPECT_EQ(names({}), (std::vector<std::string>{"api", "web"}));
  EXPECT_EQ(names({.project_id = project->id}), std::vector<std::string>{"web"});
  EXPECT_EQ(names({.q = "ap"}), std::vector<std::string>{"api"});
  EXPECT_EQ(names({.server_id = add_server(team_, "empty", "")}), std::vector<std::string>{});
  EXPECT_FALSE(apps_.list(as(viewer_), team_, {.server_id = "nope"}, {}).has_value());
}

}  // namespace
}  // namespace berth
