#include "core/json_schema.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

using nlohmann::json;

const json& server_schema() {
  static const json kSchema = schema::object(
      {{"name", schema::string(1, 63)},
       {"port", schema::integer(1, 65535)},
       {"labels", {{"type", "object"}, {"additionalProperties", schema::string(0, 10)}}},
       {"tags", schema::array_of(schema::string(1))},
       {"kind", schema::one_of_strings({"vps", "metal"})}},
      {"name"});
  return kSchema;
}

std::string failed_field(const json& body) {
  auto result = validate_json(server_schema(), body);
  EXPECT_FALSE(result.has_value());
  if (result) {
    return "";
  }
  EXPECT_EQ(result.error().code, "validation_failed");
  return result.error().details["field"].get<std::string>();
}

TEST(JsonSchema, AcceptsAValidBody) {
  EXPECT_TRUE(validate_json(server_schema(),
                            json{{"name", "web-1"}, {"port", 22}, {"labels", {{"env", "prod"}}}}));
}

TEST(JsonSchema, RejectsUnknownFields) {
  EXPECT_EQ(failed_field({{"name", "a"}, {"nmae", "b"}}), "nmae");
}

TEST(JsonSchema, RequiresRequiredFields) { EXPECT_EQ(failed_field({{"port", 22}}), "name"); }

TEST(JsonSchema, ChecksTypesAndBounds) {
  EXPECT_EQ(failed_field({{"name", 5}}), "name");
  EXPECT_EQ(failed_field({{"name", ""}}), "name");
  EXPECT_EQ(failed_field({{"name", std::string(64, 'a')}}), "name");
  EXPECT_EQ(failed_field({{"name", "a"}, {"port", 0}}), "port");
  EXPECT_EQ(failed_field({{"name", "a"}, {"port", 1.5}}), "port");
  EXPECT_EQ(failed_field({{"name", "a"}, {"kind", "cloud"}}), "kind");
  EXPECT_EQ(failed_field({{"name", "a"}, {"labels", {{"env", "much-too-long"}}}}), "labels.env");
  EXPECT_EQ(failed_field({{"name", "a"}, {"tags", {"ok", ""}}}), "tags[1]");
}

TEST(JsonSchema, CountsCharactersNotBytes) {
  EXPECT_TRUE(validate_json(schema::string(1, 3), json("äöü")));
}

TEST(JsonSchema, RejectsNonObjectBodies) { EXPECT_EQ(failed_field(json::array()), "body"); }

}  // namespace
}  // namespace berth
