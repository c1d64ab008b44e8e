// The checks a domain passes at the API boundary: hostnames (hostile ones included), path
// prefixes, custom certificates (made with OpenSSL here) and the DNS verdict.

#include "domain/domains/domain_rules.hpp"

#include <gtest/gtest.h>

#include "domain/domains/certificate_check.hpp"
#include "domain/domains/dns_check.hpp"
#include "support/pem_certificate.hpp"

namespace berth::domains {
namespace {

using testing::LeafSpec;

std::string field_of(const Error& error) { return error.details.value("field", ""); }

TEST(DomainHostname, IsLowerCasedAndConvertedToALabels) {
  EXPECT_EQ(normalize_hostname("Shop.Example.COM", "hostname").value_or("?"), "shop.example.com");
  EXPECT_EQ(normalize_hostname("shop.example.com.", "hostname").value_or("?"), "shop.example.com");
  EXPECT_EQ(normalize_hostname("*.Example.com", "hostname").value_or("?"), "*.example.com");
  EXPECT_EQ(normalize_hostname("xn--bcher-kva.example", "hostname").value_or("?"),
            "xn--bcher-kva.example");
  EXPECT_EQ(normalize_hostname("Bücher.example", "hostname").value_or("?"),
            "xn--bcher-kva.example");
  EXPECT_EQ(normalize_hostname("*.bücher.example", "hostname").value_or("?"),
            "*.xn--bcher-kva.example");
}

TEST(DomainHostname, RefusesHostileAndUnusableNames) {
  const std::string overlong = std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                               std::string(60, 'c') + "." + std::string(60, 'd') + ".test";
  for (const std::string& bad : {std::string("shop.example.com\r\nX-Evil: 1"),
                                 std::string("shop.example.com\n"),
                                 std::string("{env.HOME}.example.com"),
                                 std::string("{file./etc/passwd}"),
                                 std::string("shop\0.example.com", 17),
                                 std::string("shop.example.com/path"),
                                 std::string("shop.example.com:8443"),
                                 std::string("shop example.com"),
                                 std::string("localhost"),
                                 std::string("web"),
                                 std::string("203.0.113.7"),
                                 std::string("*.com"),
                                 std::string("a.*.example.com"),
                                 std::string("*example.com"),
                                 std::string("**.example.com"),
                                 std::string("-shop.example.com"),
                                 std::string("shop..example.com"),
                                 std::string("xn--.example.com"),
                                 std::string("xn--bcher-kva!.example"),
                                 std::string(""),
                                 overlong,
                                 std::string("shop.example.com\x7f"),
                                 std::string("\xff\xfe.example")}) {
    const auto refused = normalize_hostname(bad, "hostname");
    ASSERT_FALSE(refused) << bad << " → " << refused.value_or("");
    EXPECT_EQ(refused.error().code, "validation_failed");
    EXPECT_EQ(field_of(refused.error()), "hostname") << bad;
  }
}

TEST(DomainPathPrefix, IsNormalisedOrRefused) {
  EXPECT_EQ(normalize_path_prefix("", "path_prefix").value_or("?"), "");
  EXPECT_EQ(normalize_path_prefix("/", "path_prefix").value_or("?"), "");
  EXPECT_EQ(normalize_path_prefix("/api/", "path_prefix").value_or("?"), "/api");
  EXPECT_EQ(normalize_path_prefix("/api/v2.1_x~y", "path_prefix").value_or("?"), "/api/v2.1_x~y");
  for (const std::string& bad :
       {std::string("api"), std::string("/a/../b"), std::string("/.."), std::string("/a/./b"),
        std::string("/a//b"), std::string("/{env.SECRET}"), std::string("/a\r\nb"),
        std::string("/a\0b", 4), std::string("/a b"), std::string("/a?b=c"), std::string("/a%2e"),
        std::string("/ü"), "/" + std::string(200, 'a')}) {
    const auto refused = normalize_path_prefix(bad, "path_prefix");
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(field_of(refused.error()), "path_prefix");
  }
}

class CertificateCheckTest : public ::testing::Test {
 protected:
  testing::PemPair ca_ = testing::make_test_ca();
  TimePoint now_ = std::chrono::system_clock::now();
};

TEST_F(CertificateCheckTest, AcceptsAMatchingValidCertificateAndDescribesIt) {
  const auto leaf = testing::make_test_leaf(ca_, {.dns_names = {"shop.example.test"}});
  const auto info = check_certificate(leaf.chain, leaf.key, "shop.example.test", now_);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->subject, "CN=shop.example.test");
  EXPECT_EQ(info->issuer, "CN=berth test CA");
  EXPECT_EQ(info->sans, std::vector<std::string>{"shop.example.test"});
  EXPECT_GT(info->not_after, now_);
  // A wildcard certificate covers one label below it, and a wildcard domain of the same name.
  const auto wild = testing::make_test_leaf(ca_, {.dns_names = {"*.example.test"}});
  EXPECT_TRUE(check_certificate(wild.chain, wild.key, "shop.example.test", now_));
  EXPECT_TRUE(check_certificate(wild.chain, wild.key, "*.example.test", now_));
  EXPECT_FALSE(check_certificate(wild.chain, wild.key, "a.shop.example.test", now_));
  EXPECT_FALSE(check_certificate(leaf.chain, leaf.key, "*.example.test", now_));
}

TEST_F(CertificateCheckTest, RefusesAWrongKeyAnExpiredOneAndAnotherName) {
  const auto leaf = testing::make_test_leaf(ca_, {.dns_names = {"shop.example.test"}});
  const auto other = testing::make_test_leaf(ca_, {.dns_names = {"shop.example.test"}});
  const auto wrong_key = check_certificate(leaf.chain, other.key, "shop.example.test", now_);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(field_of(wrong_key.error()), "certificate.key");

  const auto expired = testing::make_test_leaf(
      ca_, {.dns_names = {"shop.example.test"}, .not_before_s = -7200, .not_after_s = -3600});
  const auto old = check_certificate(expired.chain, expired.key, "shop.example.test", now_);
  ASSERT_FALSE(old);
  EXPECT_EQ(field_of(old.error()), "certificate.chain");
  EXPECT_NE(old.error().message.find("expired"), std::string::npos);

  const auto early = testing::make_test_leaf(
      ca_, {.dns_names = {"shop.example.test"}, .not_before_s = 3600, .not_after_s = 7200});
  EXPECT_FALSE(check_certificate(early.chain, early.key, "shop.example.test", now_));

  const auto name = check_certificate(leaf.chain, leaf.key, "other.example.test", now_);
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().message.find("does not cover"), std::string::npos);

