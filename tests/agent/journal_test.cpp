// The job journal: what survives a crash decides whether a re-sent cmd runs again.

#include "agent/journal.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace berth::agent {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json done(const std::string& id, const std::string& status = "succeeded") {
  return {{"job_id", id}, {"status", status}, {"last_seq", 3}};
}

class JournalTest : public ::testing::Test {
 protected:
  Journal open(std::vector<nlohmann::json>* lost = nullptr, std::size_t max_jobs = 2000) {
    auto journal = Journal::open({.path = dir_.file("journal"), .max_jobs = max_jobs}, lost);
    EXPECT_TRUE(journal.has_value()) << journal.error().internal_detail;
    return std::move(*journal);
  }
  testing::TempDir dir_;
};

TEST_F(JournalTest, RecordsStartedAndFinishedJobs) {
  auto journal = open();
  EXPECT_EQ(journal.state("job_1"), std::nullopt);
  ASSERT_TRUE(journal.record_started("job_1"));
  EXPECT_EQ(journal.state("job_1"), Journal::State::started);
  ASSERT_TRUE(journal.record_finished("job_1", done("job_1")));
  EXPECT_EQ(journal.state("job_1"), Journal::State::finished);
  EXPECT_EQ(journal.job_done("job_1"), done("job_1"));
  EXPECT_EQ(read_text(dir_.file("journal")),
            "started job_1\nfinished job_1 " + done("job_1").dump() + "\n");
}

TEST_F(JournalTest, ReopenKeepsFinishedJobsAndTheirJobDone) {
  {
    auto journal = open();
    ASSERT_TRUE(journal.record_started("job_1"));
    ASSERT_TRUE(journal.record_finished("job_1", done("job_1", "failed")));
  }
  std::vector<nlohmann::json> lost;
  auto journal = open(&lost);
  EXPECT_TRUE(lost.empty());
  EXPECT_EQ(journal.state("job_1"), Journal::State::finished);
  EXPECT_EQ(journal.job_done("job_1")->at("status"), "failed");
}

TEST_F(JournalTest, JobsStartedButNotFinishedAreLostAfterARestart) {
  {
    auto journal = open();
    ASSERT_TRUE(journal.record_started("job_a"));
    ASSERT_TRUE(journal.record_started("job_b"));
    ASSERT_TRUE(journal.record_finished("job_a", done("job_a")));
    ASSERT_TRUE(journal.record_started("job_c"));
  }
  std::vector<nlohmann::json> lost;
  auto journal = open(&lost);
  ASSERT_EQ(lost.size(), 2U);
  EXPECT_EQ(lost[0]["job_id"], "job_b");
  EXPECT_EQ(lost[1]["job_id"], "job_c");
  EXPECT_EQ(lost[0]["status"], "lost");
  EXPECT_EQ(lost[0]["error"]["code"], "agent_restarted");
  EXPECT_TRUE(lost[0]["exit_code"].is_null());
  EXPECT_EQ(journal.state("job_b"), Journal::State::finished);
  EXPECT_EQ(journal.job_done("job_c")->at("status"), "lost");

  // Recorded: a second restart does not report them again.
  std::vector<nlohmann::json> lost_again;
  auto reopened = open(&lost_again);
  EXPECT_TRUE(lost_again.empty());
  EXPECT_EQ(reopened.job_done("job_b")->at("status"), "lost");
}

TEST_F(JournalTest, ATornOrCorruptLineIsSkipped) {
  {
    std::ofstream out(dir_.file("journal"));
    out << "started job_1\n"
        << "finished job_1 " << done("job_1").dump() << "\n"
        << "garbage line\n"
        << "finished job_2 {not json\n"
        << "started job_3\n"
        << "finished job_3 {\"job_id\":\"job_3\",\"sta";  // torn by a crash
  }
  std::vector<nlohmann::json> lost;
  auto journal = open(&lost);
  EXPECT_EQ(journal.state("job_1"), Journal::State::finished);
  EXPECT_EQ(journal.state("job_2"), std::nullopt);
  ASSERT_EQ(lost.size(), 1U);
  EXPECT_EQ(lost[0]["job_id"], "job_3");
  // New records land on a clean line.
  ASSERT_TRUE(journal.record_started("job_4"));
  std::vector<nlohmann::json> lost_again;
  auto reopened = open(&lost_again);
  ASSERT_EQ(lost_again.size(), 1U);  // job_4's start was read back from a clean line
  EXPECT_EQ(lost_again[0]["job_id"], "job_4");
  EXPECT_EQ(reopened.job_done("job_3")->at("status"), "lost");
}

TEST_F(JournalTest, KeepsOnlyTheNewestJobsAndNeverARunningOne) {
  auto journal = open(nullptr, 8);
  ASSERT_TRUE(journal.record_started("job_running"));
  for (int i = 0; i < 40; ++i) {
    const std::string id = "job_" + std::to_string(i);
    ASSERT_TRUE(journal.record_started(id));
    ASSERT_TRUE(journal.record_finished(id, done(id)));
  }
  EXPECT_LE(journal.size(), 10U);  // compacts at a quarter over the bound
  EXPECT_EQ(journal.state("job_running"), Journal::State::started);
  EXPECT_EQ(journal.state("job_39"), Journal::State::finished);
  EXPECT_EQ(journal.state("job_0"), std::nullopt);

  // The file itself is bounded too, and what it holds reads back the same.
  std::istringstream lines(read_text(dir_.file("journal")));
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line);) {
    ++count;
  }
  EXPECT_LE(count, 20U);
  std::vector<nlohmann::json> lost;
  auto reopened = open(&lost, 8);
  EXPECT_EQ(reopened.job_done("job_39"), done("job_39"));
  ASSERT_EQ(lost.size(), 1U);
  EXPECT_EQ(lost[0]["job_id"], "job_running");
  EXPECT_LE(reopened.size(), 8U);
}

TEST_F(JournalTest, FileIsPrivate) {
  auto journal = open();
  ASSERT_TRUE(journal.record_started("job_1"));
  const auto perms = std::filesystem::status(dir_.file("journal")).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace
}  // namespace berth::agent
