// The fleet as a new user meets it: mint an install token, enrol a real berth-agent, see the
// server online with metrics, run commands and watch their output, cancel, revoke, delete.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json exec(std::vector<std::string> argv, json extra = json::object()) {
  json args = {{"argv", std::move(argv)}};
  args.update(extra);
  return {{"kind", "exec"}, {"args", args}};
}

TEST_F(FleetTest, EnrolledAgentComesOnlineWithFactsAndMetrics) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const json server = wait_for("/api/v1/servers/" + server_id, [](const json& s) {
    return s["metrics"].contains("cpu_percent") && !s["docker"].empty();
  });
  EXPECT_EQ(server["status"].get<std::string>().empty(), false);
  EXPECT_FALSE(server["facts"].value("hostname", "").empty());
  EXPECT_TRUE(server["metrics"].contains("memory"));
  EXPECT_TRUE(server["agent_enrolled"].get<bool>());
  EXPECT_EQ(server["agent_version"], "0.1.0");

  const HttpResponse list = api("GET", "/api/v1/servers");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json()["total"], 1);

  const json series = wait_for("/api/v1/servers/" + server_id + "/metrics?range=1h",
                               [](const json& m) { return !m["points"].empty(); });
  EXPECT_EQ(series["resolution_seconds"], 60);
  EXPECT_GT(series["points"][0]["samples"].get<int>(), 0);
  EXPECT_EQ(api("GET", "/api/v1/servers/" + server_id + "/metrics?range=2h").status, 400);
}

TEST_F(FleetTest, ExecJobStreamsOrderedOutputAndEndsWithItsExitCode) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string job_id = submit(
      server_id,
      exec({"/bin/sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; exit 3"}));
  const json job = wait_job_state(job_id, "failed");
  EXPECT_EQ(job["exit_code"], 3);
  const std::string stream = read_stream("/api/v1/jobs/" + job_id + "/output");
  const std::string text = sse_output_text(stream);
  EXPECT_NE(text.find("line 1\nline 2\nline 3\nline 4\nline 5\n"), std::string::npos) << stream;
  EXPECT_NE(text.find("oops"), std::string::npos);
  EXPECT_NE(stream.find("event: done"), std::string::npos);
  const auto ids = sse_ids(stream);
  ASSERT_FALSE(ids.empty());
  for (std::size_t i = 1; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i], ids[i - 1] + 1);
  }

  // Resuming after the first event replays only what came after it.
  const std::string resumed =
      read_stream("/api/v1/jobs/" + job_id + "/output", std::to_string(ids.front()));
  const auto resumed_ids = sse_ids(resumed);
  ASSERT_EQ(resumed_ids.size(), ids.size() - 1);
  EXPECT_EQ(resumed_ids.front(), ids.front() + 1);
}

// The replay reads the stored output a batch at a time as the client takes it (500 chunks per
// batch): a large output still arrives whole, in order, with consecutive ids. The agent
// coalesces output into few chunks, so the test stores 6,000 more straight into the database.
TEST_F(FleetTest, ReplayOfALargeOutputArrivesCompleteAndInOrder) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string job_id = submit(server_id, exec({"/bin/echo", "first"}));
  wait_job_state(job_id, "succeeded");
  const auto stored = sse_ids(read_stream("/api/v1/jobs/" + job_id + "/output"));
  ASSERT_EQ(stored.size(), 1U);
  constexpr int kChunks = 6'000;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "data" / "berth.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10'000);
  std::string insert = "BEGIN;";
  for (int i = 1; i <= kChunks; ++i) {
    insert += "INSERT INTO job_output (job_id, seq, stream, text, at) VALUES ('" + job_id + "', " +
              std::to_string(stored.front() + i) + ", 'stdout', 'c" + std::to_string(i) +
              "\n', '2026-01-01T00:00:00Z');";
  }
  insert += "COMMIT;";
  EXPECT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);

  const std::string stream =
      read_stream("/api/v1/jobs/" + job_id + "/output", "", std::chrono::seconds(60));
  EXPECT_NE(stream.find("event: done"), std::string::npos);
  const auto ids = sse_ids(stream);
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kChunks) + 1);
  for (std::size_t i = 1; i < ids.size(); ++i) {
    ASSERT_EQ(ids[i], ids[i - 1] + 1) << "at " << i;
  }
  std::string expected = "first\n";
  for (int i = 1; i <= kChunks; ++i) {
    expected += "c" + std::to_string(i) + "\n";
  }
  EXPECT_EQ(sse_output_text(stream), expected);
}

