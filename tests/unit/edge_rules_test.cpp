// The edge rules' validator (protocol/edge_rules.hpp), shared by berthd's API and the agent:
// every hostile value is refused naming its field, and what passes reads back unchanged.

#include "protocol/edge_rules.hpp"

#include <gtest/gtest.h>

#include "core/bcrypt.hpp"

namespace berth::edge {
namespace {

using nlohmann::json;

const std::string kHash = "$2b$04$abcdefghijklmnopqrstuu5Rr0JbGmIAhZpYqW3pnkmMhxmQeBKCm";

json full_rules() {
  return {
      {"redirects",
       {{{"path", "/old"}, {"to", "https://example.com/new?a=1#x"}, {"status", 301}},
        {{"path", "/docs/*"}, {"to", "/documentation"}, {"status", 308}}}},
      {"headers",
       {{"set", {{"X-Frame-Options", "DENY"}, {"Content-Security-Policy", "default-src 'self'"}}},
        {"remove", {"Server", "X-Powered-By"}}}},
      {"allow_ips", {"10.0.0.0/8", "2001:db8::/32", "192.168.1.7/32"}},
      {"basic_auth", {{"users", {{{"username", "ops"}, {"password_hash", kHash}}}}}},
      {"max_body_bytes", 1048576},
      {"maintenance",
       {{"enabled", true}, {"retry_after_seconds", 120}, {"message", "Back soon — café"}}}};
}

// The field named by parse_edge_rules' refusal of `rules`, or "<accepted>".
std::string refused_field(const json& rules) {
  auto parsed = parse_edge_rules(rules);
  if (parsed) {
    return "<accepted>";
  }
  EXPECT_EQ(parsed.error().kind, ErrorKind::invalid);
  EXPECT_EQ(parsed.error().code, "validation_failed");
  return parsed.error().details.value("field", "<no field>");
}

json with(const json::json_pointer& at, json value) {
  json rules = full_rules();
  rules[at] = std::move(value);
  return rules;
}

TEST(EdgeRules, AFullDocumentReadsBackUnchanged) {
  auto parsed = parse_edge_rules(full_rules());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(edge_rules_json(*parsed), full_rules());
  EXPECT_FALSE(is_empty(*parsed));
  EXPECT_EQ(parsed->redirects[1].status, 308);
}

TEST(EdgeRules, NothingIsNoRulesAndDefaultsAreFilledIn) {
  for (const json& none : {json(), json::object()}) {
    auto parsed = parse_edge_rules(none);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(is_empty(*parsed));
  }
  auto parsed = parse_edge_rules(
      {{"redirects", {{{"path", "/a"}, {"to", "/b"}}}}, {"maintenance", {{"enabled", false}}}});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->redirects[0].status, 308);
  EXPECT_EQ(parsed->maintenance.retry_after_seconds, kDefaultRetryAfter);
  // A maintenance switch that is off changes nothing.
  EXPECT_FALSE(is_empty(*parsed));
  EXPECT_TRUE(is_empty(*parse_edge_rules({{"maintenance", {{"enabled", false}}}})));
}

TEST(EdgeRules, PlaceholdersAndControlCharactersAreRefusedEverywhere) {
  const std::vector<std::string> hostile = {
      "{env.SECRET}", "{file./etc/passwd}",          "a\r\nSet-Cookie: x",
      "a\nb",         std::string("a\0b", 3),        "a\x01",
      "a\x7f",        "{http.request.header.Cookie}"};
  for (const auto& text : hostile) {
    SCOPED_TRACE(json(text).dump());
    EXPECT_EQ(refused_field(with("/headers/set/X-Frame-Options"_json_pointer, text)),
              "headers.set.X-Frame-Options");
    EXPECT_EQ(refused_field(with("/maintenance/message"_json_pointer, text)),
              "maintenance.message");
    EXPECT_EQ(refused_field(with("/redirects/0/to"_json_pointer, "https://example.com/" + text)),
              "redirects[0].to");
    EXPECT_EQ(refused_field(with("/redirects/0/to"_json_pointer, "/" + text)), "redirects[0].to");
    EXPECT_EQ(refused_field(with("/redirects/0/path"_json_pointer, "/" + text)),
              "redirects[0].path");
    EXPECT_EQ(refused_field(with("/basic_auth/users/0/username"_json_pointer, "ops" + text)),
              "basic_auth.users[0].username");
    EXPECT_EQ(refused_field(with("/allow_ips/0"_json_pointer, "10.0.0.0/8" + text)),
              "allow_ips[0]");
    json named = full_rules();
    named["headers"]["set"]["X-" + text] = "1";
    EXPECT_EQ(refused_field(named), "headers.set");  // a hostile name is not echoed back
    EXPECT_EQ(refused_field(with("/headers/remove/0"_json_pointer, "X-" + text)),
              "headers.remove[0]");
  }
}

TEST(EdgeRules, OverlongValuesAndTooManyEntriesAreRefused) {
  EXPECT_EQ(
      refused_field(with("/headers/set/X-Frame-Options"_json_pointer, std::string(1025, 'a'))),
      "headers.set.X-Frame-Options");
  EXPECT_EQ(refused_field(with("/maintenance/message"_json_pointer, std::string(1025, 'a'))),
            "maintenance.message");
  EXPECT_EQ(refused_field(with("/redirects/0/path"_json_pointer, "/" + std::string(512, 'a'))),
            "redirects[0].path");
  EXPECT_EQ(refused_field(with("/redirects/0/to"_json_pointer, "/" + std::string(2048, 'a'))),
            "redirects[0].to");
  EXPECT_EQ(refused_field(with("/basic_auth/users/0/username"_json_pointer, std::string(65, 'a'))),
            "basic_auth.users[0].username");
  json names = full_rules();
  names["headers"]["set"] = {{std::string(65, 'X'), "1"}};
  EXPECT_EQ(refused_field(names), "headers.set");
  json many = full_rules();
  many["headers"]["set"] = json::object();
  for (int i = 0; i < 51; ++i) {
    many["headers"]["set"]["X-H" + std::to_string(i)] = "1";
  }
  EXPECT_EQ(refused_field(many), "headers.set");
  json redirects = json::array();
  for (int i = 0; i < 101; ++i) {
    redirects.push_back({{"path", "/p" + std::to_string(i)}, {"to", "/"}});
  }
  EXPECT_EQ(refused_field(with("/redirects"_json_pointer, redirects)), "redirects");
  EXPECT_EQ(refused_field(
                with("/allow_ips"_json_pointer, json(std::vector<std::string>(201, "10.0.0.1")))),
            "allow_ips");
}

TEST(EdgeRules, PathsAndTargetsStayOnTheirSite) {
  for (const std::string path : {"old", "/a/../etc", "/..", "/a/./b", "//x", "/a?b", "/a%2e%2e",
                                 "/a b", "/a\\b", "/*/x*", ""}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(refused_field(with("/redirects/0/path"_json_pointer, path)), "redirects[0].path");
  }
  for (const std::string to :
       {"javascript:alert(1)", "//evil.example/", "ftp://example.com/", "https://",
        "https://user:pw@bank.example/", "https://bank.example@evil.example/", "/a/../b",
        "/a/%2e%2e/b", "https://example.com/a/../b", "relative", "/a%zz", "https://a b/"}) {
    SCOPED_TRACE(to);
    EXPECT_EQ(refused_field(with("/redirects/0/to"_json_pointer, to)), "redirects[0].to");
  }
  for (const std::string to : {"https://example.com", "HTTP://example.com:8080/x?y=1",
                               "https://[2001:db8::1]/", "/", "/a%20b?q=1#top"}) {
    SCOPED_TRACE(to);
    EXPECT_EQ(refused_field(with("/redirects/0/to"_json_pointer, to)), "<accepted>");
  }
  json twice = full_rules();
  twice["redirects"][1]["path"] = "/OLD";
  EXPECT_EQ(refused_field(twice), "redirects[1].path");
}

TEST(EdgeRules, StatusesAreTheFourRedirects) {
  for (const json& status :
       {json(200), json(300), json(303), json(404), json("301"), json(301.5)}) {
    EXPECT_EQ(refused_field(with("/redirects/0/status"_json_pointer, status)),
              "redirects[0].status");
  }
}

TEST(EdgeRules, HeaderNamesAreTokensAndProxyOwnedOnesAreRefused) {
  for (const std::string name : {"Connection", "transfer-encoding", "Keep-Alive", "Upgrade", "TE",
                                 "Trailer", "Proxy-Authorization", "Content-Length", "Host",
                                 "Location", "WWW-Authenticate", "Retry-After"}) {
    SCOPED_TRACE(name);
    json set = full_rules();
    set["headers"]["set"] = {{name, "x"}};
    EXPECT_EQ(refused_field(set), "headers.set." + name);
    EXPECT_EQ(refused_field(with("/headers/remove/0"_json_pointer, name)), "headers.remove[0]");
  }
  for (const std::string name : {"X Frame", "X:Frame", "X(Frame)", "Ä", "X/Frame", ""}) {
    json set = full_rules();
    set["headers"]["set"] = {{name, "x"}};
    EXPECT_EQ(refused_field(set), "headers.set") << name;
  }
  json both = full_rules();
  both["headers"]["remove"] = {"x-frame-options"};
  EXPECT_EQ(refused_field(both), "headers.remove[0]");
  EXPECT_EQ(refused_field(with("/headers/set/X-Frame-Options"_json_pointer, "caf\u00e9")),
            "headers.set.X-Frame-Options");  // header values are ASCII
}

TEST(EdgeRules, AddressesAreParsedAndNormalised) {
  EXPECT_EQ(normalized_cidr("10.1.2.3/8"), "10.0.0.0/8");
  EXPECT_EQ(normalized_cidr("10.1.2.3"), "10.1.2.3/32");
  EXPECT_EQ(normalized_cidr("2001:DB8::1/32"), "2001:db8::/32");
  EXPECT_EQ(normalized_cidr("::1"), "::1/128");
  EXPECT_EQ(normalized_cidr("0.0.0.0/0"), "0.0.0.0/0");
  for (const std::string bad :
       {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.256", "10.0.0.0/", "10.0.0.0/-1",
        "10.0.0.0/08x", "host.example", "10.0.0.0/8/8", " 10.0.0.1", "1.2.3.4/ 8", ""}) {
    EXPECT_EQ(normalized_cidr(bad), "") << bad;
    EXPECT_EQ(refused_field(with("/allow_ips/0"_json_pointer, bad)), "allow_ips[0]") << bad;
  }
  json twice = full_rules();
  twice["allow_ips"] = {"10.0.0.0/8", "10.9.9.9/8"};
  EXPECT_EQ(refused_field(twice), "allow_ips[1]");
}

TEST(EdgeRules, NumbersAreBounded) {
  EXPECT_EQ(refused_field(with("/max_body_bytes"_json_pointer, -1)), "max_body_bytes");
  EXPECT_EQ(refused_field(with("/max_body_bytes"_json_pointer, kMaxBodyBytes + 1)),
            "max_body_bytes");
  EXPECT_EQ(refused_field(with("/max_body_bytes"_json_pointer, json(18446744073709551615ULL))),
            "max_body_bytes");
  EXPECT_EQ(refused_field(with("/max_body_bytes"_json_pointer, "10")), "max_body_bytes");
  EXPECT_EQ(refused_field(with("/maintenance/retry_after_seconds"_json_pointer, 0)),
            "maintenance.retry_after_seconds");
  EXPECT_EQ(
      refused_field(with("/maintenance/retry_after_seconds"_json_pointer, kMaxRetryAfter + 1)),
      "maintenance.retry_after_seconds");
  EXPECT_EQ(refused_field(with("/maintenance/enabled"_json_pointer, "yes")), "maintenance.enabled");
}

TEST(EdgeRules, UsersCarryBcryptHashesOnly) {
  for (const std::string& hash : std::vector<std::string>{
           "secret", "$argon2id$v=19$m=19456,t=2,p=1$abc$def", "$2b$03$" + kHash.substr(7),
           "$2x$04$" + kHash.substr(7), kHash.substr(0, 59), kHash + "a",
           "$2b$04$" + std::string(53, '{')}) {
    EXPECT_EQ(refused_field(with("/basic_auth/users/0/password_hash"_json_pointer, hash)),
              "basic_auth.users[0].password_hash")
        << hash;
  }
  json plain = full_rules();
  plain["basic_auth"]["users"][0] = {{"username", "ops"}, {"password", "x"}};
  EXPECT_EQ(refused_field(plain), "basic_auth.users[0].password");
  json twice = full_rules();
  twice["basic_auth"]["users"].push_back({{"username", "ops"}, {"password_hash", kHash}});
  EXPECT_EQ(refused_field(twice), "basic_auth.users[1].username");
  EXPECT_EQ(refused_field(with("/basic_auth/users/0/username"_json_pointer, "a:b")),
            "basic_auth.users[0].username");
}

TEST(EdgeRules, UnknownFieldsAndWrongTypesAreRefused) {
  EXPECT_EQ(refused_field({{"redirect", json::array()}}), "redirect");
  EXPECT_EQ(refused_field(with("/headers/add"_json_pointer, json::object())), "headers.add");
  EXPECT_EQ(refused_field(with("/redirects/0/code"_json_pointer, 301)), "redirects[0].code");
  EXPECT_EQ(refused_field(with("/redirects"_json_pointer, json::object())), "redirects");
  EXPECT_EQ(refused_field(with("/maintenance"_json_pointer, true)), "maintenance");
  EXPECT_EQ(refused_field(with("/basic_auth"_json_pointer, json::array())), "basic_auth");
  EXPECT_FALSE(parse_edge_rules(json::array()));
}

TEST(Bcrypt, HashesVerifyAndCaddysOwnHashIsRead) {
  SodiumRandom random;
  auto hash = crypto::bcrypt_hash("correct horse", random, 4);
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(is_bcrypt_hash(*hash)) << *hash;
  EXPECT_TRUE(hash->starts_with("$2b$04$"));
  EXPECT_TRUE(crypto::bcrypt_verify(*hash, "correct horse"));
  EXPECT_FALSE(crypto::bcrypt_verify(*hash, "correct horsE"));
  EXPECT_NE(*crypto::bcrypt_hash("correct horse", random, 4), *hash);  // salted
  // `caddy hash-password --plaintext secret` (2.6.2) and Python's crypt.
  EXPECT_TRUE(crypto::bcrypt_verify("$2a$14$V4HC4iUUmqqFyPC8KXan0O4stBa6bD7sdbxWjv/lbf4X6ogMsluN2",
                                    "secret"));
  EXPECT_TRUE(crypto::bcrypt_verify("$2b$12$KzsEeW7fkRPrr/H16ngzXuAXSRa0mfDbx2DNtLirpJ9QOoRlH.Vim",
                                    "secret"));
  EXPECT_FALSE(crypto::bcrypt_verify("not a hash", "secret"));
  EXPECT_FALSE(crypto::bcrypt_hash(std::string(73, 'a'), random, 4));
  EXPECT_FALSE(crypto::bcrypt_hash(std::string("a\0b", 3), random, 4));
  EXPECT_TRUE(crypto::bcrypt_hash(std::string(72, 'a'), random, 4));
}

}  // namespace
}  // namespace berth::edge
