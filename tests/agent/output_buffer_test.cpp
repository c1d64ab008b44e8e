// The output buffer: seq numbering, per-chunk acks, bounds with the drop marker, re-sends.

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

TEST(OutputBufferTest, AcksArePerChunkAndUnackedChunksAreResentInOrder) {
  OutputBuffer buffer;
  for (int i = 1; i <= 5; ++i) {
    buffer.write("job_1", i % 2 == 0 ? "stderr" : "stdout", std::to_string(i));
    buffer.cut_all();
  }
  EXPECT_EQ(seqs(buffer.take_unsent()), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  // berthd refused 1 and 4 (it was busy) and stored the others: a later ack covers no other.
  buffer.ack_log("job_1", 3);
  buffer.ack_log("job_1", 2);
  buffer.ack_log("job_1", 5);
  buffer.ack_log("job_1", 5);  // a re-sent chunk berthd already had: harmless
  EXPECT_TRUE(buffer.take_unsent().empty());
  buffer.mark_all_unsent();  // reconnect
  EXPECT_EQ(seqs(buffer.take_unsent()), (std::vector<std::uint64_t>{1, 4}));
  buffer.ack_log("job_1", 1);
  buffer.ack_log("job_1", 4);
  EXPECT_EQ(buffer.held_bytes(), 0U);
}

TEST(OutputBufferTest, FramesUnackedPastTheDelayAreSentAgainOnTheSameConnection) {
  OutputBuffer buffer;
  const TimePoint start = TimePoint{} + std::chrono::hours(1);
  int ids = 0;
  const auto next_id = [&ids] { return "f" + std::to_string(++ids); };
  buffer.write("job_1", "stdout", "a");
  buffer.cut_all();
  buffer.write("job_1", "stdout", "b");
  buffer.cut_all();
  EXPECT_EQ(seqs(buffer.take_unsent(start, 10, next_id)), (std::vector<std::uint64_t>{1, 2}));
  buffer.ack_log("job_1", 2);
  EXPECT_TRUE(buffer.resend_overdue(start + std::chrono::seconds(4), std::chrono::seconds(5)));
  EXPECT_FALSE(buffer.has_unsent());
  buffer.resend_overdue(start + std::chrono::seconds(5), std::chrono::seconds(5));
  const auto again = buffer.take_unsent(start + std::chrono::seconds(5), 10, next_id);
  EXPECT_EQ(seqs(again), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(again.at(0).id, "f3");  // a new frame: berthd answers it by this id
}

TEST(OutputBufferTest, TakeUnsentGivesAtMostTheFramesAskedForOldestFirst) {
  OutputBuffer buffer;
  for (const char* job : {"job_b", "job_a", "job_b"}) {
    buffer.write(job, "stdout", "x");
    buffer.cut_all();
  }
  int ids = 0;
  const auto next_id = [&ids] { return std::to_string(++ids); };
  auto first = buffer.take_unsent(TimePoint{}, 2, next_id);
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0].payload["job_id"], "job_b");
  EXPECT_EQ(first[1].payload["job_id"], "job_a");
  EXPECT_TRUE(buffer.has_unsent());
  EXPECT_EQ(buffer.take_unsent(TimePoint{}, 2, next_id).size(), 1U);
  EXPECT_FALSE(buffer.has_unsent());
}

TEST(OutputBufferTest, JobDoneGoesOnceEveryChunkIsStoredAndStaysUntilAcked) {
  OutputBuffer buffer;
  buffer.write("job_1", "stdout", "out");
  const auto last_seq = buffer.close_job("job_1");
  EXPECT_EQ(last_seq, 1U);
  buffer.add_job_done({{"job_id", "job_1"}, {"status", "succeeded"}, {"last_seq", last_seq}});
  EXPECT_EQ(buffer.unacked_job_ids(), (std::vector<std::string>{"job_1"}));
  auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);  // the output first; the end waits until it is stored
  EXPECT_EQ(frames[0].type, "log");

  EXPECT_TRUE(buffer.ack_log("job_1", 1));  // the job_done may go now
  frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].type, "job_done");
  buffer.mark_all_unsent();
  frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);  // the job_done again, after every reconnect
  EXPECT_EQ(frames[0].type, "job_done");
  buffer.ack_job_done("job_1");
  buffer.mark_all_unsent();
  EXPECT_TRUE(buffer.take_unsent().empty());
  EXPECT_TRUE(buffer.unacked_job_ids().empty());
}

TEST(OutputBufferTest, AChunkRefusedForGoodIsDroppedAndNoLongerHoldsTheJobDone) {
  OutputBuffer buffer;
  buffer.write("job_1", "stdout", "late");
  buffer.add_job_done({{"job_id", "job_1"}, {"last_seq", buffer.close_job("job_1")}});
  const auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_FALSE(buffer.refused("no-such-frame"));
  EXPECT_TRUE(buffer.refused(frames[0].id));
  const auto next = buffer.take_unsent();
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].type, "job_done");
}

TEST(OutputBufferTest, ResendPutsAllLogsBeforeJobDonesInFinishOrder) {
  OutputBuffer buffer;
  buffer.write("job_b", "stdout", "b");
  buffer.add_job_done({{"job_id", "job_b"}, {"last_seq", buffer.close_job("job_b")}});
  buffer.write("job_a", "stdout", "a");
  buffer.add_job_done({{"job_id", "job_a"}, {"last_seq", buffer.close_job("job_a")}});
  buffer.add_job_done({{"job_id", "job_c"}, {"last_seq", 0}});
  buffer.take_unsent();
  buffer.mark_all_unsent();
  auto frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].payload["job_id"], "job_b");
  EXPECT_EQ(frames[1].payload["job_id"], "job_a");
  EXPECT_EQ(frames[2].type, "job_done");  // job_c has no output to wait for
  buffer.ack_log("job_a", 1);
  buffer.ack_log("job_b", 1);
  frames = buffer.take_unsent();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].payload["job_id"], "job_b");
  EXPECT_EQ(frames[1].payload["job_id"], "job_a");
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
