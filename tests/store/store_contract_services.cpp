// The Store contract, part 15: managed services and their links.
#include <fmt/format.h>

#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

// Found by argument-dependent lookup from the contract helpers, so outside the anonymous
// namespace.
std::string to_text(const ServiceRecord& s) {
  return fmt::format(
      "service {} team={} project={} server={} name={} engine={} spec={} status={} message={} "
      "container={} volume={} credentials={} created={} updated={}",
      s.id, s.team_id, s.project_id, s.server_id, s.name, s.engine, s.spec.dump(), s.status,
      s.status_message, s.container_name, s.volume_name, s.credentials_sealed,
      time_text(s.created_at), time_text(s.updated_at));
}

namespace {

std::string service_id(int n) { return fmt::format("svc_{:04}", n); }

// svc_000n "service-n" of team_id(team) in project_id(project) on server_id(server).
ServiceRecord test_service(int n, int team, int project, int server) {
  ServiceRecord service{.id = service_id(n),
                        .team_id = team_id(team),
                        .project_id = project_id(project),
                        .server_id = server_id(server),
                        .name = fmt::format("service-{}", n),
                        .engine = "postgres",
                        .volume_name = fmt::format("berth-svc-{}", n),
                        .credentials_sealed = fmt::format("sealed-{}", n)};
  service.created_at = test_time(n);
  service.updated_at = test_time(n);
  return service;
}

Result<void> create(Store& store, const ServiceRecord& service) {
  return store.write([&](Tx& tx) { return tx.create_service(service); });
}

std::vector<std::string> listed_services(Store& store, const ServiceQuery& query) {
  auto page = read_tx(store, [&](Tx& tx) { return tx.list_services(query); });
  return page ? ids_of(page->items) : std::vector<std::string>{"<error>"};
}

std::vector<std::string> linked_apps(Store& store, const std::string& service) {
  auto links = read_tx(store, [&](Tx& tx) { return tx.list_service_links(service); });
  std::vector<std::string> out;
  for (const auto& link : links.value_or(std::vector<ServiceLinkRecord>{})) {
    out.push_back(link.app_id);
  }
  return out;
}

// Team 1: server 1, projects 1 and 2, apps 1 and 2 in project 1; team 2: server 2, project 3.
AppSeed two_teams() {
  return {.teams = {test_team(1), test_team(2)},
          .servers = {test_server(1, 1), test_server(2, 2)},
          .projects = {test_project(1, 1), test_project(2, 1), test_project(3, 2)},
          .apps = {test_app(1, 1, 1, 1), test_app(2, 1, 1, 1)}};
}

}  // namespace

TEST_P(StoreContract, ServiceRoundTripsEveryColumn) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams()));
  const ServiceRecord plain = test_service(1, 1, 1, 1);
  ServiceRecord full = test_service(2, 1, 2, 1);
  full.engine = "redis";
  full.spec = {{"version", "7"}, {"image", "redis:7"}, {"publish", nullptr}};
  full.status = "failed";
  full.status_message = "docker.run: no such image";
  full.container_name = "berth-svc-service-2";
  full.updated_at = test_time(9);
  BERTH_ASSERT_OK(create(store(), plain));
  BERTH_ASSERT_OK(create(store(), full));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service(team_id(1), plain.id); })),
            to_text(std::optional(plain)));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service("", full.id); })),
            to_text(std::optional(full)));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service(team_id(2), full.id); })),
            "<none>");

  ServiceRecord changed = full;
  changed.status = "running";
  changed.status_message = "";
  changed.spec["version"] = "7.2";
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_service(changed); }));
  EXPECT_EQ(to_text(read_tx(store(), [&](Tx& tx) { return tx.get_service("", full.id); })),
            to_text(std::optional(changed)));

  changed.status = "sleeping";
  EXPECT_EQ(store().write([&](Tx& tx) { return tx.update_service(changed); }).error().kind,
            ErrorKind::invalid);
}

TEST_P(StoreContract, ServiceNamesAreUniquePerTeam) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams()));
  BERTH_ASSERT_OK(create(store(), test_service(1, 1, 1, 1)));
  ServiceRecord same = test_service(2, 1, 2, 1);
  same.name = "service-1";
  const auto taken = create(store(), same);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::conflict);
  EXPECT_EQ(taken.error().code, "service_name_taken");
  ServiceRecord other_team = test_service(3, 2, 3, 2);
  other_team.name = "service-1";
  BERTH_EXPECT_OK(create(store(), other_team));
}

