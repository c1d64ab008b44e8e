// The Store contract, part 14: domains.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const DomainRecord& d) {
  return fmt::format(
      "domain {} team={} app={} host={} prefix={} primary={} tls={} redirect={} https={} "
      "hsts={} chain={} key={} info={} dns={} records={} checked={} created={} updated={} "
      "certificate_status={}",
      d.id, d.team_id, d.app_id, d.hostname, d.path_prefix, d.is_primary, d.tls, d.redirect_to,
      d.https_redirect, d.hsts, d.cert_chain, d.cert_key_sealed, d.cert_info.dump(), d.dns_status,
      d.dns_records.dump(), time_text(d.dns_checked_at), time_text(d.created_at),
      time_text(d.updated_at), d.certificate_status.dump());
}

namespace {

std::string domain_id(int n) { return fmt::format("dom_{:04}", n); }

// dom_000n of app_id(app) in team_id(team), hostname "d<n>.example.test".
DomainRecord test_domain(int n, int team, int app) {
  DomainRecord domain{.id = domain_id(n),
                      .team_id = team_id(team),
                      .app_id = app_id(app),
                      .hostname = fmt::format("d{}.example.test", n)};
  domain.created_at = test_time(n);
  domain.updated_at = test_time(n);
  return domain;
}

// Every column away from its default.
DomainRecord full_domain(int n, int team, int app) {
  DomainRecord domain = test_domain(n, team, app);
  domain.path_prefix = "/api";
  domain.is_primary = true;
  domain.tls = "custom";
  domain.redirect_to = domain_id(n + 1);
  domain.https_redirect = false;
  domain.hsts = true;
  domain.cert_chain = "-----BEGIN CERTIFICATE-----";
  domain.cert_key_sealed = "sealed-key";
  domain.cert_info = {{"subject", "CN=x"}, {"sans", {"d.example.test"}}};
  domain.dns_status = "elsewhere";
  domain.dns_records = {{{"type", "A"}, {"value", "198.51.100.1"}}};
  domain.dns_checked_at = test_time(n + 5);
  domain.updated_at = test_time(n + 6);
  domain.certificate_status = {{"served", {{"issuer", "R11"}}}, {"acme_error", nullptr}};
  return domain;
}

Result<void> create(Store& store, const DomainRecord& domain) {
  return store.write([&](Tx& tx) { return tx.create_domain(domain); });
}

std::vector<std::string> listed(Store& store, const DomainQuery& query) {
  auto page = read_tx(store, [&](Tx& tx) { return tx.list_domains(query); });
  return page ? ids_of(page->items) : std::vector<std::string>{"<error>"};
}

// Team 1 with app 1 and 2 on server 1; team 2 with app 3 on server 2.
AppSeed two_teams_three_apps() {
  return {.teams = {test_team(1), test_team(2)},
          .servers = {test_server(1, 1), test_server(2, 2)},
          .apps = {test_app(1, 1, 1), test_app(2, 1, 1), test_app(3, 2, 2)}};
}

}  // namespace

TEST_P(StoreContract, DomainRoundTripsEveryColumn) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_three_apps()));
  const DomainRecord plain = test_domain(1, 1, 1);
  const DomainRecord full = full_domain(2, 1, 1);
  BERTH_ASSERT_OK(create(store(), plain));
  BERTH_ASSERT_OK(create(store(), full));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_domain(team_id(1), plain.id); })),
            to_text(std::optional(plain)));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_domain("", full.id); })),
            to_text(std::optional(full)));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_domain(team_id(2), full.id); })),
            "<none>");

  DomainRecord changed = full;
  changed.tls = "";
  changed.dns_status = "ok";
  changed.dns_checked_at = std::nullopt;
  changed.certificate_status = nullptr;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_domain(changed); }));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_domain("", full.id); })),
            to_text(std::optional(changed)));
}

TEST_P(StoreContract, DomainHostnameAndPrefixAreUniqueAcrossTeams) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_three_apps()));
  BERTH_ASSERT_OK(create(store(), test_domain(1, 1, 1)));
  DomainRecord same = test_domain(2, 2, 3);
  same.hostname = "d1.example.test";
  const auto taken = create(store(), same);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::conflict);
  EXPECT_EQ(taken.error().code, "hostname_taken");
  same.path_prefix = "/other";  // the store allows another prefix; the service decides
  BERTH_EXPECT_OK(create(store(), same));
}

TEST_P(StoreContract, DomainsListFilterAndGoWithTheirApp) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_three_apps()));
  DomainRecord checked = test_domain(3, 1, 2);
  checked.dns_status = "ok";
  checked.dns_checked_at = test_time(100);
  for (const auto& domain :
       {test_domain(1, 1, 1), test_domain(2, 1, 1), checked, test_domain(4, 2, 3)}) {
    BERTH_ASSERT_OK(create(store(), domain));
  }
  EXPECT_EQ(listed(store(), {.team_id = team_id(1)}),
            (std::vector<std::string>{domain_id(1), domain_id(2), domain_id(3)}));
  EXPECT_EQ(listed(store(), {.team_id = team_id(1), .app_id = app_id(1)}),
            (std::vector<std::string>{domain_id(1), domain_id(2)}));
  EXPECT_EQ(listed(store(), {.team_id = team_id(1), .dns_status = "ok"}),
            (std::vector<std::string>{domain_id(3)}));
  EXPECT_EQ(listed(store(), {.team_id = team_id(1), .q = "D2.EXAMPLE"}),
            (std::vector<std::string>{domain_id(2)}));
  EXPECT_EQ(listed(store(), {.team_id = team_id(1), .page = 2, .per_page = 2}),
            (std::vector<std::string>{domain_id(3)}));

  auto by_host =
      read_tx(store(), [](Tx& tx) { return tx.find_domains_by_hostname("d4.example.test"); });
  ASSERT_TRUE(by_host);
  EXPECT_EQ(ids_of(*by_host), (std::vector<std::string>{domain_id(4)}));

  // Never checked first, then the oldest check; a check newer than `before` is left out.
  auto due = read_tx(store(), [](Tx& tx) { return tx.list_domains_to_check(test_time(50), 10); });
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, (std::vector<std::string>{domain_id(1), domain_id(2), domain_id(4)}));
  due = read_tx(store(), [](Tx& tx) { return tx.list_domains_to_check(test_time(200), 10); });
  ASSERT_TRUE(due);
  EXPECT_EQ(due->size(), 4U);

  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_domain(domain_id(2)); }));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_app(app_id(1)); }));
  auto left = read_tx(store(), [](Tx& tx) { return tx.list_app_domains(app_id(1)); });
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty());
  EXPECT_EQ(listed(store(), {.team_id = team_id(1)}), (std::vector<std::string>{domain_id(3)}));
  EXPECT_EQ(store().write([](Tx& tx) { return tx.delete_domain(domain_id(2)); }).error().kind,
            ErrorKind::not_found);
}

}  // namespace berth
