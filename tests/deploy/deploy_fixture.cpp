#include "deploy/deploy_fixture.hpp"

namespace berth::testing {

DeployTest::DeployTest(PipelineParts parts)
    : deployments_(std::make_unique<DeploymentService>(services_, jobs_, events_, 1, parts)) {
  server_ = ServerRecord{.id = ids_.next("srv"), .team_id = team_, .name = "box"};
  server_.created_at = clock_.now();
  server_.updated_at = clock_.now();
  EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_server(server_); }));
}

DeployTest::~DeployTest() { deployments_->stop(); }

AppRecord DeployTest::add_app(const std::string& name, nlohmann::json source) {
  AppRecord app{.id = ids_.next("app"),
                .team_id = team_,
                .name = name,
                .server_id = server_.id,
                .source = std::move(source),
                .settings = {{"port", 8080}},
                .hostname = name + ".test"};
  app.created_at = clock_.now();
  app.updated_at = clock_.now();
  EXPECT_TRUE(store_->write([&](Tx& tx) { return tx.create_app(app); }));
  return app;
}

DeploymentRecord DeployTest::serve(AppRecord& app, std::int64_t host_port) {
  DeploymentRecord deployment{.id = ids_.next("dep"),
                              .team_id = team_,
                              .app_id = app.id,
                              .server_id = server_.id,
                              .state = DeploymentState::succeeded,
                              .host_port = host_port,
                              .created_at = clock_.now()};
  app.current_deployment_id = deployment.id;
  app.status = "running";
  EXPECT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
    if (auto made = tx.create_deployment(deployment); !made) {
      return made;
    }
    return tx.update_app(app);
  }));
  return deployment;
}

std::vector<DeploymentRecord> DeployTest::deployments_of(const std::string& app_id) {
  auto page = read_value<Page<DeploymentRecord>>(*store_, [&](Tx& tx) {
    return tx.list_deployments(
        DeploymentQuery{.team_id = {}, .app_id = app_id, .states = {}, .page = 1, .per_page = 100});
  });
  return page ? page->items : std::vector<DeploymentRecord>{};
}

}  // namespace berth::testing
