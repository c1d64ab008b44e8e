#include "core/totp.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace berth::totp {
namespace {

using std::chrono::seconds;

const std::vector<std::uint8_t> kRfcSecret = [] {
  constexpr std::string_view text = "12345678901234567890";
  return std::vector<std::uint8_t>(text.begin(), text.end());
}();

TimePoint at(std::int64_t unix_seconds) { return TimePoint{seconds(unix_seconds)}; }

// RFC 6238 appendix B, SHA-1 rows. The RFC prints 8-digit codes; the 6-digit code is the same
// truncated value modulo 10^6, i.e. its last six digits.
TEST(Totp, MatchesRfc6238Vectors) {
  struct Row {
    std::int64_t time;
    std::int64_t step;
    std::string_view rfc_code;
  };
  for (const Row& row :
       {Row{59, 0x1, "94287082"}, Row{1111111109, 0x23523EC, "07081804"},
        Row{1111111111, 0x23523ED, "14050471"}, Row{1234567890, 0x273EF07, "89005924"},
        Row{2000000000, 0x3F940AA, "69279037"}, Row{20000000000, 0x27BC86AA, "65353130"}}) {
    // 20000000000 s (year 2603) is past what system_clock's nanoseconds can hold.
    if (row.time < 10'000'000'000) {
      EXPECT_EQ(time_step(at(row.time)), row.step) << row.time;
    }
    EXPECT_EQ(code_at(kRfcSecret, row.step), row.rfc_code.substr(2)) << row.time;
  }
}

TEST(Totp, TimeStepRoundsDown) {
  EXPECT_EQ(time_step(at(0)), 0);
  EXPECT_EQ(time_step(at(29)), 0);
  EXPECT_EQ(time_step(at(30)), 1);
  EXPECT_EQ(time_step(TimePoint{std::chrono::milliseconds(29'999)}), 0);
  EXPECT_EQ(time_step(at(-1)), -1);
}

TEST(Totp, CodesAreZeroPadded) { EXPECT_EQ(code_at(kRfcSecret, 0x273EF07), "005924"); }

TEST(Totp, AcceptsTheCurrentCode) {
  const TimePoint now = at(1111111111);  // step 0x23523ED
  EXPECT_EQ(verify(kRfcSecret, "050471", now, 0), 0x23523ED);
  EXPECT_EQ(verify(kRfcSecret, "050471", now + seconds(10), 0), 0x23523ED);
}

TEST(Totp, AcceptsOneStepEitherSide) {
  const TimePoint now = at(1111111111);
  const std::int64_t step = time_step(now);
  EXPECT_EQ(verify(kRfcSecret, code_at(kRfcSecret, step - 1), now, 0), step - 1);
  EXPECT_EQ(verify(kRfcSecret, code_at(kRfcSecret, step + 1), now, 0), step + 1);
  EXPECT_FALSE(verify(kRfcSecret, code_at(kRfcSecret, step - 2), now, 0));
  EXPECT_FALSE(verify(kRfcSecret, code_at(kRfcSecret, step + 2), now, 0));
}

TEST(Totp, RefusesAReplayedCode) {
  const TimePoint now = at(1111111111);
  const std::int64_t step = time_step(now);
  const auto first = verify(kRfcSecret, "050471", now, 0);
  ASSERT_EQ(first, step);
  EXPECT_FALSE(verify(kRfcSecret, "050471", now, *first));
  // Still refused half a minute later, while the code is inside the window as "now - 1".
  EXPECT_FALSE(verify(kRfcSecret, "050471", now + seconds(30), *first));
}

TEST(Totp, RefusesCodesNotNewerThanTheLastUsedStep) {
  const TimePoint now = at(1111111111);
  const std::int64_t step = time_step(now);
  const std::string previous = code_at(kRfcSecret, step - 1);
  EXPECT_FALSE(verify(kRfcSecret, previous, now, step - 1));
  EXPECT_FALSE(verify(kRfcSecret, previous, now, step));
  EXPECT_EQ(verify(kRfcSecret, code_at(kRfcSecret, step), now, step - 1), step);
  EXPECT_EQ(verify(kRfcSecret, code_at(kRfcSecret, step + 1), now, step), step + 1);
}

TEST(Totp, RefusesWrongAndMalformedCodes) {
  const TimePoint now = at(1111111111);
  EXPECT_FALSE(verify(kRfcSecret, "050472", now, 0));
  EXPECT_FALSE(verify(kRfcSecret, "14050471", now, 0));  // the 8-digit form
  EXPECT_FALSE(verify(kRfcSecret, "50471", now, 0));
  EXPECT_FALSE(verify(kRfcSecret, "0504711", now, 0));
  EXPECT_FALSE(verify(kRfcSecret, "05047a", now, 0));
  EXPECT_FALSE(verify(kRfcSecret, " 50471", now, 0));
  EXPECT_FALSE(verify(kRfcSecret, "+50471", now, 0));
  EXPECT_FALSE(verify(kRfcSecret, "", now, 0));
  EXPECT_FALSE(verify({}, code_at({}, time_step(now)), now, 0));  // no secret, no login
}

TEST(Totp, BuildsAnOtpauthUri) {
  EXPECT_EQ(otpauth_uri("Berth", "ana@example.com", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "otpauth://totp/Berth:ana%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Berth&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("Acme: Ops & Co", "bo b", "MZXW6"),
            "otpauth://totp/Acme%3A%20Ops%20%26%20Co:bo%20b?secret=MZXW6"
            "&issuer=Acme%3A%20Ops%20%26%20Co&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace berth::totp
