// The fault harness of docs/development.md: cycles of "submit 3 jobs that each print 40
// numbered lines over about a second, SIGKILL berthd at a random moment, restart it on the same
// port and data". Whatever the moment, every job must end `succeeded` exactly once, with its
// started_at set and its stored output exactly its 40 lines. The moments come from a seed that
// is printed (BERTH_FAULT_SEED replays a run); BERTH_FAULT_CYCLES sets the number of cycles
// (bench/faults/run asks for 100).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kJobsPerCycle = 3;
constexpr int kLines = 40;
constexpr int kDefaultCycles = 6;  // keeps `make test` under a minute on the ci build

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    return fallback;
  }
  return std::strtoull(text, nullptr, 10);
}

// 40 numbered lines 25 ms apart; the marker file gets a line each time the job starts.
json numbered_lines_job(const std::filesystem::path& marker) {
  const std::string script = "echo started >> \"$1\"; i=1; while [ $i -le " +
                             std::to_string(kLines) +
                             " ]; do echo line $i; i=$((i+1)); sleep 0.025; done";
  return {{"kind", "exec"},
          {"args", {{"argv", {"/bin/sh", "-c", script, "sh", marker.string()}}}},
          {"timeout_ms", 120000}};
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// The first line that differs from "line 1".."line 40", as a message; empty when all match.
std::string first_wrong_line(const std::string& output) {
  const auto lines = split_lines(output);
  for (int i = 0; i < kLines; ++i) {
    const std::string want = "line " + std::to_string(i + 1);
    if (static_cast<std::size_t>(i) >= lines.size()) {
      return "missing from line " + std::to_string(i + 1) + " on (" + std::to_string(lines.size()) +
             " lines)";
    }
    if (lines[static_cast<std::size_t>(i)] != want) {
      return "line " + std::to_string(i + 1) + " is \"" + lines[static_cast<std::size_t>(i)] + "\"";
    }
  }
  if (lines.size() != static_cast<std::size_t>(kLines) ||
      (!output.empty() && output.back() != '\n')) {
    return std::to_string(lines.size()) + " lines instead of " + std::to_string(kLines);
  }
  return {};
}

struct Submitted {
  std::string id;
  std::filesystem::path marker;
  int cycle = 0;
};

TEST_F(FleetTest, KillNineCyclesNeverLoseAcknowledgedOutputNorRunAJobTwice) {
  const std::uint64_t cycles = env_number("BERTH_FAULT_CYCLES", kDefaultCycles);
  const std::uint64_t seed = env_number("BERTH_FAULT_SEED", std::random_device{}());
  std::cout << "fault harness: seed " << seed << " (BERTH_FAULT_SEED), " << cycles
            << " cycles (BERTH_FAULT_CYCLES)" << std::endl;
  std::mt19937_64 random(seed);
  // Up to 1.3 s: before the jobs start, while they print, and just after they end.
  std::uniform_int_distribution<int> kill_after_ms(0, 1300);

  start_fleet();
  const std::string server_id = connect_agent("agent-1");
  std::vector<Submitted> jobs;
  for (std::uint64_t cycle = 1; cycle <= cycles; ++cycle) {
    for (int j = 0; j < kJobsPerCycle; ++j) {
      const auto marker = dir_.path() / ("runs-" + std::to_string(cycle) + "-" + std::to_string(j));
      const std::string id = submit(server_id, numbered_lines_job(marker));
      ASSERT_FALSE(id.empty());
      jobs.push_back({id, marker, static_cast<int>(cycle)});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(random)));
    berthd_->stop(SIGKILL);
    restart_berthd();
  }

  int failures = 0;
  std::size_t lines_checked = 0;
  for (const auto& job : jobs) {
    const json settled = wait_for(
        "/api/v1/jobs/" + job.id,
        [](const json& body) {
          const std::string state = body.value("state", "");
          return state != "queued" && state != "dispatched" && state != "running";
        },
        60s);
    const std::string output = sse_output_text(read_stream("/api/v1/jobs/" + job.id + "/output"));
    const std::string wrong = first_wrong_line(output);
    const std::string runs = read_file(job.marker);
    lines_checked += split_lines(output).size();
    const bool ok = settled.value("state", "") == "succeeded" && settled["exit_code"] == 0 &&
                    settled["started_at"].is_string() && wrong.empty() && runs == "started\n";
    if (!ok) {
      ++failures;
      ADD_FAILURE() << "cycle " << job.cycle << " job " << job.id << ": state "
                    << settled.value("state", "?") << ", started_at "
                    << settled["started_at"].dump() << ", runs " << split_lines(runs).size()
                    << ", output: " << (wrong.empty() ? "complete" : wrong) << "\n"
                    << settled.dump();
    }
  }
  std::cout << "fault harness summary: cycles " << cycles << ", jobs " << jobs.size()
            << ", lines checked " << lines_checked << ", failures " << failures << ", seed " << seed
            << std::endl;
}

}  // namespace
}  // namespace berth::testing
