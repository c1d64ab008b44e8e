#include <gtest/gtest.h>

#include "core/log.hpp"

namespace berth::log {
namespace {

TEST(LogRedaction, CredentialsLoseTheirSecretPart) {
  EXPECT_EQ(redact_credentials("POST /api/v1/hooks/deploy/bdh_Zm9vYmFyYmF6cXV4-_0 202"),
            "POST /api/v1/hooks/deploy/bdh_[redacted] 202");
  EXPECT_EQ(redact_credentials(R"({"path":"/x/bk_abcdefghijkl","t":"bat_0123456789ab"})"),
            R"({"path":"/x/bk_[redacted]","t":"bat_[redacted]"})");
  EXPECT_EQ(redact_credentials("install=bit_AAAAAAAAAAAAAAAA refresh=brt_BBBBBBBBBBBB"),
            "install=bit_[redacted] refresh=brt_[redacted]");
  EXPECT_EQ(redact_credentials("GET /reset-password?token=bpr_CCCCCCCCCCCC 200"),
            "GET /reset-password?token=bpr_[redacted] 200");
}

TEST(LogRedaction, WordsThatOnlyLookAlikeStay) {
  EXPECT_EQ(redact_credentials("bk_short and rebk_abcdefghijkl and bdh_"),
            "bk_short and rebk_abcdefghijkl and bdh_");
  EXPECT_EQ(redact_credentials("ordinary line, no tokens"), "ordinary line, no tokens");
  EXPECT_EQ(redact_credentials(""), "");
}

}  // namespace
}  // namespace berth::log
