#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/fakes.hpp"

namespace berth {
namespace {

TEST(Ids, HavePrefixAndTwentySixCharacterBody) {
  testing::ManualClock clock;
  testing::CountingRandom random;
  IdGenerator ids(clock, random);
  const std::string id = ids.next("usr");
  EXPECT_EQ(id.size(), 4U + 26U);
  EXPECT_TRUE(id.starts_with("usr_"));
  EXPECT_TRUE(is_valid_id("usr", id));
  EXPECT_FALSE(is_valid_id("srv", id));
}

TEST(Ids, SortByCreationTime) {
  testing::ManualClock clock;
  SodiumRandom random;
  IdGenerator ids(clock, random);
  std::string previous = ids.next("job");
  for (int i = 0; i < 50; ++i) {
    clock.advance(std::chrono::milliseconds(1));
    const std::string next = ids.next("job");
    EXPECT_LT(previous, next);
    previous = next;
  }
}

TEST(Ids, AreDistinctWithinOneMillisecond) {
  testing::ManualClock clock;
  SodiumRandom random;
  IdGenerator ids(clock, random);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(ids.next("key")).second);
  }
}

TEST(Ids, ValidationRejectsHostileInput) {
  EXPECT_FALSE(is_valid_id("usr", ""));
  EXPECT_FALSE(is_valid_id("usr", "usr_"));
  EXPECT_FALSE(is_valid_id("usr", "usr_01JD7Q8M3X4V9T2K5R6W8Y0ZA'"));
  EXPECT_FALSE(is_valid_id("usr", "usr_01JD7Q8M3X4V9T2K5R6W8Y0ZAU"));  // U is not Crockford
  EXPECT_FALSE(is_valid_id("usr", "usr-01JD7Q8M3X4V9T2K5R6W8Y0ZAB"));
  EXPECT_TRUE(is_valid_id("usr", "usr_01JD7Q8M3X4V9T2K5R6W8Y0ZAB"));
}

}  // namespace
}  // namespace berth
