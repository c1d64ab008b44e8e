// DomainService: adding, changing, removing and checking domains — the instance-wide
// hostname rule (without saying who holds a name), redirects, the admin-only certificate,
// the primary domain that follows the app's hostname, and the DNS check through a fake.

#include "domain/domains/domain_service.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "apps/apps_fixture.hpp"
#include "core/time_format.hpp"
#include "support/pem_certificate.hpp"

namespace berth {
namespace {

using nlohmann::json;

class FakeResolver final : public domains::Resolver {
 public:
  std::vector<domains::DnsRecord> resolve(std::string_view hostname) override {
    std::lock_guard lock(mutex_);
    asked.emplace_back(hostname);
    const auto found = answers.find(std::string(hostname));
    return found == answers.end() ? std::vector<domains::DnsRecord>{} : found->second;
  }
  std::mutex mutex_;
  std::map<std::string, std::vector<domains::DnsRecord>> answers;
  std::vector<std::string> asked;
};

class DomainServiceTest : public AppsTest {
 protected:
  Result<DomainView> add(const UserRecord& who, const std::string& app_id, DomainInput input) {
    return domains_.create(as(who), team_, app_id, input, client());
  }

  // Waits for the background check that follows a create, so it cannot overwrite a later one.
  void wait_for_first_check(const std::string& id) {
    for (int i = 0; i < 500; ++i) {
      auto found = domains_.get(as(viewer_), team_, id);
      if (found && found->domain.dns_checked_at) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the check on create never ran";
  }

  static std::string code_of(const Result<DomainView>& result) {
    return result ? std::string("ok") : result.error().code;
  }
  static std::string field_of(const Result<DomainView>& result) {
    return result ? std::string("ok") : result.error().details.value("field", "");
  }

  FakeResolver resolver_;
  DomainService domains_{services_, &lifecycle_, resolver_};
};

TEST_F(DomainServiceTest, AnAppsHostnameIsItsPrimaryDomainAndFollowsIt) {
  const AppRecord app = image_app("web");
  auto listed = domains_.list_app(as(viewer_), team_, app.id, {});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1U);
  const DomainRecord primary = listed->items[0].domain;
  EXPECT_TRUE(primary.is_primary);
  EXPECT_EQ(primary.hostname, app.hostname);

  ASSERT_TRUE(apps_.update(as(member_), team_, app.id, {.hostname = "www.shop.test"}, client()));
  auto renamed = domains_.get(as(viewer_), team_, primary.id);
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->domain.hostname, "www.shop.test");
  EXPECT_EQ(renamed->status, "inactive");  // never deployed

  const auto removed = domains_.remove(as(member_), team_, primary.id, client());
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, "domain_primary");
}

TEST_F(DomainServiceTest, AddsDomainsWithTheirSettingsAndAuditsThem) {
  const AppRecord app = image_app("web");
  auto added = add(member_, app.id,
                   {.hostname = "Shop.Example.test", .tls = "internal", .path_prefix = "/api/"});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->domain.hostname, "shop.example.test");
  EXPECT_EQ(added->domain.path_prefix, "/api");
  EXPECT_EQ(added->domain.tls, "internal");
  EXPECT_TRUE(added->domain.https_redirect);
  EXPECT_FALSE(added->domain.hsts);
  EXPECT_EQ(added->domain.dns_status, "pending_dns");
  const auto entries = audit("domain.create");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].target, added->domain.id);
  EXPECT_EQ(entries[0].details["hostname"], "shop.example.test");

  EXPECT_EQ(field_of(add(member_, app.id, {.hostname = "a.test\r\nX: y"})), "hostname");
  EXPECT_EQ(field_of(add(member_, app.id, {.hostname = "a.test", .path_prefix = "/../etc"})),
            "path_prefix");
  EXPECT_EQ(field_of(add(member_, app.id, {.hostname = "a.test", .tls = "on"})), "tls");
  EXPECT_EQ(field_of(add(member_, app.id, {.hostname = "*.wild.test", .tls = "acme"})), "tls");
  EXPECT_TRUE(add(member_, app.id, {.hostname = "*.wild.test", .tls = "internal"}));
  EXPECT_EQ(code_of(add(viewer_, app.id, {.hostname = "b.test"})), "insufficient_role");
  EXPECT_EQ(code_of(add(stranger_, app.id, {.hostname = "b.test"})), "not_found");
}

