// The fleet's promises under faults: either side may die mid-job and the job still ends
// exactly once, with all its output or as `lost` — never silently dropped, never run twice.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Prints 1..N, one line every 100 ms, and appends a line to a marker file each time it
// starts, so the test can tell whether it ever ran twice.
json counting_job(const std::filesystem::path& marker, int lines) {
  const std::string script = "echo started >> \"$1\"; i=1; while [ $i -le " +
                             std::to_string(lines) +
                             " ]; do echo line $i; i=$((i+1)); sleep 0.1; done";
  return {{"kind", "exec"},
          {"args", {{"argv", {"/bin/sh", "-c", script, "sh", marker.string()}}}},
          {"timeout_ms", 120000}};
}

std::string expected_lines(int lines) {
  std::string out;
  for (int i = 1; i <= lines; ++i) {
    out += "line " + std::to_string(i) + "\n";
  }
  return out;
}

TEST_F(FleetTest, BerthdKilledMidJobResumesAndTheJobEndsOnceWithAllItsOutput) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const auto marker = dir_.path() / "runs";
  const std::string job_id = submit(server_id, counting_job(marker, 40));
  wait_for("/api/v1/jobs/" + job_id,
           [](const json& job) { return job.value("output_seq", 0) >= 3; });

  berthd_->stop(SIGKILL);
  std::this_thread::sleep_for(1s);  // the job keeps printing while berthd is away
  restart_berthd();

  const json job = wait_job_state(job_id, "succeeded", 60s);
  EXPECT_EQ(job["exit_code"], 0);
  EXPECT_EQ(sse_output_text(read_stream("/api/v1/jobs/" + job_id + "/output")), expected_lines(40));
  EXPECT_EQ(read_file(marker), "started\n");  // ran once
  wait_server_status(server_id, "online");
}

TEST_F(FleetTest, AgentKilledMidJobReportsItLostAndLaterJobsRun) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const auto marker = dir_.path() / "runs";
  const std::string job_id = submit(server_id, counting_job(marker, 100));
  wait_job_state(job_id, "running");
  agents_.back()->kill_hard();
  connect_agent("agent-1");
  const json lost = wait_job_state(job_id, "lost", 30s);
  EXPECT_EQ(lost["error"]["code"], "agent_restarted") << lost.dump();
  EXPECT_EQ(read_file(marker), "started\n");  // not started again

  const std::string later =
      submit(server_id, {{"kind", "exec"}, {"args", {{"argv", {"/bin/echo", "fine"}}}}});
  wait_job_state(later, "succeeded");
}

TEST_F(FleetTest, AJobIsSentOnlyOnceEvenWhenBerthdRestartsBeforeItsAck) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  const auto marker = dir_.path() / "runs";
  // Several quick jobs, berthd restarted while they run: each runs exactly once.
  std::vector<std::string> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back(submit(server_id, counting_job(marker, 5)));
  }
  berthd_->stop(SIGKILL);
  restart_berthd();
  for (const auto& job_id : jobs) {
    wait_job_state(job_id, "succeeded", 60s);
  }
  EXPECT_EQ(read_file(marker), "started\nstarted\nstarted\nstarted\nstarted\n");
}

// berthd stopped on purpose closes its agents with 1001: each time, the agent draws its next
// attempt below the base second again, however short its sessions were (a crash or a network
// fault still backs off: only "going away" resets it).
TEST_F(FleetTest, AnAgentComesBackWithinASecondAfterEachRestartOfBerthd) {
  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  for (int restart = 0; restart < 4; ++restart) {
    berthd_->stop(SIGTERM);
    restart_berthd();
    wait_server_status(server_id, "online", 20s);
  }
  // The attempt right after each 1001 (a later one, while berthd is still starting, may wait
  // longer: that is backing off again).
  const std::string log = agents_.back()->log();
  std::size_t delays = 0;
  for (std::size_t at = log.find("close_code=1001"); at != std::string::npos;
       at = log.find("close_code=1001", at + 1)) {
    const std::size_t value = log.find("agent.reconnect_in delay_ms=", at);
    ASSERT_NE(value, std::string::npos) << log;
    EXPECT_LE(std::stol(log.substr(value + 28)), 1000) << log;
    ++delays;
  }
  EXPECT_GE(delays, 4U) << log;
}

}  // namespace
}  // namespace berth::testing