  EXPECT_FALSE(check_certificate("not a certificate", leaf.key, "shop.example.test", now_));
  EXPECT_FALSE(check_certificate(leaf.chain, "not a key", "shop.example.test", now_));
  EXPECT_FALSE(check_certificate(leaf.chain + std::string(kMaxCertificateChain, 'x'), leaf.key,
                                 "shop.example.test", now_));
  EXPECT_FALSE(check_certificate("", "", "shop.example.test", now_));
}

TEST(DnsVerdict, ComparesAddressesWithTheServers) {
  const std::vector<std::string> server = {"203.0.113.7", "2001:DB8::7"};
  EXPECT_EQ(judge_dns({}, server).status, "pending_dns");
  EXPECT_EQ(judge_dns({{.type = "CNAME", .value = "edge.cdn.test"}}, server).status, "pending_dns");
  const auto ok = judge_dns(
      {{.type = "CNAME", .value = "web.example.test"}, {.type = "AAAA", .value = "2001:db8::7"}},
      server);
  EXPECT_EQ(ok.status, "ok");
  EXPECT_EQ(ok.records, nlohmann::json::parse(R"([{"type":"CNAME","value":"web.example.test"},
                                                  {"type":"AAAA","value":"2001:db8::7"}])"));
  EXPECT_EQ(judge_dns({{.type = "A", .value = "198.51.100.1"}}, server).status, "elsewhere");
  EXPECT_EQ(judge_dns({{.type = "A", .value = "198.51.100.1"}}, {}).status, "elsewhere");
  EXPECT_EQ(probe_name("*.example.test"), "berth-check.example.test");
  EXPECT_EQ(probe_name("a.example.test"), "a.example.test");
}

}  // namespace
}  // namespace berth::domains
