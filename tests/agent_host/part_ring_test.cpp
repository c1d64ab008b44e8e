// PartRing: the backup's bytes between the encoder and the part uploads, in about one part of
// memory.
#include "agent/host/part_ring.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace berth::agent::host {
namespace {

std::string pattern(std::size_t size, std::size_t from) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<char>('a' + (from + i) % 26);
  }
  return bytes;
}

// Reads every part the ring gives, in reads of `chunk` bytes.
std::vector<std::string> read_parts(PartRing& ring, std::size_t chunk) {
  std::vector<std::string> parts;
  while (const auto size = ring.next_part()) {
    std::string part;
    std::vector<char> buffer(chunk);
    while (const std::size_t n = ring.read(buffer.data(), buffer.size())) {
      part.append(buffer.data(), n);
    }
    EXPECT_EQ(part.size(), *size);
    parts.push_back(std::move(part));
  }
  return parts;
}

TEST(PartRing, PartsComeOutWholeAndInOrderThroughARingSmallerThanTwoParts) {
  constexpr std::size_t kPart = 1000;
  PartRing ring(kPart + 300);  // the producer is held back while a part is read
  std::vector<std::string> parts;
  std::thread consumer([&] { parts = read_parts(ring, 77); });
  const std::string all = pattern(3 * kPart + 123, 0);
  std::size_t offset = 0;
  while (offset < all.size()) {
    const std::size_t n = std::min<std::size_t>(
        {61, all.size() - offset, kPart - static_cast<std::size_t>(ring.uncut())});
    ASSERT_TRUE(ring.write(std::string_view(all).substr(offset, n)));
    offset += n;
    if (ring.uncut() == kPart) {
      ring.cut();
    }
  }
  ring.cut();  // the last, short part
  ring.finish();
  consumer.join();
  ASSERT_EQ(parts.size(), 4U);
  EXPECT_EQ(parts[3].size(), 123U);
  std::string joined;
  for (const auto& part : parts) {
    joined += part;
  }
  EXPECT_EQ(joined, all);
}

TEST(PartRing, AConsumerThatGivesUpReleasesAWaitingProducer) {
  PartRing ring(100);
  ASSERT_TRUE(ring.write(pattern(100, 0)));  // full
  std::thread consumer([&] { ring.abandon(); });
  EXPECT_FALSE(ring.write("more"));  // waited for room, then saw the consumer go
  consumer.join();
  EXPECT_FALSE(ring.next_part());
}

TEST(PartRing, GrowsForLargerPartsOnceEverythingWasSent) {
  PartRing ring(10);
  std::vector<std::string> parts;
  std::thread consumer([&] { parts = read_parts(ring, 4); });
  ASSERT_TRUE(ring.write(pattern(10, 0)));
  ring.cut();
  ASSERT_TRUE(ring.grow(25));  // waits until the 10 bytes were read
  EXPECT_EQ(ring.capacity(), 25U);
  ASSERT_TRUE(ring.write(pattern(25, 10)));
  ring.cut();
  ring.finish();
  consumer.join();
  ASSERT_EQ(parts.size(), 2U);
  EXPECT_EQ(parts[0] + parts[1], pattern(35, 0));
}

TEST(PartRing, NothingWrittenIsNoPart) {
  PartRing ring(10);
  ring.cut();
  ring.finish();
  EXPECT_FALSE(ring.next_part());
}

}  // namespace
}  // namespace berth::agent::host
