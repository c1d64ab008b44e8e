// The output buffer: seq numbering, cumulative acks, bounds with the drop marker, re-sends.

#include "agent/output_buffer.hpp"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

std::vector<std::uint64_t> seqs(const std::vector<OutputBuffer::Frame>& frames) {
  std::vector<std::uint64_t> out;
  for (const auto& frame : frames) {
    if (frame.type == "log") {
      out.push_back(frame.payload["seq"].get<std::uint64_t>());
    }
  }
  return out;
}

TEST(OutputBufferTest, CoalescesUntilCutAndNumbersFromOneAcrossStreams) {
  OutputBuffer buffer;
  EXPECT_FALSE(buffer.write("job_1", "stdout", "a"));
  EXPECT_FALSE(buffer.write("job_1", "stdout", "b"));
  EXPECT_TRUE(buffer.take_unsent().empty());          // nothing cut yet
  EXPECT_TRUE(buffer.write("job_1", "stderr", "c"));  // a stream change cuts "ab"
  buffer.cut_all();
  const auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(
      frames[0].payload,
      (nlohmann::json{{"job_id", "job_1"}, {"stream", "stdout"}, {"seq", 1}, {"text", "ab"}}));
  EXPECT_EQ(frames[1].payload["stream"], "stderr");
  EXPECT_EQ(frames[1].payload["seq"], 2);
  EXPECT_EQ(frames[1].payload["text"], "c");
  EXPECT_TRUE(buffer.take_unsent().empty());  // sent once per connection
}

TEST(OutputBufferTest, SeqIsPerJob) {
  OutputBuffer buffer;
  buffer.write("job_a", "stdout", "1");
  buffer.write("job_b", "stdout", "1");
  buffer.cut_all();
  buffer.write("job_a", "stdout", "2");
  buffer.cut_all();
  std::map<std::string, std::vector<int>> by_job;
  for (const auto& frame : buffer.take_unsent()) {
    by_job[frame.payload["job_id"]].push_back(frame.payload["seq"]);
  }
  EXPECT_EQ(by_job["job_a"], (std::vector<int>{1, 2}));
  EXPECT_EQ(by_job["job_b"], (std::vector<int>{1}));
}

TEST(OutputBufferTest, ChunksAreCutAtTheFrameLimitWithoutSplittingACharacter) {
  OutputBuffer buffer({.per_job_bytes = 1 << 20, .total_bytes = 1 << 20, .chunk_bytes = 8});
  // "é" is two bytes: 7 ASCII bytes and then é would straddle the 8-byte cut.
  EXPECT_TRUE(buffer.write("job_1", "stdout", "abcdefg\xc3\xa9xyz"));
  buffer.cut_all();
  const auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].payload["text"], "abcdefg");
  EXPECT_EQ(frames[1].payload["text"], "\xc3\xa9xyz");
}

TEST(OutputBufferTest, PeriodicCutKeepsAnIncompleteCharacterPending) {
  OutputBuffer buffer;
  buffer.write("job_1", "stdout", "ab\xe2\x82");  // the first two bytes of "€"
  buffer.cut_all();
  auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].payload["text"], "ab");
  buffer.write("job_1", "stdout", "\xac");
  buffer.cut_all();
  frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].payload["text"], "\xe2\x82\xac");
}

TEST(OutputBufferTest, AcksAreCumulativeAndUnackedChunksAreResentInOrder) {
  OutputBuffer buffer;
  for (int i = 1; i <= 5; ++i) {
    buffer.write("job_1", i % 2 == 0 ? "stderr" : "stdout", std::to_string(i));
    buffer.cut_all();
  }
  EXPECT_EQ(seqs(buffer.take_unsent()), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  buffer.ack_log("job_1", 3);
  buffer.ack_log("job_1", 2);  // late, out of order: harmless
  EXPECT_TRUE(buffer.take_unsent().empty());
  buffer.mark_all_unsent();  // reconnect
  EXPECT_EQ(seqs(buffer.take_unsent()), (std::vector<std::uint64_t>{4, 5}));
  buffer.ack_log("job_1", 5);
  EXPECT_EQ(buffer.held_bytes(), 0U);
}

TEST(OutputBufferTest, JobDoneFollowsTheJobsOutputAndStaysUntilAcked) {
  OutputBuffer buffer;
  buffer.write("job_1", "stdout", "out");
  const auto last_seq = buffer.close_job("job_1");
  EXPECT_EQ(last_seq, 1U);
  buffer.add_job_done({{"job_id", "job_1"}, {"status", "succeeded"}, {"last_seq", last_seq}});
  EXPECT_EQ(buffer.unacked_job_ids(), (std::vector<std::string>{"job_1"}));
  auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].type, "log");
  EXPECT_EQ(frames[1].type, "job_done");

  buffer.ack_log("job_1", 1);
  buffer.mark_all_unsent();
  frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);  // the job_done again, after every reconnect
  EXPECT_EQ(frames[0].type, "job_done");
  buffer.ack_job_done("job_1");
  buffer.mark_all_unsent();
  EXPECT_TRUE(buffer.take_unsent().empty());
  EXPECT_TRUE(buffer.unacked_job_ids().empty());
}

