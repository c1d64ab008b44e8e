#include "core/json_limits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace berth {
namespace {

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonLimits, DepthUpToTheLimitIsAcceptedAndBeyondRefused) {
  EXPECT_TRUE(parse_untrusted_json("1"));
  EXPECT_TRUE(parse_untrusted_json(nested(kMaxJsonDepth)));
  EXPECT_EQ(parse_untrusted_json(nested(kMaxJsonDepth + 1)).error(), JsonRefusal::too_deep);
  EXPECT_EQ(parse_untrusted_json(R"({"a":{"b":[1]}})", 2).error(), JsonRefusal::too_deep);
  EXPECT_TRUE(parse_untrusted_json(R"({"a":{"b":1},"c":[1,[2]]})", 3));
}

TEST(JsonLimits, AHundredThousandLevelsAreRefusedWithoutRecursion) {
  EXPECT_EQ(parse_untrusted_json(nested(100'000)).error(), JsonRefusal::too_deep);
  // Unclosed: the depth is seen before the syntax error at the end.
  EXPECT_EQ(parse_untrusted_json(std::string(100'000, '{')).error(), JsonRefusal::malformed);
  EXPECT_EQ(parse_untrusted_json(std::string(100'000, '[')).error(), JsonRefusal::too_deep);
}

TEST(JsonLimits, MalformedInputIsMalformed) {
  EXPECT_EQ(parse_untrusted_json("{not json").error(), JsonRefusal::malformed);
  EXPECT_EQ(parse_untrusted_json("").error(), JsonRefusal::malformed);
  EXPECT_EQ(parse_untrusted_json(R"({"a":1} x)").error(), JsonRefusal::malformed);
}

TEST(JsonLimits, SizeIsMeasuredWithoutSerialising) {
  const nlohmann::json value = {{"hostname", "web-1"}, {"cpus", 2},  {"load", 0.25},
                                {"tags", {"a", "b"}},  {"ok", true}, {"none", nullptr}};
  const std::size_t exact = value.dump().size();
  EXPECT_TRUE(json_size_within(value, exact + 8));
  EXPECT_FALSE(json_size_within(value, exact / 2));
  EXPECT_TRUE(json_size_within(nlohmann::json::object(), 2));
  EXPECT_FALSE(json_size_within(nlohmann::json(std::string(100, 'x')), 50));
  nlohmann::json numbers = nlohmann::json::array();
  for (int i = 0; i < 1000; ++i) {
    numbers.push_back(i);
  }
  EXPECT_TRUE(json_size_within(numbers, numbers.dump().size() + 16));
}

}  // namespace
}  // namespace berth
