// The SSE wire format, fed in awkward pieces.
#include "client/sse_parser.hpp"

#include <gtest/gtest.h>

namespace berth::client {
namespace {

std::vector<SseEvent> parse_in_pieces(const std::string& text, std::size_t piece) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& event) {
    events.push_back(event);
    return true;
  });
  for (std::size_t at = 0; at < text.size(); at += piece) {
    parser.feed(std::string_view(text).substr(at, piece));
  }
  return events;
}

TEST(SseParser, ReadsEventsWhateverTheChunkingAndLineEnds) {
  const std::string text =
      ": heartbeat\r\nid: 5\r\nevent: step\r\ndata: {\"a\":1}\r\n\r\n"
      "data: line one\ndata: line two\n\n"
      "id: 6\revent: done\rdata:x\r\r";
  for (const std::size_t piece : {1UL, 2UL, 7UL, 1000UL}) {
    const auto events = parse_in_pieces(text, piece);
    ASSERT_EQ(events.size(), 3U) << "piece " << piece;
    EXPECT_EQ(events[0].id, "5");
    EXPECT_EQ(events[0].event, "step");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].id, "5") << "the last id persists";
    EXPECT_EQ(events[1].event, "message");
    EXPECT_EQ(events[1].data, "line one\nline two");
    EXPECT_EQ(events[2].id, "6");
    EXPECT_EQ(events[2].event, "done");
    EXPECT_EQ(events[2].data, "x");
  }
}

TEST(SseParser, StopsWhenTheHandlerSaysSo) {
  int calls = 0;
  SseParser parser([&](const SseEvent&) {
    ++calls;
    return false;
  });
  EXPECT_FALSE(parser.feed("data: 1\n\ndata: 2\n\n"));
  EXPECT_FALSE(parser.feed("data: 3\n\n"));
  EXPECT_EQ(calls, 1);
}

TEST(SseParser, AnEventWithoutDataIsNotDispatched) {
  int calls = 0;
  SseParser parser([&](const SseEvent&) { return ++calls > 0; });
  parser.feed("event: ping\n\nid: 9\n\n");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(parser.last_id(), "9");
}

}  // namespace
}  // namespace berth::client
