// The SSE replay reads the store one batch at a time and only once the client has taken the
// previous batch: a stream never holds more than one batch, however much output is stored.
#include "api/event_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "domain/kernel/in_process_event_hub.hpp"

namespace berth::api {
namespace {

// Stands in for the HTTP server: keeps what is written and "drains" only when told to.
class FakeWriter final : public http::StreamWriter {
 public:
  bool write(std::string bytes) override {
    frames.push_back(std::move(bytes));
    return !gone;
  }
  void finish() override { finished = true; }
  bool closed() const override { return gone || finished; }
  void when_drained(std::function<void()> next) override { waiting = std::move(next); }

  // The client read everything: runs the stream's next step.
  bool drain() {
    if (!waiting) {
      return false;
    }
    std::exchange(waiting, nullptr)();
    return true;
  }

  std::vector<std::string> frames;
  std::function<void()> waiting;
  bool finished = false;
  bool gone = false;
};

struct Item {
  std::int64_t seq;
};

// A store of `total` items with seqs 1..total that counts its reads and the items it returned.
struct FakeStore {
  std::int64_t total = 0;
  int reads = 0;
  std::int64_t handed_out = 0;

  Result<std::vector<Item>> read(std::int64_t after, std::int64_t limit) {
    ++reads;
    std::vector<Item> items;
    for (std::int64_t seq = after + 1; seq <= total && seq <= after + limit; ++seq) {
      items.push_back(Item{seq});
    }
    handed_out += static_cast<std::int64_t>(items.size());
    return items;
  }
};

HubMessage to_message(const Item& item) {
  return HubMessage{.event = "output", .id = item.seq, .data = {{"seq", item.seq}}};
}

std::shared_ptr<FakeWriter> start(EventStreamSpec spec) {
  auto response = event_stream_response(std::move(spec));
  auto writer = std::make_shared<FakeWriter>();
  response.stream->start(writer);
  return writer;
}

EventStreamSpec spec_over(InProcessEventHub& hub, FakeStore& store, std::int64_t batch) {
  return EventStreamSpec{
      .hub = &hub,
      .topic = "job:j1",
      .after_id = 0,
      .replay = replay_in_batches(
          batch,
          [&store](std::int64_t after, std::int64_t limit) { return store.read(after, limit); },
          to_message),
      .ended = [] { return std::optional<HubMessage>(HubMessage{.event = "done", .id = 0}); },
      .is_final = {},
      .on_end = {}};
}

TEST(ReplayInBatches, ReadsOneBatchPerCallAndNothingAhead) {
  FakeStore store{.total = 25};
  auto replay = replay_in_batches(
      10, [&store](std::int64_t after, std::int64_t limit) { return store.read(after, limit); },
      to_message);
  EXPECT_EQ(store.reads, 0);
  auto first = replay(0);
  ASSERT_TRUE(first);
  EXPECT_EQ(store.reads, 1);
  EXPECT_EQ(first->messages.size(), 10U);
  EXPECT_TRUE(first->more);
  auto last = replay(20);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->messages.size(), 5U);
  EXPECT_EQ(last->messages.front().id, 21);
  EXPECT_FALSE(last->more);
}

TEST(EventStreamReplay, ReadsTheNextBatchOnlyWhenTheClientTookThePrevious) {
  InProcessEventHub hub;
  FakeStore store{.total = 2'500};
  auto writer = start(spec_over(hub, store, 100));
  int batches = 1;
  for (;;) {
    // Until the writer drains, the stream holds exactly the batch it wrote and reads nothing.
    EXPECT_EQ(store.reads, batches);
    EXPECT_EQ(store.handed_out, std::min<std::int64_t>(batches * 100, 2'500));
    EXPECT_GE(static_cast<std::int64_t>(writer->frames.size()), store.handed_out);
    if (!writer->drain()) {
      break;
    }
    ++batches;
  }
  EXPECT_EQ(batches, 26);                    // 25 full batches, then an empty one ends the replay
  ASSERT_EQ(writer->frames.size(), 2'501U);  // every item, then the closing "done"
  EXPECT_EQ(writer->frames[0], "id: 1\nevent: output\ndata: {\"seq\":1}\n\n");
  EXPECT_EQ(writer->frames[2'499], "id: 2500\nevent: output\ndata: {\"seq\":2500}\n\n");
  EXPECT_TRUE(writer->finished);
}

TEST(EventStreamReplay, StopsReadingWhenTheClientIsGone) {
  InProcessEventHub hub;
  FakeStore store{.total = 1'000};
  bool ended = false;
  auto spec = spec_over(hub, store, 100);
  spec.on_end = [&ended] { ended = true; };
  auto writer = start(std::move(spec));
  writer->gone = true;
  EXPECT_TRUE(writer->drain());
  EXPECT_EQ(store.reads, 1);
  EXPECT_TRUE(ended);
  EXPECT_FALSE(writer->drain());
}

TEST(EventStreamReplay, LiveMessagesDuringTheReplayFollowItOnceInOrder) {
  InProcessEventHub hub;
  FakeStore store{.total = 150};
  auto spec = spec_over(hub, store, 100);
  spec.ended = {};
  auto writer = start(std::move(spec));
  // 120 is also stored (the pages bring it); 151 is not yet: it is held for after the replay.
  hub.publish("job:j1", HubMessage{.event = "output", .id = 120, .data = {{"seq", 120}}});
  hub.publish("job:j1", HubMessage{.event = "output", .id = 151, .data = {{"seq", 151}}});
  while (writer->drain()) {
  }
  ASSERT_EQ(writer->frames.size(), 151U);
  EXPECT_EQ(writer->frames[119], "id: 120\nevent: output\ndata: {\"seq\":120}\n\n");
  EXPECT_EQ(writer->frames[150], "id: 151\nevent: output\ndata: {\"seq\":151}\n\n");
  hub.publish("job:j1", HubMessage{.event = "output", .id = 152, .data = {{"seq", 152}}});
  EXPECT_EQ(writer->frames.size(), 152U);
  writer->gone = true;
  hub.publish("job:j1", HubMessage{.event = "output", .id = 153, .data = {{"seq", 153}}});
}

}  // namespace
}  // namespace berth::api
