// Managed services end to end with real parts: berthd, a real agent, dockerd and Caddy.
//
// A PostgreSQL service (the offline berth-test/postgres:15 image behind the official image's
// contract) is created in a project through the API and comes up on the project's private
// network; an app of the project is linked to it, deployed, and then:
// - it has DATABASE_URL in its environment (read through Caddy from the app's /cgi-bin/env);
// - its container is on the project network besides the bridge;
// - that URL really opens the database from the project network (psql in a one-off
//   container), and nothing outside the network resolves the service's name;
// - the generated password is nowhere in berthd's data directory or log.
// Then the service stops and starts on its volume with its data, and is deleted with its
// volume once the app is unlinked.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ServiceSystemTest : public DeployTest {
 protected:
  void SetUp() override {
    DeployTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    ASSERT_EQ(shared_service_images(), "") << "the offline service images could not be built";
    const HttpResponse project = api("POST", "/api/v1/projects", {{"name", "shop"}});
    ASSERT_EQ(project.status, 201) << project.body;
    project_id_ = project.json()["id"];
  }

  void TearDown() override {
    DeployTest::TearDown();  // berthd, the agent and the app's containers first
    if (!service_id_.empty()) {
      (void)docker({"rm", "-f", container_});
      (void)docker({"volume", "rm", "-f", volume_});
    }
    if (!project_id_.empty()) {
      (void)docker({"network", "rm", "berth-net-" + project_id_});
    }
  }

  json wait_service(const std::string& status) {
    return wait_for(
        "/api/v1/services/" + service_id_,
        [&](const json& s) { return s.value("status", "") == status || s["status"] == "failed"; },
        180s);
  }

  // psql in a one-off container on `network` ("" = the default bridge), as the app would.
  CommandResult psql(const std::string& network, const std::string& url, const std::string& sql) {
    std::vector<std::string> args = {"run", "--rm"};
    if (!network.empty()) {
      args.insert(args.end(), {"--network", network});
    }
    args.insert(args.end(), {"--entrypoint", "psql", kPostgresImage, url, "-tAc", sql});
    return docker(args);
  }

  std::string project_id_;
  std::string service_id_;
  std::string container_;
  std::string volume_;
};

std::string env_value(const std::string& env_page, const std::string& key) {
  std::istringstream lines(env_page);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(key + "=")) {
      return line.substr(key.size() + 1);
    }
  }
  return "";
}

