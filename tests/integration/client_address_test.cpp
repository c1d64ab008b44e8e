// The client behind a reverse proxy, through the real berthd: with --trusted-proxy the
// forwarded client is what lockouts, rate limits and the audit log see; without it (or from
// anyone else) the forwarding headers change nothing. And a bad network refuses to start.

#include <set>
#include <string>
#include <vector>

#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

constexpr const char* kEmail = "ada@example.com";

class ClientAddressTest : public BerthdTest {
 protected:
  void start_with(std::vector<std::string> args) {
    start({.args = std::move(args)});
    admin_ = std::make_unique<IdentityClient>(port());
    std::string token = read_file(berthd_->data_dir() / "setup-token");
    token.erase(token.find_last_not_of("\r\n") + 1);
    admin_->setup(token, kEmail, kPassword);
  }

  // A sign-in through the proxy on loopback, for the client it names.
  HttpResponse login_as(const std::string& forwarded_for, const std::string& password,
                        const std::string& header = "X-Forwarded-For") {
    return http_request(port(), "POST", "/api/v1/auth/login",
                        nlohmann::json{{"email", kEmail}, {"password", password}}.dump(),
                        {{"Content-Type", "application/json"}, {header, forwarded_for}});
  }

  void fail_five_times(const std::string& forwarded_for) {
    for (int i = 0; i < 5; ++i) {
      const HttpResponse wrong = login_as(forwarded_for, "not the password at all");
      ASSERT_EQ(wrong.status, 401) << wrong.body;
    }
  }

  std::set<std::string> failed_sign_in_sources() {
    const HttpResponse log = admin_->get("/api/v1/admin/audit-log?action=auth.login&per_page=100");
    EXPECT_EQ(log.status, 200) << log.body;
    std::set<std::string> sources;
    const nlohmann::json body = log.json();
    for (const auto& entry : body["data"]) {
      if (entry["outcome"] == "failure") {
        sources.insert(entry["source_address"].get<std::string>());
      }
    }
    return sources;
  }

  std::unique_ptr<IdentityClient> admin_;
};

TEST_F(ClientAddressTest, BehindATrustedProxyEachForwardedClientIsLockedOutOnItsOwn) {
  start_with({"--trusted-proxy", "127.0.0.1", "--rate-limit", "0", "--sign-in-rate-limit", "0"});
  fail_five_times("203.0.113.9");
  const HttpResponse locked = login_as("203.0.113.9", kPassword);
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(locked.json()["error"]["code"], "account_locked");
  // Writing another address in front of its own gets the stranger nowhere: the proxy's
  // right-most entry is the one believed.
  EXPECT_EQ(login_as("198.51.100.7, 203.0.113.9", kPassword).status, 429);
  // The owner, through the same proxy from elsewhere, signs in.
  EXPECT_EQ(login_as("198.51.100.7", kPassword).status, 200);
  EXPECT_EQ(login_as("for=\"[2001:db8::7]:4711\"", kPassword, "Forwarded").status, 200);

  EXPECT_EQ(failed_sign_in_sources(), std::set<std::string>{"203.0.113.9"});
}

TEST_F(ClientAddressTest, WithoutATrustedProxyForwardingHeadersAreIgnored) {
  start_with({"--rate-limit", "0", "--sign-in-rate-limit", "0"});
  fail_five_times("203.0.113.9");
  EXPECT_EQ(login_as("198.51.100.7", kPassword).status, 429);  // all of it is 127.0.0.1
  EXPECT_EQ(failed_sign_in_sources(), std::set<std::string>{"127.0.0.1"});
}

TEST_F(ClientAddressTest, AnIPv6ClientRotatingInsideItsSlash64IsRateLimitedAsOne) {
  start_with(
      {"--trusted-proxy", "127.0.0.0/8,::1", "--sign-in-rate-limit", "1", "--sign-in-burst", "2"});
  EXPECT_EQ(login_as("2001:db8:1:2::1", "wrong password here").status, 401);
  EXPECT_EQ(login_as("2001:db8:1:2::2", "wrong password here").status, 401);
  const HttpResponse limited = login_as("2001:db8:1:2:aaaa:bbbb:cccc:3", "wrong password here");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.json()["error"]["code"], "rate_limited");
  EXPECT_EQ(login_as("2001:db8:1:3::1", kPassword).status, 200);  // the next /64
}

TEST(BerthdCli, RefusesABadTrustedProxyNetwork) {
  TempDir dir;
  const std::vector<std::string> base = {"--listen", "127.0.0.1:0", "--data-dir",
                                         (dir.path() / "data").string()};
  std::string output;
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--trusted-proxy", "10.0.0.1/8"});
  EXPECT_EQ(run_berthd(args, output), 2);
  EXPECT_NE(output.find("did you mean 10.0.0.0/8?"), std::string::npos) << output;

  EXPECT_EQ(run_berthd(base, output, {{"BERTH_TRUSTED_PROXY", "10.0.0.0/8,proxy.internal"}}), 2);
  EXPECT_NE(output.find("proxy.internal"), std::string::npos) << output;
  EXPECT_NE(output.find("--trusted-proxy"), std::string::npos) << output;
}

}  // namespace
}  // namespace berth::testing
