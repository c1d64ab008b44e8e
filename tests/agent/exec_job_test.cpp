// The exec job kind against real processes (/bin/sh, sleep, cat, env from the base system).

#include "agent/exec_job.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <mutex>
#include <thread>

#include "support/temp_dir.hpp"

namespace berth::agent {
namespace {

using namespace std::chrono_literals;

class CapturedOutput final : public JobOutput {
 public:
  void write(std::string_view stream, std::string_view text) override {
    std::lock_guard lock(mutex_);
    if (chunks_.empty() || chunks_.back().first != stream) {
      chunks_.emplace_back(std::string(stream), "");
    }
    chunks_.back().second.append(text);
  }
  std::string text(std::string_view stream) const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, text] : chunks_) {
      if (name == stream) {
        out += text;
      }
    }
    return out;
  }
  std::vector<std::pair<std::string, std::string>> chunks() const {
    std::lock_guard lock(mutex_);
    return chunks_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> chunks_;
};

struct JobRun {
  CapturedOutput output;
  std::atomic<bool> cancelled{false};
  JobOutcome outcome;
};

JobOutcome run(JobRun& run_state, nlohmann::json args, std::chrono::milliseconds timeout = 30s,
               ExecOptions options = {}) {
  JobContext context{.job_id = "job_test",
                     .kind = "exec",
                     .args = std::move(args),
                     .timeout = timeout,
                     .output = run_state.output,
                     .cancelled = run_state.cancelled};
  return run_exec_job(context, options);
}

bool process_gone(pid_t pid) {
  // Gone, or a zombie nobody has reaped yet (PID 1 of a container may not): either way dead.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) {
    return true;
  }
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

TEST(ExecJobTest, RunsAnArgvWithAnAbsolutePath) {
  JobRun r;
  const auto outcome = run(r, {{"argv", {"/bin/echo", "hello", "two words"}}});
  EXPECT_EQ(outcome.status, "succeeded");
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.error_code, "");
  EXPECT_EQ(r.output.text("stdout"), "hello two words\n");
}

TEST(ExecJobTest, FindsABareNameOnThePath) {
  JobRun r;
  EXPECT_EQ(run(r, {{"argv", {"echo", "$HOME;", "*"}}}).status, "succeeded");
  EXPECT_EQ(r.output.text("stdout"), "$HOME; *\n");  // no shell ever sees the words
}

TEST(ExecJobTest, StartsFromACleanEnvironmentWithTheJobsEnvMergedOver) {
  ::setenv("BERTH_AGENT_SECRET_FOR_TEST", "leak", 1);
  JobRun r;
  const auto outcome =
      run(r, {{"argv", {"env"}}, {"env", {{"GREETING", "hi there"}, {"LANG", "C"}}}});
  ::unsetenv("BERTH_AGENT_SECRET_FOR_TEST");
  ASSERT_EQ(outcome.status, "succeeded");
  const auto text = r.output.text("stdout");
  EXPECT_NE(text.find("GREETING=hi there\n"), std::string::npos);
  EXPECT_NE(text.find("LANG=C\n"), std::string::npos);
  EXPECT_NE(text.find("BERTH_JOB_ID=job_test\n"), std::string::npos);
  EXPECT_NE(text.find("PATH=/usr/local/sbin:"), std::string::npos);
  EXPECT_EQ(text.find("BERTH_AGENT_SECRET_FOR_TEST"), std::string::npos);
}

