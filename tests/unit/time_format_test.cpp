#include "core/time_format.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(TimeFormat, WritesRfc3339WithMilliseconds) {
  const TimePoint t{std::chrono::milliseconds(1'795'342'501'123)};
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T10:15:01.123Z");
}

TEST(TimeFormat, RoundTrips) {
  const TimePoint t{std::chrono::milliseconds(1'795'342'501'123)};
  EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T10:15:01Z"), TimePoint{std::chrono::seconds(1'795'342'501)});
}

TEST(TimeFormat, RejectsMalformed) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2026-11-22 10:15:01Z"));
  EXPECT_FALSE(parse_rfc3339("2026-02-30T10:15:01Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-22T25:15:01Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-22T10:15:01.12Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-22T10:15:01.123+01:00"));
}

}  // namespace
}  // namespace berth