TEST_F(DomainServiceTest, AHostnameBelongsToOneTeamAndNoAnswerSaysWhich) {
  const AppRecord app = image_app("web");
  ASSERT_TRUE(add(member_, app.id, {.hostname = "shop.example.test"}));
  // Another team, with its own server and app.
  const UserRecord other = user("other@example.com", "Other");
  const std::string other_team = other.personal_team_id;
  const std::string other_server = add_server(other_team, "s", "203.0.113.7");
  auto other_app = apps_.create(as(other), other_team,
                                {.name = "web",
                                 .server_id = other_server,
                                 .source = {{"type", "image"}, {"image", "nginx"}},
                                 .settings = {{"port", 80}},
                                 .hostname = {}},
                                client());
  ASSERT_TRUE(other_app) << other_app.error().message;
  for (const char* prefix : {"", "/other"}) {
    auto taken =
        domains_.create(as(other), other_team, other_app->app.id,
                        {.hostname = "SHOP.example.test", .path_prefix = prefix}, client());
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().kind, ErrorKind::conflict);
    EXPECT_EQ(taken.error().code, "hostname_taken");
    const std::string said = taken.error().message + taken.error().details.dump();
    EXPECT_EQ(said.find(team_), std::string::npos);
    EXPECT_EQ(said.find(app.id), std::string::npos);
  }
  // The same default hostname (same app name, same server address) gets a number instead of
  // failing: another team's use of a name never stops it from creating an app.
  EXPECT_EQ(other_app->app.hostname, "web-2.203.0.113.7.sslip.io");
  // The app's hostname obeys the same rule.
  auto patched = apps_.update(as(other), other_team, other_app->app.id,
                              {.hostname = "shop.example.test"}, client());
  ASSERT_FALSE(patched);
  EXPECT_EQ(patched.error().code, "hostname_taken");
  // Within the team, another app on the same server may take another path of the host.
  const AppRecord api = image_app("api");
  EXPECT_TRUE(add(member_, api.id, {.hostname = "shop.example.test", .path_prefix = "/api"}));
  EXPECT_EQ(code_of(add(member_, api.id, {.hostname = "shop.example.test"})), "hostname_taken");
}

TEST_F(DomainServiceTest, RedirectsPointAtAServingDomainOfTheSameApp) {
  const AppRecord app = image_app("web");
  const AppRecord other = image_app("other");
  auto primary = domains_.list_app(as(viewer_), team_, app.id, {});
  ASSERT_TRUE(primary);
  const std::string target = primary->items[0].domain.id;
  auto www = add(member_, app.id, {.hostname = "www.shop.test", .redirect_to = target});
  ASSERT_TRUE(www) << www.error().message;
  EXPECT_EQ(www->domain.redirect_to, target);
  EXPECT_EQ(
      field_of(add(member_, app.id, {.hostname = "x.shop.test", .redirect_to = www->domain.id})),
      "redirect_to");
  auto foreign = domains_.list_app(as(viewer_), team_, other.id, {});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(field_of(add(member_, app.id,
                         {.hostname = "y.shop.test", .redirect_to = foreign->items[0].domain.id})),
            "redirect_to");
  EXPECT_EQ(field_of(add(member_, app.id, {.hostname = "z.shop.test", .redirect_to = "dom_x"})),
            "redirect_to");
  // A domain others redirect to cannot become a redirect itself, nor go away.
  auto served = add(member_, app.id, {.hostname = "shop.test"});
  ASSERT_TRUE(served);
  ASSERT_TRUE(domains_.update(as(member_), team_, www->domain.id,
                              {.redirect_to = served->domain.id}, client()));
  const auto removed = domains_.remove(as(member_), team_, served->domain.id, client());
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, "domain_redirect_target");
  auto moved =
      domains_.update(as(member_), team_, served->domain.id, {.path_prefix = "/x"}, client());
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, "domain_redirect_target");
  ASSERT_TRUE(domains_.remove(as(member_), team_, www->domain.id, client()));
  EXPECT_TRUE(domains_.remove(as(member_), team_, served->domain.id, client()));
}

