// The ACME settings validator shared by berthd (PUT /servers/{id}/proxy) and the agent
// (proxy.apply): what may reach Caddy's acme issuer, and the field each refusal names.
#include "protocol/acme_settings.hpp"

#include <gtest/gtest.h>

#include "support/pem_certificate.hpp"

namespace berth::acme {
namespace {

using nlohmann::json;

std::string root_pem() { return testing::make_test_ca().chain; }

std::string refused_field(const AcmeSettings& settings, std::string_view prefix = "acme_") {
  const auto checked = check_acme_settings(settings, prefix);
  if (checked) {
    return "<accepted>";
  }
  EXPECT_EQ(checked.error().kind, ErrorKind::invalid);
  return checked.error().details.value("field", "<no field>");
}

constexpr const char* kCa = "https://10.0.0.2:8443/acme/local/directory";

TEST(AcmeSettings, AcceptsDefaultsAndAPrivateCa) {
  EXPECT_TRUE(check_acme_settings({}, "acme_"));
  EXPECT_TRUE(is_default({}));
  const std::string root = root_pem();
  const std::string two_roots = root + "\n" + root_pem();
  for (const AcmeSettings& good : {
           AcmeSettings{.ca = kCa, .ca_root = root, .email = "ops@example.com"},
           AcmeSettings{.ca = "https://ca.internal/acme/acme/directory", .ca_root = two_roots},
           AcmeSettings{.ca = "https://ca.internal:9000/directory?x=1"},
           AcmeSettings{.email = "first.last+tag@mail.example.co.uk"},
       }) {
    EXPECT_EQ(refused_field(good), "<accepted>") << good.ca << " " << good.email;
    EXPECT_FALSE(is_default(good));
  }
}

TEST(AcmeSettings, RefusesHostileOrMalformedValuesNamingTheField) {
  const std::string root = root_pem();
  for (const std::string& ca :
       {std::string("http://ca.test/directory"), std::string("ca.test/directory"),
        std::string("https://"), std::string("https:///directory"),
        std::string("https://user@ca.test/"), std::string("https://ca.test/{env.HOME}"),
        std::string("https://{file./etc/passwd}/"), std::string("https://ca.test/a\r\nX: y"),
        std::string("https://ca.test/a b"), std::string("https://ca.test/\"q\""),
        std::string("https://ca.test/") + std::string(1, '\0'),
        "https://ca.test/" + std::string(600, 'a')}) {
    EXPECT_EQ(refused_field({.ca = ca}), "acme_ca") << ca;
  }
  std::string private_key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----\n";
  for (const std::string& bad_root :
       {std::string("not pem"),
        std::string("-----BEGIN CERTIFICATE-----\nnot base64!\n"
                    "-----END CERTIFICATE-----\n"),
        root + private_key, private_key, root.substr(0, root.size() / 2), "junk before\n" + root,
        root + "{env.X}", root + std::string(1, '\0'), std::string(70 * 1024, 'A')}) {
    EXPECT_EQ(refused_field({.ca = kCa, .ca_root = bad_root}), "acme_ca_root") << bad_root;
  }
  std::string eleven;
  for (int i = 0; i < 11; ++i) {
    eleven += root;
  }
  EXPECT_EQ(refused_field({.ca = kCa, .ca_root = eleven}), "acme_ca_root");
  // A root is the root of a CA the table names: without one it would change nothing.
  EXPECT_EQ(refused_field({.ca_root = root}), "acme_ca_root");
  for (const std::string& email :
       {std::string("nope"), std::string("a@b"), std::string("@example.com"),
        std::string("a@@example.com"), std::string("a@b@example.com"),
        std::string("a b@example.com"), std::string("{env.X}@example.com"),
        std::string("ops@example.com\r\nBcc: x"), std::string("<ops@example.com>"),
        std::string("ops@.com"), std::string("ops@example."),
        std::string(250, 'a') + "@example.com"}) {
    EXPECT_EQ(refused_field({.email = email}), "acme_email") << email;
  }
  // The agent names the same fields under "acme.".
  EXPECT_EQ(refused_field({.email = "nope"}, "acme."), "acme.email");
}

TEST(AcmeSettings, TheTablesAcmeObjectReadsBackAndIsCheckedAgain) {
  const AcmeSettings full{.ca = kCa, .ca_root = root_pem(), .email = "ops@example.com"};
  auto parsed = parse_acme_settings(acme_settings_json(full));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, full);
  EXPECT_TRUE(is_default(*parse_acme_settings(json())));
  EXPECT_TRUE(is_default(*parse_acme_settings(json::object())));
  const auto field_of = [](const json& value) {
    auto result = parse_acme_settings(value);
    return result ? std::string("<accepted>") : result.error().details.value("field", "");
  };
  EXPECT_EQ(field_of(json::array()), "acme");
  EXPECT_EQ(field_of({{"ca", kCa}, {"issuer", "x"}}), "acme");
  EXPECT_EQ(field_of({{"ca", 7}}), "acme.ca");
  EXPECT_EQ(field_of({{"ca", "https://ca.test/{env.X}"}}), "acme.ca");
  EXPECT_EQ(field_of({{"ca_root", "-----BEGIN CERTIFICATE-----"}}), "acme.ca_root");
  EXPECT_EQ(field_of({{"email", "x\n@example.com"}}), "acme.email");
}

}  // namespace
}  // namespace berth::acme
