#pragma once
// The deployment system tests' fixture: berthd, a real agent with a real dockerd and a real
// Caddy on loopback, the agent's server given proxy ports, and app images built offline from
// berth-test/busybox:1. Tests look at what a user sees: pages through the proxy, containers in
// `docker ps`, status codes, a deployment's record and events.

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "integration/fleet_fixture.hpp"
#include "system/caddy_fixture.hpp"
#include "system/docker_fixture.hpp"
#include "system/proxy_client.hpp"

namespace berth::testing {

// Images built by build_app_images(): httpd on 8080 serving /www/index.html ("v1\n", "v2\n")
// and /cgi-bin/env (the container's environment); :broken listens on nothing.
inline constexpr const char* kAppV1 = "berth-test/app:v1.1";
inline constexpr const char* kAppV2 = "berth-test/app:v2.1";
inline constexpr const char* kAppBroken = "berth-test/app:broken.1";

struct CommandResult {
  std::optional<int> exit_code = {};  // nullopt: killed at the deadline
  std::string output = {};            // stdout and stderr
};

/// Runs `argv` (PATH searched, no shell) with `env` added, stdin from `input_file` (or
/// /dev/null), to completion or `timeout` (then SIGKILL).
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          const std::string& input_file = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

/// Builds the app images with `DOCKER_BUILDKIT=0 docker build` against the Engine at
/// `socket_path`, once per machine (kept between runs); "" on success, else the build output.
std::string build_app_images(const std::string& socket_path);

struct SseEvent {
  std::string event = {};
  std::int64_t id = 0;
  nlohmann::json data = {};
};
std::vector<SseEvent> parse_sse(const std::string& body);

class DeployTest : public FleetTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  static nlohmann::json image_source(const std::string& image);
  /// Port 8080, no pulls, a quick health check, a one-second drain.
  static nlohmann::json fast_settings();

  /// POST /apps; the app's id, "" (and the test fails) unless 201.
  std::string create_app(const std::string& name, const nlohmann::json& source,
                         const nlohmann::json& settings = fast_settings());
  /// POST /apps/{id}/deployments; the deployment (the test fails unless 202).
  nlohmann::json deploy(const std::string& app_id,
                        const nlohmann::json& body = nlohmann::json::object());
  /// Polls the deployment until it ends; its record.
  nlohmann::json wait_deployment(const std::string& deployment_id,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(180));
  nlohmann::json deploy_and_wait(const std::string& app_id,
                                 const nlohmann::json& body = nlohmann::json::object());
  /// True when the deployment succeeded; otherwise the test fails with its record and events.
  bool succeeded(const nlohmann::json& deployment);
  /// The deployment's events, replayed from the start (the stream closes once it ended).
  std::vector<SseEvent> events(const std::string& deployment_id);
  /// The record and every event, for failure messages.
  std::string describe(const std::string& deployment_id);
  /// GET through Caddy's HTTP port with `Host: hostname`, on a new connection.
  ProxyReply through_proxy(const std::string& hostname, const std::string& path = "/");
  /// Polls through_proxy until it answers 200 with `body`; the last reply.
  ProxyReply wait_serving(const std::string& hostname, const std::string& body,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Names from `docker ps` (with -a when `all`).
  std::vector<std::string> container_names(bool all);
  CommandResult docker(const std::vector<std::string>& args);

  std::vector<std::string> berthd_args_;  // added to berthd's flags; set before SetUp
  std::string socket_path_;
  std::unique_ptr<CaddyProcess> caddy_;
  std::string server_id_;
  int http_port_ = 0;
  std::vector<std::string> app_ids_;  // their containers are removed at teardown
};

/// The steps of a deployment's `step` events with this status, in order.
std::vector<std::string> steps_with(const std::vector<SseEvent>& events, const std::string& status);
/// The output text of one step.
std::string step_output(const std::vector<SseEvent>& events, const std::string& step);

}  // namespace berth::testing