TEST(ExecJobTest, RunsInTheGivenDirectory) {
  testing::TempDir dir;
  JobRun r;
  EXPECT_EQ(run(r, {{"argv", {"pwd"}}, {"cwd", dir.path().string()}}).status, "succeeded");
  EXPECT_EQ(r.output.text("stdout"), std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(ExecJobTest, FeedsStdinAndDefaultsToDevNull) {
  JobRun with_input;
  EXPECT_EQ(run(with_input, {{"argv", {"cat"}}, {"stdin", "line 1\nline 2\n"}}).status,
            "succeeded");
  EXPECT_EQ(with_input.output.text("stdout"), "line 1\nline 2\n");

  JobRun large;  // bigger than a pipe buffer in both directions
  const std::string big(1 << 20, 'x');
  EXPECT_EQ(run(large, {{"argv", {"cat"}}, {"stdin", big}}).status, "succeeded");
  EXPECT_EQ(large.output.text("stdout").size(), big.size());

  JobRun without;
  EXPECT_EQ(run(without, {{"argv", {"cat"}}}).status, "succeeded");
  EXPECT_EQ(without.output.text("stdout"), "");
}

TEST(ExecJobTest, AJobThatClosesItsStdinEarlyDoesNotHurtTheAgent) {
  JobRun r;
  const auto outcome = run(r, {{"argv", {"/bin/true"}}, {"stdin", std::string(1 << 20, 'y')}});
  EXPECT_EQ(outcome.status, "succeeded");
}

TEST(ExecJobTest, ReportsExitCodesAndSignals) {
  JobRun failing;
  const auto failed = run(failing, {{"argv", {"/bin/sh", "-c", "echo oops >&2; exit 3"}}});
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_EQ(failed.error_code, "exit_status");
  EXPECT_EQ(failing.output.text("stderr"), "oops\n");

  JobRun killed;
  const auto signaled = run(killed, {{"argv", {"/bin/sh", "-c", "kill -KILL $$"}}});
  EXPECT_EQ(signaled.status, "failed");
  EXPECT_EQ(signaled.exit_code, std::nullopt);
  EXPECT_EQ(signaled.error_code, "exit_status");
  EXPECT_NE(signaled.error_message.find("signal 9"), std::string::npos);
}

TEST(ExecJobTest, KeepsTheOrderOfOutput) {
  JobRun r;
  const auto outcome = run(r, {{"argv",
                                {"/bin/sh", "-c",
                                 "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done; "
                                 "sleep 0.3; echo err >&2; sleep 0.3; echo last"}}});
  ASSERT_EQ(outcome.status, "succeeded");
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    expected += "line" + std::to_string(i) + "\n";
  }
  expected += "last\n";
  EXPECT_EQ(r.output.text("stdout"), expected);
  const auto chunks = r.output.chunks();
  ASSERT_EQ(chunks.size(), 3U);
  EXPECT_EQ(chunks[1], (std::pair<std::string, std::string>{"stderr", "err\n"}));
}

TEST(ExecJobTest, TimeoutKillsTheJob) {
  JobRun r;
  const auto outcome = run(r, {{"argv", {"sleep", "300"}}}, 200ms);
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "timeout");
  EXPECT_EQ(outcome.exit_code, std::nullopt);
}

TEST(ExecJobTest, CancelKillsTheWholeGroupIncludingAGrandchild) {
  JobRun r;
  std::thread job([&] {
    r.outcome = run(r, {{"argv", {"/bin/sh", "-c", "sleep 300 & echo $!; wait"}}});
  });
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (r.output.text("stdout").find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const auto grandchild = static_cast<pid_t>(std::stol(r.output.text("stdout")));
  EXPECT_FALSE(process_gone(grandchild));
  r.cancelled = true;
  job.join();
  EXPECT_EQ(r.outcome.status, "canceled");
  EXPECT_EQ(r.outcome.exit_code, std::nullopt);
  while (!process_gone(grandchild) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(process_gone(grandchild));
}

TEST(ExecJobTest, AJobThatIgnoresSigtermIsKilledAfterTheGrace) {
  JobRun r;
  r.cancelled = true;
  const auto outcome = run(r, {{"argv", {"/bin/sh", "-c", "trap '' TERM; sleep 300"}}}, 30s,
                           {.kill_grace = 200ms, .drain_after_exit = 1000ms});
  EXPECT_EQ(outcome.status, "canceled");
}

TEST(ExecJobTest, SpawnFailures) {
  testing::TempDir dir;
  JobRun missing;
  const auto not_found = run(missing, {{"argv", {"no-such-command-berth"}}});
  EXPECT_EQ(not_found.status, "failed");
  EXPECT_EQ(not_found.error_code, "spawn_failed");
  JobRun absent;
  EXPECT_EQ(run(absent, {{"argv", {"/nonexistent/program"}}}).error_code, "spawn_failed");
  JobRun bad_cwd;
  EXPECT_EQ(run(bad_cwd, {{"argv", {"pwd"}}, {"cwd", dir.file("missing")}}).error_code,
            "spawn_failed");
  JobRun not_executable;
  std::ofstream(dir.file("script")) << "#!/bin/sh\n";
  EXPECT_EQ(run(not_executable, {{"argv", {dir.file("script")}}}).error_code, "spawn_failed");
}

TEST(ExecJobTest, RefusesBadArguments) {
  for (const auto& args :
       {nlohmann::json::object(), nlohmann::json{{"argv", nlohmann::json::array()}},
        nlohmann::json{{"argv", {"echo", 1}}},
        nlohmann::json{{"argv", {"echo"}}, {"env", {{"A", 1}}}},
        nlohmann::json{{"argv", {"echo"}}, {"env", {{"A=B", "c"}}}},
        nlohmann::json{{"argv", {"echo"}}, {"cwd", 5}}}) {
    JobRun r;
    const auto outcome = run(r, args);
    EXPECT_EQ(outcome.status, "failed") << args;
    EXPECT_EQ(outcome.error_code, "invalid_args") << args;
  }
}

TEST(ExecJobTest, ResolveProgramFollowsExecvp) {
  EXPECT_EQ(resolve_program("/bin/sh", ""), "/bin/sh");
  EXPECT_EQ(resolve_program("./x", "/bin"), "./x");
  EXPECT_EQ(resolve_program("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(resolve_program("sh", "/nonexistent"), std::nullopt);
}

}  // namespace
}  // namespace berth::agent