TEST_F(DomainServiceTest, CustomCertificatesAreForAdminsAndTheirKeyIsSealed) {
  const AppRecord app = image_app("web");
  const auto ca = testing::make_test_ca();
  // The fixture's clock stands in late 2025: certificates valid for years either side of it.
  constexpr long kYear = 3L * 365 * 86400;
  const auto leaf = testing::make_test_leaf(
      ca, {.dns_names = {"secure.shop.test"}, .not_before_s = -kYear, .not_after_s = kYear});
  const CertificateUpload upload{.chain = leaf.chain, .key = leaf.key};
  const auto by_member =
      add(member_, app.id, {.hostname = "secure.shop.test", .certificate = upload});
  ASSERT_FALSE(by_member);
  EXPECT_EQ(by_member.error().code, "admin_required");

  auto added = add(admin_, app.id, {.hostname = "secure.shop.test", .certificate = upload});
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->domain.tls, "custom");
  EXPECT_EQ(added->domain.cert_info["sans"], json({"secure.shop.test"}));
  EXPECT_FALSE(added->domain.cert_key_sealed.empty());
  EXPECT_EQ(added->domain.cert_key_sealed.find("PRIVATE KEY"), std::string::npos);
  auto opened = crypto::open_sealed(services_.master_key, added->domain.cert_key_sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, leaf.key);
  for (const auto& entry : audit("domain.create")) {
    EXPECT_EQ(entry.details.dump().find("PRIVATE KEY"), std::string::npos);
  }

  const auto wrong = testing::make_test_leaf(
      ca, {.dns_names = {"other.shop.test"}, .not_before_s = -kYear, .not_after_s = kYear});
  EXPECT_EQ(field_of(add(admin_, app.id,
                         {.hostname = "b.shop.test",
                          .certificate = CertificateUpload{wrong.chain, wrong.key}})),
            "certificate.chain");
  EXPECT_EQ(field_of(add(admin_, app.id, {.hostname = "c.shop.test", .tls = "custom"})),
            "certificate");
  // A member may still change the domain's other switches, and leave custom TLS.
  auto hsts = domains_.update(as(member_), team_, added->domain.id, {.hsts = true}, client());
  ASSERT_TRUE(hsts);
  EXPECT_EQ(hsts->domain.tls, "custom");
  auto plain = domains_.update(as(member_), team_, added->domain.id, {.tls = ""}, client());
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->domain.cert_key_sealed.empty());
  EXPECT_TRUE(plain->domain.cert_chain.empty());
}

TEST_F(DomainServiceTest, ChecksCompareDnsWithTheServersAddresses) {
  const AppRecord app = image_app("web");
  auto added = add(member_, app.id, {.hostname = "shop.example.test"});
  ASSERT_TRUE(added);
  wait_for_first_check(added->domain.id);
  EXPECT_EQ(resolver_.asked.front(), "shop.example.test");
  resolver_.answers["shop.example.test"] = {{.type = "A", .value = "198.51.100.9"}};
  auto elsewhere = domains_.check(as(member_), team_, added->domain.id);
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_EQ(elsewhere->domain.dns_status, "elsewhere");
  EXPECT_TRUE(elsewhere->domain.dns_checked_at.has_value());

  // The agent's reported addresses count until an admin states others.
  ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
    auto server = tx.get_server(team_, server_);
    (*server)->facts["addresses"] = {"198.51.100.9"};
    return tx.update_server(**server);
  }));
  auto ok = domains_.check(as(member_), team_, added->domain.id);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->domain.dns_status, "ok");
  EXPECT_EQ(ok->domain.dns_records, json::parse(R"([{"type":"A","value":"198.51.100.9"}])"));
  ASSERT_TRUE(store_->write([&](Tx& tx) {
    return tx.put_proxy_settings({.server_id = server_, .public_addresses = {"203.0.113.50"}});
  }));
  auto stated = domains_.check(as(member_), team_, added->domain.id);
  ASSERT_TRUE(stated);
  EXPECT_EQ(stated->domain.dns_status, "elsewhere");

  auto filtered = domains_.list(as(viewer_), team_, {.dns = "elsewhere"}, {});
  ASSERT_TRUE(filtered);
  ASSERT_EQ(filtered->items.size(), 1U);
  EXPECT_EQ(filtered->items[0].domain.id, added->domain.id);
  EXPECT_FALSE(domains_.check(as(viewer_), team_, added->domain.id));
}

TEST_F(DomainServiceTest, TheDailyRoundChecksWhatWasNotCheckedForADay) {
  const AppRecord app = image_app("web");
  auto added = add(member_, app.id, {.hostname = "daily.example.test"});
  ASSERT_TRUE(added);
  wait_for_first_check(added->domain.id);
  const auto first = domains_.get(as(viewer_), team_, added->domain.id)->domain.dns_checked_at;
  resolver_.answers["daily.example.test"] = {{.type = "A", .value = "203.0.113.7"}};
  domains_.check_due();  // checked moments ago: nothing is due
  clock_.advance(std::chrono::hours(25));
  domains_.check_due();
  for (int i = 0; i < 500; ++i) {
    auto found = domains_.get(as(viewer_), team_, added->domain.id);
    if (found && found->domain.dns_checked_at != first && found->domain.dns_records.size() == 1) {
      EXPECT_EQ(found->domain.dns_records[0]["value"], "203.0.113.7");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "check_due did not check the domain again";
}

TEST_F(DomainServiceTest, ChangesToADeployedAppsDomainsReapplyItsServersRoutes) {
  AppRecord app = image_app("web");
  lifecycle_.routes.clear();
  ASSERT_TRUE(add(member_, app.id, {.hostname = "a.shop.test"}));
  EXPECT_TRUE(lifecycle_.routes.empty());  // never deployed: no route yet
  app.status = "running";
  app.current_deployment_id = ids_.next("dep");
  ASSERT_TRUE(store_->write([&](Tx& tx) { return tx.update_app(app); }));
  auto added = add(member_, app.id, {.hostname = "b.shop.test"});
  ASSERT_TRUE(added);
  ASSERT_TRUE(domains_.update(as(member_), team_, added->domain.id, {.hsts = true}, client()));
  ASSERT_TRUE(domains_.remove(as(member_), team_, added->domain.id, client()));
  EXPECT_EQ(lifecycle_.routes, (std::vector<std::string>{server_, server_, server_}));
}

}  // namespace
}  // namespace berth

