// What output berthd keeps for a job, whatever its agent sends: nothing for a job the agent was
// never given, nothing past the chunks a finished job's job_done counted, and at most the cap
// per job (then one marker). A compromised agent cannot fill berthd's disk through a job.
#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"

namespace berth::testing {
namespace {

class JobOutputTest : public DeployTest {
 protected:
  JobOutputTest() { fleet_.policy.max_job_output_bytes = 20; }

  JobRecord running_job() {
    auto job =
        jobs_.create_internal(team_, server_.id, "exec", nlohmann::json::object(), owner_.id);
    EXPECT_TRUE(job.has_value());
    return job.value_or(JobRecord{});
  }

  Result<bool> send(const std::string& job_id, std::int64_t seq, std::string text) {
    return ledger_.append_output(server_.id, JobOutputChunk{.job_id = job_id,
                                                            .seq = seq,
                                                            .stream = "stdout",
                                                            .text = std::move(text),
                                                            .at = clock_.now()});
  }

  std::vector<JobOutputChunk> stored(const std::string& job_id) {
    return read_value<std::vector<JobOutputChunk>>(
               *store_, [&](Tx& tx) { return tx.list_job_output(job_id, 0, 100); })
        .value_or(std::vector<JobOutputChunk>{});
  }
};

TEST_F(JobOutputTest, OutputPastTheCapIsCutWithOneMarkerAndThenDropped) {
  const JobRecord job = running_job();
  EXPECT_EQ(send(job.id, 1, "0123456789").value_or(false), true);
  EXPECT_EQ(send(job.id, 2, "0123456789ABCDEF").value_or(false), true);  // crosses the cap
  EXPECT_EQ(send(job.id, 3, "more").value_or(true), false);              // acknowledged, not kept
  EXPECT_EQ(send(job.id, 4, "and more").value_or(true), false);
  const auto chunks = stored(job.id);
  ASSERT_EQ(chunks.size(), 2U);
  EXPECT_EQ(chunks[0].text, "0123456789");
  EXPECT_EQ(chunks[1].stream, "system");
  EXPECT_NE(chunks[1].text.find("output truncated"), std::string::npos);
}

TEST_F(JobOutputTest, AFinishedJobTakesOnlyTheChunksItsJobDoneCounted) {
  const JobRecord job = running_job();
  EXPECT_EQ(send(job.id, 1, "one\n").value_or(false), true);
  ASSERT_TRUE(
      ledger_.finish(server_.id, job.id, JobEnd{.status = "succeeded", .last_seq = 3}).has_value());
  // Chunks 2 and 3 were refused once and come again after a reconnect: still welcome.
  EXPECT_EQ(send(job.id, 3, "three\n").value_or(false), true);
  EXPECT_EQ(send(job.id, 2, "two\n").value_or(false), true);
  // Anything past them is a flood into a finished job.
  auto flood = send(job.id, 4, "flood\n");
  ASSERT_FALSE(flood.has_value());
  EXPECT_EQ(flood.error().code, "output_refused");
  EXPECT_EQ(stored(job.id).size(), 3U);
}

TEST_F(JobOutputTest, AJobNeverDispatchedTakesNoOutput) {
  auto queued =
      jobs_.submit_system("job_queued", team_, server_.id,
                          NewJob{.kind = "exec", .args = {{"argv", {"true"}}}}, owner_.id);
  ASSERT_TRUE(queued.has_value()) << queued.error().message;
  auto early = send(queued->id, 1, "output before dispatch\n");
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code, "output_refused");
  EXPECT_TRUE(stored(queued->id).empty());
}

class ServerOutputTest : public JobOutputTest {
 protected:
  ServerOutputTest() {
    fleet_.policy.max_job_output_bytes = 10'000;
    fleet_.policy.max_server_output_bytes = 1000;  // each pruned job keeps a ~150-byte line
  }

  JobRecord finished_job(const std::string& text) {
    const JobRecord job = running_job();
    EXPECT_EQ(send(job.id, 1, text).value_or(false), true);
    EXPECT_TRUE(ledger_.finish(server_.id, job.id, JobEnd{.status = "succeeded", .last_seq = 1})
                    .has_value());
    clock_.advance(std::chrono::seconds(1));
    return job;
  }
};

// The server's cap: the oldest finished jobs' output makes room, one whole job at a time, and
// each keeps a line saying so; when only running jobs hold the output, new chunks are dropped.
TEST_F(ServerOutputTest, TheOldestFinishedJobsOutputMakesRoomForNewOutput) {
  const JobRecord oldest = finished_job(std::string(400, 'a'));
  const JobRecord newer = finished_job(std::string(400, 'b'));
  const JobRecord running = running_job();
  EXPECT_EQ(send(running.id, 1, std::string(300, 'c')).value_or(false), true);  // 1100 > 1000
  ASSERT_EQ(stored(oldest.id).size(), 1U);
  EXPECT_EQ(stored(oldest.id)[0].stream, "system");
  EXPECT_NE(stored(oldest.id)[0].text.find("output pruned"), std::string::npos);
  EXPECT_EQ(stored(newer.id).at(0).text, std::string(400, 'b'));
  EXPECT_EQ(stored(running.id).at(0).text, std::string(300, 'c'));

  // The newer job goes next; once only the running job is left, its output is dropped.
  EXPECT_EQ(send(running.id, 2, std::string(250, 'd')).value_or(false), true);
  EXPECT_EQ(stored(newer.id).at(0).stream, "system");
  EXPECT_EQ(send(running.id, 3, std::string(300, 'e')).value_or(true), false);
  EXPECT_EQ(stored(running.id).size(), 2U);
}

}  // namespace
}  // namespace berth::testing