TEST_F(FleetTest, LiveOutputStreamFollowsARunningJob) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string job_id = submit(
      server_id, exec({"/bin/sh", "-c", "echo start; sleep 1; echo end"}, {{"env", {{"X", "1"}}}}));
  const std::string stream = read_stream("/api/v1/jobs/" + job_id + "/output");
  EXPECT_EQ(sse_output_text(stream), "start\nend\n");
  EXPECT_NE(stream.find("\"state\":\"succeeded\""), std::string::npos) << stream;
  // Secrets in env never come back.
  const HttpResponse job = api("GET", "/api/v1/jobs/" + job_id);
  EXPECT_EQ(job.json()["args"]["env"]["X"], "***");
}

TEST_F(FleetTest, CancelKillsARunningJob) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string job_id = submit(server_id, exec({"/bin/sleep", "60"}));
  wait_job_state(job_id, "running");
  const HttpResponse canceled = api("POST", "/api/v1/jobs/" + job_id + "/cancel", json::object());
  EXPECT_EQ(canceled.status, 202) << canceled.body;
  wait_job_state(job_id, "canceled", 15s);
  const HttpResponse again = api("POST", "/api/v1/jobs/" + job_id + "/cancel", json::object());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["error"]["code"], "job_finished");
}

TEST_F(FleetTest, BadJobsAreRefusedBeforeAnythingRuns) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string target = "/api/v1/servers/" + server_id + "/jobs";
  EXPECT_EQ(api("POST", target, {{"kind", "shell"}, {"args", {{"argv", {"ls"}}}}}).status, 400);
  EXPECT_EQ(api("POST", target, {{"kind", "exec"}, {"args", {{"argv", "rm -rf /"}}}}).status, 400);
  EXPECT_EQ(api("POST", target, {{"kind", "exec"}, {"args", {{"argv", json::array()}}}}).status,
            400);
  EXPECT_EQ(api("POST", target, exec({"ls"}, {{"cwd", "relative"}})).status, 400);
  EXPECT_EQ(api("POST", "/api/v1/servers/srv_nope/jobs", exec({"ls"})).status, 404);
  EXPECT_EQ(api("POST", "/api/v1/servers/srv_01JD7Q8M3X4V9T2K5R6W8Y0ZAB/jobs", exec({"ls"})).status,
            404);
  EXPECT_EQ(api("GET", "/api/v1/jobs/job_01JD7Q8M3X4V9T2K5R6W8Y0ZAB").status, 404);
}

TEST_F(FleetTest, QueuedJobWaitsForItsOfflineServerAndRunsWhenItReturns) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  agents_.back()->stop();
  wait_server_status(server_id, "offline");
  const std::string job_id = submit(server_id, exec({"/bin/echo", "later"}));
  EXPECT_EQ(api("GET", "/api/v1/jobs/" + job_id).json()["state"], "queued");
  connect_agent("agent-1");
  wait_job_state(job_id, "succeeded");
  EXPECT_EQ(sse_output_text(read_stream("/api/v1/jobs/" + job_id + "/output")), "later\n");
}

TEST_F(FleetTest, RevokedAgentIsDisconnectedAndItsTokenRefused) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string token =
      json::parse(read_file(agent_dir("agent-1") / "agent.json"))["agent_token"];
  const HttpResponse revoked =
      api("POST", "/api/v1/servers/" + server_id + "/revoke-agent", json::object());
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  // The agent hears 4001 at once and stops for good (exit 3), without reconnecting.
  EXPECT_EQ(agents_.back()->wait_exit(10s), 3) << agents_.back()->log();
  wait_server_status(server_id, "offline");
  const HttpResponse refused = agent_upgrade(token);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json()["error"]["code"], "invalid_agent_token");
}

