// git.fetch against a real bare repository on disk (file:// URL) with the real git.

#include "agent/host/git_job.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "process_helper.hpp"
#include "support/temp_dir.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using testing::have_program;
using testing::run_program;

class Output : public JobOutput {
 public:
  void write(std::string_view, std::string_view text) override {
    std::lock_guard lock(mutex_);
    text_.append(text);
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  std::mutex mutex_;
  std::string text_;
};

class GitFetch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_program("git")) {
      GTEST_SKIP() << "git is not installed (scripts/install-deps)";
    }
    std::filesystem::create_directories(work_);
    std::filesystem::create_directories(state_);
    const std::vector<std::string> identity = {
        "GIT_AUTHOR_NAME=Berth Test",    "GIT_AUTHOR_EMAIL=test@berth.invalid",
        "GIT_COMMITTER_NAME=Berth Test", "GIT_COMMITTER_EMAIL=test@berth.invalid",
        "GIT_CONFIG_NOSYSTEM=1",         "HOME=" + dir_.path().string()};
    ASSERT_EQ(run_program({"git", "init", "-q", "--bare", "-b", "main", bare_}, identity), 0);
    ASSERT_EQ(run_program({"git", "init", "-q", "-b", "main", clone_}, identity), 0);
    std::ofstream(clone_ + "/Dockerfile") << "FROM berth-test/busybox:1\n";
    ASSERT_EQ(run_program({"git", "-C", clone_, "add", "Dockerfile"}, identity), 0);
    ASSERT_EQ(run_program({"git", "-C", clone_, "commit", "-q", "-m", "first"}, identity), 0);
    ASSERT_EQ(run_program({"git", "-C", clone_, "tag", "v1"}, identity), 0);
    ASSERT_EQ(run_program({"git", "-C", clone_, "push", "-q", bare_, "main", "v1"}, identity), 0);
    const std::string head = dir_.file("head");
    ASSERT_EQ(run_program({"git", "-C", clone_, "rev-parse", "HEAD"}, identity, head), 0);
    std::ifstream(head) >> commit_;
  }

  JobOutcome fetch(json args) {
    JobContext job{.job_id = "job_git",
                   .kind = "git.fetch",
                   .args = std::move(args),
                   .timeout = std::chrono::milliseconds(60'000),
                   .output = output_,
                   .cancelled = cancelled_};
    return run_git_fetch(job, {.work_dir = work_, .state_dir = state_, .git_program = {}});
  }

  berth::testing::TempDir dir_;
  std::string bare_ = dir_.file("app.git");
  std::string clone_ = dir_.file("clone");
  std::string work_ = dir_.file("work");
  std::string state_ = dir_.file("state");
  std::string commit_;
  Output output_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(GitFetch, ChecksOutABranchATagAndACommit) {
  ASSERT_EQ(commit_.size(), 40u);
  for (const std::string& ref : {std::string("main"), std::string("v1"), commit_}) {
    const auto outcome = fetch({{"repository", "file://" + bare_}, {"ref", ref}, {"dir", "app"}});
    ASSERT_EQ(outcome.status, "succeeded") << ref << ": " << outcome.error_message << "\n"
                                           << output_.text();
    EXPECT_EQ(outcome.result["commit"], commit_);
    EXPECT_EQ(outcome.result["dir"], work_ + "/app");
    EXPECT_TRUE(std::filesystem::exists(work_ + "/app/Dockerfile"));
  }
}

TEST_F(GitFetch, AnUnknownRefFailsAndNamesTheStep) {
  const auto outcome =
      fetch({{"repository", "file://" + bare_}, {"ref", "no-such-branch"}, {"dir", "app"}});
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "git_failed");
  EXPECT_NE(outcome.error_message.find("fetch"), std::string::npos);
}

TEST_F(GitFetch, OptionLikeRefsAndUrlsNeverReachGit) {
  const std::string marker = dir_.file("pwned");
  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"ref", "--upload-pack=touch " + marker},
           {"repository", "--upload-pack=touch " + marker},
           {"repository", "ext::sh -c touch% " + marker},
           {"ref", "main;touch " + marker},
           {"ref", "$(touch " + marker + ")"}}) {
    json args = {{"repository", "file://" + bare_}, {"ref", "main"}, {"dir", "app"}};
    args[field] = value;
    const auto outcome = fetch(args);
    EXPECT_EQ(outcome.error_code, "invalid_args") << value;
  }
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_FALSE(std::filesystem::exists(work_ + "/app"));
}

TEST_F(GitFetch, TheDeployKeyFileIsGoneAfterwards) {
  const auto outcome =
      fetch({{"repository", "file://" + bare_},
             {"ref", "main"},
             {"dir", "app"},
             {"deploy_key",
              "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----"}});
  EXPECT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_FALSE(std::filesystem::exists(state_ + "/git-key-job_git"));
}

}  // namespace
}  // namespace berth::agent::host