// Every regular file under `dir` that holds `needle`, by its path.
std::vector<std::string> files_holding(const std::filesystem::path& dir,
                                       const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find(needle) != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

TEST_F(ServiceSystemTest, ALinkedAppReachesItsDatabaseOnTheProjectNetworkOnly) {
  const HttpResponse created = api("POST", "/api/v1/services",
                                   {{"name", "orders-db"},
                                    {"engine", "postgres"},
                                    {"version", "15"},
                                    {"image", kPostgresImage},
                                    {"project_id", project_id_},
                                    {"server_id", server_id_}});
  ASSERT_EQ(created.status, 201) << created.body;
  service_id_ = created.json()["id"];
  container_ = created.json()["container"];
  volume_ = created.json()["volume"];
  EXPECT_EQ(created.json()["status"], "deploying");
  const json running = wait_service("running");
  ASSERT_EQ(running["status"], "running") << running;
  EXPECT_EQ(running["host"], "orders-db");
  EXPECT_EQ(running["port"], 5432);
  EXPECT_EQ(running["warnings"], json::array());

  const std::string app_id = create_app("shop-web", image_source(kAppV1));
  ASSERT_FALSE(app_id.empty());
  ASSERT_EQ(api("PATCH", "/api/v1/apps/" + app_id, {{"project_id", project_id_}}).status, 200);
  const HttpResponse linked =
      api("POST", "/api/v1/apps/" + app_id + "/links", {{"service_id", service_id_}});
  ASSERT_EQ(linked.status, 201) << linked.body;
  EXPECT_EQ(linked.json()["env_keys"].size(), 6U);
  ASSERT_TRUE(succeeded(deploy_and_wait(app_id)));

  // The app got the URL; it names the service on the project network.
  ProxyReply page;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(200ms)) {
    page = through_proxy("shop-web.test", "/cgi-bin/env");
    if (page.status == 200 && page.body.find("DATABASE_URL=") != std::string::npos) {
      break;
    }
  }
  const std::string url = env_value(page.body, "DATABASE_URL");
  ASSERT_TRUE(url.starts_with("postgresql://orders_db:")) << page.body;
  EXPECT_NE(url.find("@orders-db:5432/orders_db"), std::string::npos) << url;
  const std::string password = env_value(page.body, "DATABASE_PASSWORD");
  ASSERT_EQ(password.size(), 48U);

  // The app's container sits on the bridge (for the proxy) and on the project network.
  const std::string network = "berth-net-" + project_id_;
  std::string app_container;
  for (const auto& name : container_names(false)) {
    if (name.starts_with("berth-shop-web")) {
      app_container = name;
    }
  }
  ASSERT_FALSE(app_container.empty());
  const CommandResult networks =
      docker({"inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
              app_container});
  EXPECT_NE(networks.output.find("bridge"), std::string::npos) << networks.output;
  EXPECT_NE(networks.output.find(network), std::string::npos) << networks.output;

  // The URL opens the database from the project network, the service's data lives on.
  CommandResult reached;
  for (const auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(500ms)) {
    reached = psql(network, url,
                   "CREATE TABLE IF NOT EXISTS orders (n int); "
                   "INSERT INTO orders VALUES (42); SELECT count(*) FROM orders");
    if (reached.exit_code == 0) {
      break;
    }
  }
  ASSERT_EQ(reached.exit_code, 0) << reached.output;
  EXPECT_NE(reached.output.find("1"), std::string::npos) << reached.output;
  // Outside the project network the name does not even resolve, and no port is published.
  const CommandResult outside = psql("", url, "SELECT 1");
  EXPECT_NE(outside.exit_code, 0) << outside.output;
  EXPECT_EQ(docker({"port", container_}).output, "");

  // The password is in the app's environment, never in berthd's files or log.
  EXPECT_EQ(files_holding(berthd_->data_dir(), password), std::vector<std::string>{});
  EXPECT_EQ(berthd_->log().find(password), std::string::npos);
  EXPECT_EQ(berthd_->output().find(password), std::string::npos);
  EXPECT_EQ(api("GET", "/api/v1/services/" + service_id_).body.find(password), std::string::npos);

  // Stop and start keep the data on the volume.
  ASSERT_EQ(api("POST", "/api/v1/services/" + service_id_ + "/stop").status, 202);
  ASSERT_EQ(wait_service("stopped")["status"], "stopped");
  ASSERT_EQ(api("POST", "/api/v1/services/" + service_id_ + "/start").status, 202);
  ASSERT_EQ(wait_service("running")["status"], "running");
  for (const auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(500ms)) {
    reached = psql(network, url, "SELECT n FROM orders");
    if (reached.exit_code == 0) {
      break;
    }
  }
  EXPECT_EQ(reached.exit_code, 0) << reached.output;
  EXPECT_NE(reached.output.find("42"), std::string::npos) << reached.output;

  // Deleting: refused while linked, then the container and the volume go.
  const std::string target = "/api/v1/services/" + service_id_;
  EXPECT_EQ(api("DELETE", target + "?confirm=orders-db").status, 409);
  ASSERT_EQ(api("DELETE", "/api/v1/apps/" + app_id + "/links/" + service_id_).status, 204);
  EXPECT_EQ(api("DELETE", target).status, 422);
  ASSERT_EQ(api("DELETE", target + "?confirm=orders-db").status, 202);
  HttpResponse gone;
  for (const auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(300ms)) {
    gone = api("GET", target);
    if (gone.status == 404) {
      break;
    }
  }
  ASSERT_EQ(gone.status, 404) << gone.body;
  EXPECT_NE(docker({"volume", "inspect", volume_}).exit_code, 0) << "the data volume is gone";
  EXPECT_NE(docker({"inspect", container_}).exit_code, 0) << "the container is gone";
}

}  // namespace
}  // namespace berth::testing
