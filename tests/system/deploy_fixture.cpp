#include "system/deploy_fixture.hpp"

#include <unistd.h>

#include <iostream>
#include <sstream>
#include <thread>

namespace berth::testing {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

bool is_terminal(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "canceled" || state == "superseded";
}

}  // namespace

void DeployTest::SetUp() {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "deployment system tests need root (dockerd, the agent's containers)";
  }
  if (const std::string reason = CaddyProcess::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const DockerEngine& engine = shared_docker_engine();
  if (!engine.ready) {
    GTEST_SKIP() << engine.reason;
  }
  socket_path_ = engine.socket_path;
  const std::string images = build_app_images(socket_path_);
  ASSERT_EQ(images, "") << "the offline app images could not be built";
  try {
    caddy_ = std::make_unique<CaddyProcess>(dir_.path() / "caddy");
  } catch (const std::exception& error) {
    GTEST_SKIP() << "caddy cannot start: " << error.what();
  }
  start_fleet({.args = berthd_args_});
  server_id_ =
      connect_agent("agent-deploy", {},
                    {"--docker-socket", socket_path_, "--caddy-admin", caddy_->admin_address()});
  ASSERT_FALSE(server_id_.empty());
  wait_for("/api/v1/servers/" + server_id_,
           [](const json& s) { return s["docker"].value("status", "") == "online"; });
  http_port_ = free_loopback_port();
  int https_port = free_loopback_port();
  while (https_port == http_port_) {
    https_port = free_loopback_port();
  }
  const HttpResponse proxy = api("PUT", "/api/v1/servers/" + server_id_ + "/proxy",
                                 {{"base_domain", "test"},
                                  {"http_port", http_port_},
                                  {"https_port", https_port},
                                  {"tls", "off"}});
  ASSERT_EQ(proxy.status, 200) << proxy.body;
}

void DeployTest::TearDown() {
  if (HasFailure() && caddy_) {
    std::cerr << "---- caddy config ----\n" << caddy_->config() << "\n---- caddy log (tail) ----\n";
    const std::string log = caddy_->log();
    std::cerr << (log.size() > 6000 ? log.substr(log.size() - 6000) : log) << "\n----\n";
  }
  FleetTest::TearDown();  // stops the agent and berthd
  // dockerd outlives the test: leave none of this test's containers behind.
  for (const auto& app_id : app_ids_) {
    const CommandResult listed = docker({"ps", "-aq", "--filter", "label=berth.app=" + app_id});
    std::istringstream ids(listed.output);
    std::string id;
    while (std::getline(ids, id)) {
      if (!id.empty()) {
        docker({"rm", "-f", id});
      }
    }
  }
  caddy_.reset();
  // The agent's edge Caddy (rules, or hosts new since Caddy's last load) outlives the agent by
  // design.
  kill_processes_using(dir_.path());
}

json DeployTest::image_source(const std::string& image) {
  return {{"type", "image"}, {"image", image}};
}

json DeployTest::fast_settings() {
  return {{"port", 8080},
          {"pull_policy", "never"},
          {"health",
           {{"path", "/"},
            {"interval_s", 0.2},
            {"timeout_s", 1},
            {"retries", 10},
            {"start_period_s", 0}}},
          {"drain_grace_s", 1}};
}

std::string DeployTest::create_app(const std::string& name, const json& source,
                                   const json& settings) {
  json body = {{"name", name}, {"server_id", server_id_}, {"source", source}};
  if (!settings.is_null()) {
    body["settings"] = settings;
  }
  const HttpResponse created = api("POST", "/api/v1/apps", body);
  EXPECT_EQ(created.status, 201) << "POST /api/v1/apps " << body.dump() << "\n" << created.body;
  if (created.status != 201) {
    return "";
  }
  app_ids_.push_back(created.json().value("id", ""));
  return app_ids_.back();
}

bool DeployTest::succeeded(const json& deployment) {
  if (deployment.value("state", "") == "succeeded") {
    return true;
  }
  ADD_FAILURE() << "the deployment did not succeed: " << describe(deployment.value("id", "(none)"));
  return false;
}

json DeployTest::deploy(const std::string& app_id, const json& body) {
  const HttpResponse queued = api("POST", "/api/v1/apps/" + app_id + "/deployments", body);
  EXPECT_EQ(queued.status, 202) << body.dump() << "\n" << queued.body;
  return queued.status == 202 ? queued.json() : json::object();
}

json DeployTest::wait_deployment(const std::string& deployment_id,
                                 std::chrono::milliseconds timeout) {
  // Like wait_for, but a berthd that died (a crash is what these tests find) ends the wait.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json last;
  for (;;) {
    if (berthd_->wait_exit(0ms)) {
      ADD_FAILURE() << "berthd exited while deployment " << deployment_id << " ran";
      return last;
    }
    try {
      const HttpResponse response = api("GET", "/api/v1/deployments/" + deployment_id);
      if (response.status == 200) {
        last = response.json();
        if (is_terminal(last.value("state", ""))) {
          return last;
        }
      }
    } catch (const std::exception&) {
      // berthd is gone or going: the check above says which on the next round
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "deployment " << deployment_id << " did not end; last: " << last.dump();
      return last;
    }
    std::this_thread::sleep_for(100ms);
  }
}

json DeployTest::deploy_and_wait(const std::string& app_id, const json& body) {
  const json queued = deploy(app_id, body);
  if (!queued.contains("id")) {
    return queued;
  }
  return wait_deployment(queued["id"]);
}

std::vector<SseEvent> DeployTest::events(const std::string& deployment_id) {
  return parse_sse(read_stream("/api/v1/deployments/" + deployment_id + "/events"));
}

std::string DeployTest::describe(const std::string& deployment_id) {
  try {
    std::string text = "deployment " + deployment_id + ": " +
                       api("GET", "/api/v1/deployments/" + deployment_id).body + "\nevents:\n";
    for (const auto& event : events(deployment_id)) {
      text += "  " + event.event + " " + event.data.dump() + "\n";
    }
    return text;
  } catch (const std::exception& error) {
    return "deployment " + deployment_id + ": berthd does not answer (" + error.what() + ")";
  }
}

ProxyReply DeployTest::through_proxy(const std::string& hostname, const std::string& path) {
  return http_get(static_cast<std::uint16_t>(http_port_), hostname, path);
}

ProxyReply DeployTest::wait_serving(const std::string& hostname, const std::string& body,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ProxyReply reply;
  while (std::chrono::steady_clock::now() < deadline) {
    reply = through_proxy(hostname);
    if (reply.kind == ProxyReply::Kind::ok && reply.status == 200 && reply.body == body) {
      return reply;
    }
    std::this_thread::sleep_for(100ms);
  }
  return reply;
}

CommandResult DeployTest::docker(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {{"DOCKER_HOST", "unix://" + socket_path_}});
}

std::vector<std::string> DeployTest::container_names(bool all) {
  std::vector<std::string> args = {"ps", "--format", "{{.Names}}"};
  if (all) {
    args.push_back("-a");
  }
  const CommandResult listed = docker(args);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  std::vector<std::string> names;
  std::istringstream lines(listed.output);
  std::string name;
  while (std::getline(lines, name)) {
    if (!name.empty()) {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace berth::testing
