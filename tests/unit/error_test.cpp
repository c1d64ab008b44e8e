#include "core/error.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Error, ValidationNamesTheField) {
  const Error error = Error::validation("name", "name must be 1-63 characters");
  EXPECT_EQ(error.kind, ErrorKind::invalid);
  EXPECT_EQ(error.code, "validation_failed");
  EXPECT_EQ(error.details["field"], "name");
}

TEST(Error, InternalKeepsTheDetailOutOfTheMessage) {
  const Error error = Error::internal("sqlite: disk I/O error at /secret/path");
  EXPECT_EQ(error.code, "internal");
  EXPECT_EQ(error.message, "internal error");
  EXPECT_EQ(error.internal_detail.find("secret") != std::string::npos, true);
}

TEST(Error, EveryKindHasACode) {
  for (int i = 0; i <= static_cast<int>(ErrorKind::unavailable); ++i) {
    EXPECT_FALSE(default_code(static_cast<ErrorKind>(i)).empty());
  }
}

}  // namespace
}  // namespace berth