namespace berth {
namespace {

// The certificate watch: what the server serves is asked for the domains with TLS on, kept
// on each, and turned into server events when a certificate nears its end or cannot be
// obtained — once per change, not at every reading.
TEST_F(DomainServiceTest, CertificatesReadBackAreKeptAndRaiseEventsOncePerChange) {
  const AppRecord app = image_app("web");  // its primary domain follows the server's TLS
  auto plain = add(member_, app.id, {.hostname = "plain.shop.test", .tls = "off"});
  auto internal = add(member_, app.id, {.hostname = "secure.shop.test", .tls = "internal"});
  ASSERT_TRUE(plain && internal);
  std::vector<std::vector<std::string>> asked;
  std::vector<std::pair<std::string, json>> events;
  const std::string soon = format_rfc3339(clock_.now() + std::chrono::hours(24 * 10));
  json answer = json::array({{{"host", "secure.shop.test"},
                              {"certificate",
                               {{"subject", "secure.shop.test"},
                                {"issuer", "Caddy Local Authority"},
                                {"not_after", soon},
                                {"sans", {"secure.shop.test"}}}},
                              {"error", nullptr},
                              {"acme",
                               {{"error", "could not get certificate from issuer: rateLimited"},
                                {"failed_at", "2026-12-05T10:00:00.000Z"},
                                {"obtained_at", nullptr}}}}});
  domains_.set_certificate_hooks(
      {.read = [&](std::string_view server_id,
                   const std::vector<std::string>& hosts) -> Result<json> {
         EXPECT_EQ(server_id, server_);
         asked.push_back(hosts);
         return answer;
       },
       .event = [&](std::string_view, std::string kind,
                    json details) { events.emplace_back(std::move(kind), std::move(details)); }});
  ASSERT_TRUE(domains_.check_certificates(server_));
  ASSERT_EQ(asked.size(), 1U);
  // The server's TLS is off by default: only the domain with its own TLS is asked about.
  EXPECT_EQ(asked[0], std::vector<std::string>{"secure.shop.test"});
  auto read = domains_.get(as(viewer_), team_, internal->domain.id);
  ASSERT_TRUE(read);
  const json& status = read->domain.certificate_status;
  EXPECT_EQ(status["served"]["issuer"], "Caddy Local Authority");
  EXPECT_EQ(status["acme_error"], "could not get certificate from issuer: rateLimited");
  EXPECT_EQ(status["checked_at"], format_rfc3339(clock_.now()));
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].first, "certificate_expiring");
  EXPECT_EQ(events[0].second["not_after"], soon);
  EXPECT_EQ(events[1].first, "certificate_failed");
  EXPECT_EQ(events[1].second["hostname"], "secure.shop.test");

  // The same reading again: nothing new to say.
  ASSERT_TRUE(domains_.check_certificates(server_));
  EXPECT_EQ(events.size(), 2U);
  // Renewed, and issued at last: the status follows, still no event.
  answer[0]["certificate"]["not_after"] =
      format_rfc3339(clock_.now() + std::chrono::hours(24 * 80));
  answer[0]["acme"] = nullptr;
  ASSERT_TRUE(domains_.check_certificates(server_));
  EXPECT_EQ(events.size(), 2U);
  read = domains_.get(as(viewer_), team_, internal->domain.id);
  EXPECT_TRUE(read->domain.certificate_status["acme_error"].is_null());
  EXPECT_TRUE(
      domains_.get(as(viewer_), team_, plain->domain.id)->domain.certificate_status.is_null());

  // An agent that cannot answer: the error is the caller's, the last reading stays.
  domains_.set_certificate_hooks(
      {.read = [](std::string_view, const std::vector<std::string>&) -> Result<json> {
         return fail(Error::unavailable("offline"));
       },
       .event = {}});
  EXPECT_FALSE(domains_.check_certificates(server_));
  EXPECT_EQ(domains_.get(as(viewer_), team_, internal->domain.id)->domain.certificate_status,
            read->domain.certificate_status);
}

}  // namespace
}  // namespace berth
