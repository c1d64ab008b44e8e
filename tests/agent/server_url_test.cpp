// berthd URLs and certificate pins as the operator types them.

#include "agent/server_url.hpp"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

TEST(ServerUrlTest, ParsesSchemesHostsPortsAndPrefixes) {
  auto plain = parse_server_url("http://127.0.0.1:8080");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, "8080");
  EXPECT_EQ(plain->target("/api/v1/agent/connect"), "/api/v1/agent/connect");
  EXPECT_EQ(plain->host_header(), "127.0.0.1:8080");

  auto secure = parse_server_url("https://berth.example.com/base/");
  ASSERT_TRUE(secure.has_value());
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, "443");
  EXPECT_EQ(secure->host_header(), "berth.example.com");
  EXPECT_EQ(secure->target("/api/v1/agent/register"), "/base/api/v1/agent/register");

  auto v6 = parse_server_url("http://[::1]:9000");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:9000");
}

TEST(ServerUrlTest, RefusesWhatItCannotUse) {
  for (const char* url :
       {"ftp://x", "berth.example", "http://", "http://:80", "http://h:0", "http://h:99999",
        "http://h:8a", "http://h/?q=1", "http://u:p@h", "http://[::1"}) {
    EXPECT_FALSE(parse_server_url(url).has_value()) << url;
  }
}

TEST(ServerUrlTest, ParsesPins) {
  const std::string hex(64, 'a');
  auto pin = parse_sha256_pin(hex);
  ASSERT_TRUE(pin.has_value());
  EXPECT_EQ(*pin, std::string(32, '\xaa'));
  std::string with_colons;
  for (int i = 0; i < 32; ++i) {
    with_colons += (i == 0 ? "" : ":") + std::string("AB");
  }
  EXPECT_EQ(*parse_sha256_pin(with_colons), std::string(32, '\xab'));
  EXPECT_FALSE(parse_sha256_pin("abc").has_value());
  EXPECT_FALSE(parse_sha256_pin(std::string(64, 'g')).has_value());
}

}  // namespace
}  // namespace berth::agent
