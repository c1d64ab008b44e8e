#include "agent/host/docker_stream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::agent::host {
namespace {

std::string frame(unsigned char stream, std::string_view payload) {
  std::string out{static_cast<char>(stream), 0, 0, 0};
  const auto size = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>((size >> 24) & 0xFF));
  out.push_back(static_cast<char>((size >> 16) & 0xFF));
  out.push_back(static_cast<char>((size >> 8) & 0xFF));
  out.push_back(static_cast<char>(size & 0xFF));
  out.append(payload);
  return out;
}

struct Collected {
  std::string out;
  std::string err;
  LogDemuxer::Sink sink() {
    return [this](std::string_view stream, std::string_view text) {
      (stream == "stderr" ? err : out).append(text);
    };
  }
};

TEST(LogDemuxer, SplitsStdoutAndStderr) {
  Collected got;
  LogDemuxer demuxer(got.sink());
  demuxer.feed(frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "bye\n") + frame(0, "in\n"));
  EXPECT_EQ(got.out, "hello\nbye\nin\n");
  EXPECT_EQ(got.err, "oops\n");
  EXPECT_FALSE(demuxer.truncated());
}

TEST(LogDemuxer, ChunksMaySplitAnywhere) {
  const std::string big(70'000, 'x');  // a frame larger than one read
  const std::string stream = frame(1, "a") + frame(2, big) + frame(1, "") + frame(1, "end");
  for (const std::size_t step :
       {std::size_t{1}, std::size_t{3}, std::size_t{8}, std::size_t{4096}}) {
    Collected got;
    LogDemuxer demuxer(got.sink());
    for (std::size_t pos = 0; pos < stream.size(); pos += step) {
      demuxer.feed(std::string_view(stream).substr(pos, step));
    }
    EXPECT_EQ(got.out, "aend") << step;
    EXPECT_EQ(got.err, big) << step;
    EXPECT_FALSE(demuxer.truncated()) << step;
  }
}

TEST(LogDemuxer, ReportsAStreamCutShort) {
  Collected got;
  LogDemuxer demuxer(got.sink());
  demuxer.feed(frame(1, "complete").substr(0, 10));
  EXPECT_EQ(got.out, "co");
  EXPECT_TRUE(demuxer.truncated());
}

TEST(PullProgress, ReportsEachLayerStatusOnceAndTheDigest) {
  std::vector<std::string> lines;
  PullProgress progress([&lines](std::string_view line) { lines.emplace_back(line); });
  const std::string stream =
      R"({"status":"Pulling from library/busybox","id":"1"})"
      "\n"
      R"({"status":"Downloading","progressDetail":{"current":1,"total":9},"id":"abc"})"
      "\n"
      R"({"status":"Downloading","progressDetail":{"current":5,"total":9},"id":"abc"})"
      "\n"
      R"({"status":"Pull complete","id":"abc"})"
      "\r\n"
      R"({"status":"Digest: sha256:0123"})"
      "\n"
      R"({"status":"Status: Downloaded newer image for busybox:1"})";
  progress.feed(stream.substr(0, 30));
  progress.feed(stream.substr(30));
  progress.finish();
  EXPECT_FALSE(progress.failed());
  EXPECT_EQ(progress.digest(), "sha256:0123");
  EXPECT_EQ(lines, (std::vector<std::string>{"1: Pulling from library/busybox", "abc: Downloading",
                                             "abc: Pull complete", "Digest: sha256:0123",
                                             "Status: Downloaded newer image for busybox:1"}));
}

TEST(PullProgress, AnErrorLineFailsThePull) {
  std::vector<std::string> lines;
  PullProgress progress([&lines](std::string_view line) { lines.emplace_back(line); });
  progress.feed(R"({"status":"Pulling fs layer","id":"abc"})"
                "\n"
                R"({"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"})"
                "\n");
  progress.finish();
  EXPECT_TRUE(progress.failed());
  EXPECT_EQ(progress.error(), "manifest unknown");
  EXPECT_EQ(lines.back(), "error: manifest unknown");
}

TEST(PullProgress, OddShapesDoNotThrow) {
  std::vector<std::string> lines;
  PullProgress progress([&lines](std::string_view line) { lines.emplace_back(line); });
  progress.feed("not json\n{\"status\":5}\n[1,2]\n{\"error\":{\"x\":1}}\n");
  progress.finish();
  EXPECT_TRUE(progress.failed());
  EXPECT_EQ(lines.front(), "not json");
}

}  // namespace
}  // namespace berth::agent::host