TEST(OutputBufferTest, ResendPutsAllLogsBeforeJobDonesInFinishOrder) {
  OutputBuffer buffer;
  buffer.write("job_b", "stdout", "b");
  buffer.add_job_done({{"job_id", "job_b"}, {"last_seq", buffer.close_job("job_b")}});
  buffer.write("job_a", "stdout", "a");
  buffer.add_job_done({{"job_id", "job_a"}, {"last_seq", buffer.close_job("job_a")}});
  buffer.take_unsent();
  buffer.mark_all_unsent();
  const auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 4U);
  EXPECT_EQ(frames[0].type, "log");
  EXPECT_EQ(frames[1].type, "log");
  EXPECT_EQ(frames[2].payload["job_id"], "job_b");
  EXPECT_EQ(frames[3].payload["job_id"], "job_a");
}

TEST(OutputBufferTest, PerJobBoundDropsTheOldestChunksAndSaysSo) {
  OutputBuffer buffer({.per_job_bytes = 10, .total_bytes = 1000, .chunk_bytes = 4});
  buffer.write("job_1", "stdout", "aaaabbbbccccdddd");  // 4 chunks of 4: 16 > 10
  EXPECT_LE(buffer.held_bytes("job_1"), 10U);
  buffer.cut_all();
  const auto frames = buffer.take_unsent();
  ASSERT_FALSE(frames.empty());
  // The newest output survives, then the marker counts what went.
  EXPECT_EQ(frames.front().payload["text"], "cccc");
  EXPECT_EQ(frames.front().payload["seq"], 3);
  const auto& marker = frames.back().payload;
  EXPECT_EQ(marker["stream"], "system");
  EXPECT_EQ(marker["text"], "[berth-agent] 8 bytes of output were dropped (buffer bound)\n");
  EXPECT_EQ(marker["seq"], 5);
}

TEST(OutputBufferTest, TotalBoundDropsTheOldestChunkOfAnyJob) {
  OutputBuffer buffer({.per_job_bytes = 100, .total_bytes = 12, .chunk_bytes = 4});
  buffer.write("job_old", "stdout", "oooo");
  buffer.write("job_new", "stdout", "nnnnnnnn");
  EXPECT_LE(buffer.held_bytes(), 12U);
  buffer.write("job_new", "stdout", "mmmm");  // over the total: job_old's chunk is the oldest
  EXPECT_LE(buffer.held_bytes(), 12U);
  EXPECT_EQ(buffer.held_bytes("job_new"), 12U);
  buffer.cut_all();
  bool old_marker = false;
  for (const auto& frame : buffer.take_unsent()) {
    if (frame.payload["job_id"] == "job_old") {
      EXPECT_EQ(frame.payload["stream"], "system");
      old_marker = true;
    }
  }
  EXPECT_TRUE(old_marker);
}

TEST(OutputBufferTest, AckForAJobDoneOfARunningJobKeepsItsOutput) {
  OutputBuffer buffer;
  buffer.write("job_1", "stdout", "x");
  buffer.ack_job_done("job_1");
  EXPECT_EQ(buffer.held_bytes("job_1"), 1U);
}

TEST(OutputBufferTest, Utf8CutPoint) {
  EXPECT_EQ(utf8_cut_point("abc", 10), 3U);
  EXPECT_EQ(utf8_cut_point("abc", 2), 2U);
  EXPECT_EQ(utf8_cut_point("a\xe2\x82\xac", 3), 1U);
  EXPECT_EQ(utf8_cut_point("a\xe2\x82\xac", 4), 4U);
  EXPECT_EQ(utf8_cut_point("\xe2\x82", 2), 2U);  // nothing before it: cut as it is
  EXPECT_EQ(utf8_cut_point("\xff\xfe", 2), 2U);  // not UTF-8: cut anywhere
}

}  // namespace
}  // namespace berth::agent