TEST_F(FleetTest, InstallTokensAreSingleUse) {
  start_fleet();
  const std::string token = mint_install_token();
  const json facts = {{"hostname", "web-1"}};
  const HttpResponse first = http_request(port(), "POST", "/api/v1/agent/register",
                                          json{{"install_token", token}, {"facts", facts}}.dump(),
                                          {{"Content-Type", "application/json"}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_TRUE(first.json()["agent_token"].get<std::string>().starts_with("bat_"));
  const HttpResponse second = http_request(port(), "POST", "/api/v1/agent/register",
                                           json{{"install_token", token}, {"facts", facts}}.dump(),
                                           {{"Content-Type", "application/json"}});
  EXPECT_EQ(second.status, 401);
  EXPECT_EQ(second.json()["error"]["code"], "invalid_install_token");
  // Same hostname again: a distinct name.
  const HttpResponse third =
      http_request(port(), "POST", "/api/v1/agent/register",
                   json{{"install_token", mint_install_token()}, {"facts", facts}}.dump(),
                   {{"Content-Type", "application/json"}});
  ASSERT_EQ(third.status, 201);
  const HttpResponse server =
      api("GET", "/api/v1/servers/" + third.json()["server_id"].get<std::string>());
  EXPECT_EQ(server.json()["name"], "web-1-2");
}

TEST_F(FleetTest, ServersCanBeRenamedCordonedDrainedAndDeleted) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string target = "/api/v1/servers/" + server_id;
  const HttpResponse renamed =
      api("PATCH", target, {{"name", "edge-1"}, {"labels", {{"region", "eu"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["name"], "edge-1");
  EXPECT_EQ(renamed.json()["labels"]["region"], "eu");
  EXPECT_EQ(api("PATCH", target, {{"name", "bad name!"}}).status, 400);
  EXPECT_EQ(api("POST", target + "/cordon", json::object()).json()["scheduling"], "cordoned");
  EXPECT_EQ(api("POST", target + "/uncordon", json::object()).json()["scheduling"], "active");
  EXPECT_EQ(api("POST", target + "/drain", json::object()).json()["scheduling"], "draining");
  const HttpResponse refused = api("POST", target + "/jobs", exec({"/bin/true"}));
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json()["error"]["code"], "server_draining");

  const HttpResponse key = api("GET", target + "/deploy-key");
  ASSERT_EQ(key.status, 200);
  const std::string public_key = key.json()["public_key"];
  EXPECT_TRUE(public_key.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5")) << public_key;
  EXPECT_EQ(api("GET", target + "/deploy-key").json()["public_key"], public_key);

  EXPECT_EQ(api("DELETE", target).status, 204);
  EXPECT_EQ(agents_.back()->wait_exit(10s), 3);
  EXPECT_EQ(api("GET", target).status, 404);
}

TEST_F(FleetTest, InstallScriptAndAgentBinaryAreServed) {
  start_fleet();
  const HttpResponse minted = api("POST", "/api/v1/servers/install-tokens", json::object());
  ASSERT_EQ(minted.status, 201);
  const std::string command = minted.json()["install_command"];
  EXPECT_NE(command.find(server_url() + "/api/v1/agent/install.sh"), std::string::npos) << command;
  EXPECT_NE(command.find(minted.json()["token"].get<std::string>()), std::string::npos);
  const HttpResponse script = http_request(port(), "GET", "/api/v1/agent/install.sh");
  ASSERT_EQ(script.status, 200);
  EXPECT_TRUE(script.body.starts_with("#!/bin/sh"));
  EXPECT_NE(script.body.find("BERTH_URL='" + server_url() + "'"), std::string::npos);
  const HttpResponse binary = http_request(port(), "GET", "/api/v1/agent/download");
  ASSERT_EQ(binary.status, 200);
  EXPECT_EQ(binary.body.size(), std::filesystem::file_size(BERTH_AGENT_PATH));
}

TEST_F(FleetTest, AgentEventsAreStoredAndStreamed) {
  start_fleet();
  // An agent pointed at a Docker socket that does not exist reports docker_down at once.
  const std::string server_id =
      connect_agent("agent-1", {}, {"--docker-socket", (dir_.path() / "no-docker.sock").string()});
  const std::string stream = read_stream("/api/v1/servers/" + server_id + "/events", "1", 2s);
  EXPECT_NE(stream.find("event: agent_event"), std::string::npos) << stream;
  EXPECT_NE(stream.find("\"kind\":\"docker_down\""), std::string::npos) << stream;
}

TEST_F(FleetTest, ServerEventsStreamStatusChanges) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const std::string stream = read_stream("/api/v1/servers/" + server_id + "/events", "", 1s);
  EXPECT_NE(stream.find("event: snapshot"), std::string::npos) << stream;
  agents_.back()->stop();
  wait_server_status(server_id, "offline");
  const std::string replay = read_stream("/api/v1/servers/" + server_id + "/events", "1", 1s);
  EXPECT_NE(replay.find("event: status_changed"), std::string::npos) << replay;
  EXPECT_NE(replay.find("\"to\":\"offline\""), std::string::npos) << replay;
}

TEST_F(FleetTest, TheTeamStreamCarriesEveryServersEventsAndSamples) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  std::string stream;
  std::thread reader([&] { stream = read_stream("/api/v1/events", "", 6s); });
  // The stream reads for its whole timeout: the agent goes offline within it, and heartbeats
  // (every second here) reach the stream as samples once flushed.
  std::this_thread::sleep_for(3s);
  agents_.back()->stop();
  wait_server_status(server_id, "offline");
  reader.join();
  EXPECT_NE(stream.find("event: ready"), std::string::npos) << stream;
  EXPECT_NE(stream.find("event: metrics"), std::string::npos) << stream;
  EXPECT_NE(stream.find("event: status_changed"), std::string::npos) << stream;
  EXPECT_NE(stream.find("\"server_id\":\"" + server_id + "\""), std::string::npos) << stream;
  EXPECT_NE(stream.find("\"to\":\"offline\""), std::string::npos) << stream;
}

}  // namespace
}  // namespace berth::testing