TEST_P(StoreContract, ServicesListFilterCountAndLinks) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams()));
  ServiceRecord cache = test_service(2, 1, 2, 1);
  cache.engine = "redis";
  for (const auto& service : {test_service(1, 1, 1, 1), cache, test_service(3, 2, 3, 2)}) {
    BERTH_ASSERT_OK(create(store(), service));
  }
  EXPECT_EQ(listed_services(store(), {.team_id = team_id(1)}),
            (std::vector<std::string>{service_id(1), service_id(2)}));
  EXPECT_EQ(listed_services(store(), {.team_id = team_id(1), .project_id = project_id(2)}),
            (std::vector<std::string>{service_id(2)}));
  EXPECT_EQ(listed_services(store(), {.team_id = team_id(1), .engine = "redis"}),
            (std::vector<std::string>{service_id(2)}));
  EXPECT_EQ(listed_services(store(), {.team_id = team_id(1), .q = "VICE-1"}),
            (std::vector<std::string>{service_id(1)}));
  EXPECT_EQ(listed_services(store(), {.team_id = team_id(2), .server_id = server_id(2)}),
            (std::vector<std::string>{service_id(3)}));
  ServiceRecord busy = cache;
  busy.status = "deploying";
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_service(busy); }));
  EXPECT_EQ(listed_services(store(), {.team_id = {}, .status = "deploying"}),
            (std::vector<std::string>{service_id(2)}));
  EXPECT_EQ(read_tx(store(), [](Tx& tx) { return tx.count_project_services(project_id(1)); }),
            std::int64_t{1});

  const ServiceLinkRecord link{.app_id = app_id(1),
                               .service_id = service_id(1),
                               .env_prefix = "MAIN_",
                               .env_keys = {"MAIN_DATABASE_URL", "MAIN_DATABASE_HOST"},
                               .created_at = test_time(20)};
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.put_service_link(link); }));
  BERTH_ASSERT_OK(store().write([&](Tx& tx) {
    return tx.put_service_link({.app_id = app_id(2),
                                .service_id = service_id(1),
                                .env_prefix = {},
                                .env_keys = {},
                                .created_at = test_time(21)});
  }));
  auto of_app = read_tx(store(), [](Tx& tx) { return tx.list_app_links(app_id(1)); });
  ASSERT_TRUE(of_app);
  ASSERT_EQ(of_app->size(), 1U);
  EXPECT_EQ((*of_app)[0].env_prefix, "MAIN_");
  EXPECT_EQ((*of_app)[0].env_keys, link.env_keys);
  EXPECT_EQ(time_text((*of_app)[0].created_at), time_text(link.created_at));
  EXPECT_EQ(linked_apps(store(), service_id(1)), (std::vector<std::string>{app_id(1), app_id(2)}));

  auto unlink = [&] {
    return write_value<bool>(
        store(), [](Tx& tx) { return tx.delete_service_link(app_id(2), service_id(1)); });
  };
  EXPECT_EQ(unlink(), true);
  EXPECT_EQ(unlink(), false);
  // An app's deletion takes its links; a service's deletion takes the rest.
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_app(app_id(1)); }));
  EXPECT_TRUE(linked_apps(store(), service_id(1)).empty());
  BERTH_ASSERT_OK(store().write([&](Tx& tx) {
    return tx.put_service_link({.app_id = app_id(2),
                                .service_id = service_id(1),
                                .env_prefix = {},
                                .env_keys = {},
                                .created_at = test_time(22)});
  }));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_service(service_id(1)); }));
  auto left = read_tx(store(), [](Tx& tx) { return tx.list_app_links(app_id(2)); });
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty());
  EXPECT_EQ(store().write([](Tx& tx) { return tx.delete_service(service_id(1)); }).error().kind,
            ErrorKind::not_found);
  // The server's deletion takes its services.
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_server(server_id(2)); }));
  EXPECT_TRUE(listed_services(store(), {.team_id = team_id(2)}).empty());
}

}  // namespace berth
