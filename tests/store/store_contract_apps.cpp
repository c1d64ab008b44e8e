// The Store contract, part 10: projects, apps and env vars.
#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

namespace {

Result<std::optional<ProjectRecord>> get_project(Store& store, std::string_view team, int n) {
  return read_tx(store, [&](Tx& tx) { return tx.get_project(team, project_id(n)); });
}

Result<std::optional<AppRecord>> get_app(Store& store, std::string_view team, int n) {
  return read_tx(store, [&](Tx& tx) { return tx.get_app(team, app_id(n)); });
}

std::vector<std::string> app_ids(Store& store, const AppQuery& query) {
  auto listed = read_tx(store, [&](Tx& tx) { return tx.list_apps(query); });
  return listed ? ids_of(listed->items) : std::vector<std::string>{"<error>"};
}

Result<std::vector<EnvVarRecord>> env_of(Store& store, std::string_view scope,
                                         std::string_view id) {
  return read_tx(store, [&](Tx& tx) { return tx.list_env_vars(scope, id); });
}

std::vector<std::string> env_keys(Store& store, std::string_view scope, std::string_view id) {
  auto vars = env_of(store, scope, id);
  if (!vars) {
    return {"<error>"};
  }
  std::vector<std::string> keys;
  for (const auto& var : *vars) {
    keys.push_back(var.key);
  }
  return keys;
}

Result<void> put_env(Store& store, const EnvVarRecord& var) {
  return store.write([&](Tx& tx) { return tx.put_env_var(var); });
}

std::string error_code(const Result<void>& result) {
  return result ? std::string("<ok>") : result.error().code;
}

// Two teams; servers 1 and 2 in team 1, server 3 in team 2; project 1 in team 1.
AppSeed two_teams_with_a_project() {
  return {.teams = {test_team(1), test_team(2)},
          .servers = {test_server(1, 1), test_server(2, 1), test_server(3, 2)},
          .projects = {test_project(1, 1)}};
}

}  // namespace

TEST_P(StoreContract, ProjectRoundTripsAndIsScopedToItsTeam) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_a_project()));
  const auto expected = to_text(std::optional(test_project(1, 1)));
  EXPECT_EQ(to_text(get_project(store(), team_id(1), 1)), expected);
  EXPECT_EQ(to_text(get_project(store(), "", 1)), expected);
  EXPECT_EQ(to_text(get_project(store(), team_id(2), 1)), "<none>");
  EXPECT_EQ(to_text(get_project(store(), "", 9)), "<none>");
}

TEST_P(StoreContract, ProjectNamesAreUniquePerTeam) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_a_project()));
  ProjectRecord same_name = test_project(2, 1);
  same_name.name = "project-1";
  const auto taken = seed_apps(store(), {.projects = {same_name}});
  EXPECT_EQ(error_kind(taken), ErrorKind::conflict);
  EXPECT_EQ(error_code(taken), "project_name_taken");
  same_name.team_id = team_id(2);  // the same name in another team is fine
  BERTH_EXPECT_OK(seed_apps(store(), {.projects = {same_name}}));

  BERTH_ASSERT_OK(seed_apps(store(), {.projects = {test_project(3, 1)}}));
  ProjectRecord renamed = test_project(3, 1);
  renamed.name = "project-1";
  const auto rename = store().write([&](Tx& tx) { return tx.update_project(renamed); });
  EXPECT_EQ(error_code(rename), "project_name_taken");
  // Keeping its own name is no conflict.
  BERTH_EXPECT_OK(store().write([](Tx& tx) { return tx.update_project(test_project(3, 1)); }));
  EXPECT_EQ(error_kind(seed_apps(store(), {.projects = {test_project(1, 2)}})),
            ErrorKind::conflict);  // a duplicate id
}

TEST_P(StoreContract, UpdateAndDeleteProject) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_a_project()));
  ProjectRecord changed = test_project(1, 1);
  changed.name = "renamed";
  changed.description = "";
  changed.created_at = test_time(5);
  changed.updated_at = test_time(50, 7);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_project(changed); }));
  EXPECT_EQ(to_text(get_project(store(), "", 1)), to_text(std::optional(changed)));
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.update_project(test_project(9, 1)); })),
            ErrorKind::not_found);

  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_project(project_id(1)); }));
  EXPECT_EQ(to_text(get_project(store(), "", 1)), "<none>");
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.delete_project(project_id(1)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, ListProjectsOrdersByNameAndPages) {
  AppSeed records = two_teams_with_a_project();
  for (int n : {4, 2, 3}) {
    records.projects.push_back(test_project(n, 1));
  }
  records.projects.push_back(test_project(5, 2));
  BERTH_ASSERT_OK(seed_apps(store(), records));
  const auto page = [&](std::int64_t number) {
    return read_tx(store(), [&](Tx& tx) { return tx.list_projects(team_id(1), number, 3); });
  };
  auto first = page(1);
  BERTH_ASSERT_OK(first);
  EXPECT_EQ(ids_of(first->items),
            (std::vector<std::string>{project_id(1), project_id(2), project_id(3)}));
  EXPECT_EQ(first->total, 4);
  auto second = page(2);
  BERTH_ASSERT_OK(second);
  EXPECT_EQ(ids_of(second->items), std::vector<std::string>{project_id(4)});
  EXPECT_EQ(error_kind(page(0)), ErrorKind::invalid);
}

TEST_P(StoreContract, AppRoundTripsEveryFieldAndIsScopedToItsTeam) {
  AppSeed records = two_teams_with_a_project();
  const AppRecord full = full_app(1, 1, 1, 1);
  const AppRecord plain = test_app(2, 1, 2);  // in no project
  records.apps = {full, plain};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  EXPECT_EQ(to_text(get_app(store(), team_id(1), 1)), to_text(std::optional(full)));
  EXPECT_EQ(to_text(get_app(store(), "", 1)), to_text(std::optional(full)));
  EXPECT_EQ(to_text(get_app(store(), team_id(1), 2)), to_text(std::optional(plain)));
  EXPECT_EQ(to_text(get_app(store(), team_id(2), 1)), "<none>");
  EXPECT_EQ(to_text(get_app(store(), "", 9)), "<none>");
}

TEST_P(StoreContract, AppNamesAreUniquePerTeamAndHostnamesPerServer) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(1, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));

  AppRecord same_name = test_app(2, 1, 2);
  same_name.name = "app-1";
  EXPECT_EQ(error_code(seed_apps(store(), {.apps = {same_name}})), "app_name_taken");
  AppRecord same_host = test_app(2, 1, 1);
  same_host.hostname = "app-1.example.test";
  const auto host_taken = seed_apps(store(), {.apps = {same_host}});
  EXPECT_EQ(error_kind(host_taken), ErrorKind::conflict);
  EXPECT_EQ(error_code(host_taken), "hostname_taken");

  // The same hostname on another server, the same name in another team, and any number of
  // apps without a hostname are fine.
  same_host.server_id = server_id(2);
  AppRecord other_team = test_app(3, 2, 3);
  other_team.name = "app-1";
  AppRecord no_host_a = test_app(4, 1, 1);
  AppRecord no_host_b = test_app(5, 1, 1);
  no_host_a.hostname = no_host_b.hostname = "";
  BERTH_ASSERT_OK(seed_apps(store(), {.apps = {same_host, other_team, no_host_a, no_host_b}}));
  EXPECT_EQ(to_text(get_app(store(), "", 4)), to_text(std::optional(no_host_a)));

  // Moving onto a taken hostname or name is refused too.
  AppRecord moved = same_host;
  moved.server_id = server_id(1);
  EXPECT_EQ(error_code(store().write([&](Tx& tx) { return tx.update_app(moved); })),
            "hostname_taken");
  AppRecord renamed = no_host_a;
  renamed.name = "app-2";
  EXPECT_EQ(error_code(store().write([&](Tx& tx) { return tx.update_app(renamed); })),
            "app_name_taken");
}

TEST_P(StoreContract, CreateAppRefusesUnknownReferencesStatusOrDuplicateId) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_a_project()));
  EXPECT_EQ(error_kind(seed_apps(store(), {.apps = {test_app(1, 1, 9)}})), ErrorKind::conflict);
  EXPECT_EQ(error_kind(seed_apps(store(), {.apps = {test_app(1, 1, 1, 9)}})), ErrorKind::conflict);
  AppRecord bad_status = test_app(1, 1, 1);
  bad_status.status = "sleeping";
  EXPECT_EQ(error_kind(seed_apps(store(), {.apps = {bad_status}})), ErrorKind::invalid);
  BERTH_ASSERT_OK(seed_apps(store(), {.apps = {test_app(1, 1, 1)}}));
  AppRecord same_id = test_app(1, 1, 2);
  same_id.name = "other";
  same_id.hostname = "other.example.test";
  EXPECT_EQ(error_kind(seed_apps(store(), {.apps = {same_id}})), ErrorKind::conflict);
}

TEST_P(StoreContract, UpdateAppWritesEveryColumn) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(1, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  const AppRecord changed = full_app(1, 1, 2, 1);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_app(changed); }));
  EXPECT_EQ(to_text(get_app(store(), "", 1)), to_text(std::optional(changed)));
  const AppRecord cleared = test_app(1, 1, 1);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_app(cleared); }));
  EXPECT_EQ(to_text(get_app(store(), "", 1)), to_text(std::optional(cleared)));
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.update_app(test_app(9, 1, 1)); })),
            ErrorKind::not_found);
  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.delete_app(app_id(9)); })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, ListAppsFiltersByProjectServerAndName) {
  AppSeed records = two_teams_with_a_project();
  records.projects.push_back(test_project(2, 1));
  records.apps = {test_app(1, 1, 1, 1), test_app(2, 1, 2, 1), test_app(3, 1, 1),
                  test_app(4, 1, 2, 2), test_app(5, 2, 3)};
  records.apps[2].name = "Web_front";
  BERTH_ASSERT_OK(seed_apps(store(), records));
  using Ids = std::vector<std::string>;
  const std::string t1 = team_id(1);
  // Ordered by name: "Web_front" sorts before "app-…" (upper case first, as bytes).
  EXPECT_EQ(app_ids(store(), {.team_id = t1}), (Ids{app_id(3), app_id(1), app_id(2), app_id(4)}));
  EXPECT_EQ(app_ids(store(), {.team_id = t1, .project_id = project_id(1)}),
            (Ids{app_id(1), app_id(2)}));
  EXPECT_EQ(app_ids(store(), {.team_id = t1, .server_id = server_id(2)}),
            (Ids{app_id(2), app_id(4)}));
  EXPECT_EQ(
      app_ids(store(), {.team_id = t1, .project_id = project_id(1), .server_id = server_id(1)}),
      Ids{app_id(1)});
  // `q` is a case-insensitive substring; LIKE wildcards match themselves.
  EXPECT_EQ(app_ids(store(), {.team_id = t1, .q = "WEB"}), Ids{app_id(3)});
  EXPECT_EQ(app_ids(store(), {.team_id = t1, .q = "_"}), Ids{app_id(3)});
  EXPECT_EQ(app_ids(store(), {.team_id = team_id(2)}), Ids{app_id(5)});

  auto paged = read_tx(
      store(), [&](Tx& tx) { return tx.list_apps({.team_id = t1, .page = 2, .per_page = 3}); });
  BERTH_ASSERT_OK(paged);
  EXPECT_EQ(ids_of(paged->items), Ids{app_id(4)});
  EXPECT_EQ(paged->total, 4);
  EXPECT_EQ(app_ids(store(), {.team_id = t1, .per_page = 0}), Ids{"<error>"});
}

TEST_P(StoreContract, ServerAndProjectAppsAreListedAndCounted) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(2, 1, 1, 1), test_app(1, 1, 1), test_app(3, 1, 2, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  auto on_server = read_tx(store(), [](Tx& tx) { return tx.list_server_apps(server_id(1)); });
  BERTH_ASSERT_OK(on_server);
  EXPECT_EQ(ids_of(*on_server), (std::vector<std::string>{app_id(1), app_id(2)}));
  const auto count = [&](auto fn) { return read_tx(store(), fn).value_or(-1); };
  EXPECT_EQ(count([](Tx& tx) { return tx.count_server_apps(server_id(1)); }), 2);
  EXPECT_EQ(count([](Tx& tx) { return tx.count_server_apps(server_id(3)); }), 0);
  EXPECT_EQ(count([](Tx& tx) { return tx.count_project_apps(project_id(1)); }), 2);
  EXPECT_EQ(count([](Tx& tx) { return tx.count_project_apps(project_id(9)); }), 0);
}

TEST_P(StoreContract, DeletingAProjectKeepsItsAppsAndDeletesItsEnvVars) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(1, 1, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  BERTH_ASSERT_OK(put_env(store(), test_env("project", project_id(1), "SHARED")));
  BERTH_ASSERT_OK(put_env(store(), test_env("app", app_id(1), "OWN")));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_project(project_id(1)); }));

  AppRecord kept = test_app(1, 1, 1);  // now in no project
  EXPECT_EQ(to_text(get_app(store(), "", 1)), to_text(std::optional(kept)));
  EXPECT_EQ(env_keys(store(), "project", project_id(1)), std::vector<std::string>{});
  EXPECT_EQ(env_keys(store(), "app", app_id(1)), std::vector<std::string>{"OWN"});
  // A new project with the same id starts without the old vars.
  BERTH_ASSERT_OK(seed_apps(store(), {.projects = {test_project(1, 1)}}));
  EXPECT_EQ(env_keys(store(), "project", project_id(1)), std::vector<std::string>{});
}

TEST_P(StoreContract, EnvVarsPutReplaceDeleteAndListByKey) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(1, 1, 1), test_app(2, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  const std::string a1 = app_id(1);
  for (const auto* key : {"PORT", "API_TOKEN", "DEBUG"}) {
    BERTH_ASSERT_OK(put_env(store(), test_env("app", a1, key)));
  }
  BERTH_ASSERT_OK(put_env(store(), test_env("app", app_id(2), "OTHER")));
  BERTH_ASSERT_OK(put_env(store(), test_env("project", a1, "SAME_ID_OTHER_SCOPE")));
  EXPECT_EQ(env_keys(store(), "app", a1), (std::vector<std::string>{"API_TOKEN", "DEBUG", "PORT"}));

  // Putting a key again replaces it: here a plain value becomes a sealed secret.
  EnvVarRecord secret = secret_env("app", a1, "API_TOKEN");
  secret.updated_at = test_time(9, 9);
  BERTH_ASSERT_OK(put_env(store(), secret));
  auto vars = env_of(store(), "app", a1);
  BERTH_ASSERT_OK(vars);
  EXPECT_EQ(texts_of(*vars),
            (std::vector<std::string>{to_text(secret), to_text(test_env("app", a1, "DEBUG")),
                                      to_text(test_env("app", a1, "PORT"))}));

  const auto remove = [&](std::string key) {
    return write_tx(store(), [&](Tx& tx) { return tx.delete_env_var("app", a1, key); });
  };
  EXPECT_EQ(remove("DEBUG").value_or(false), true);
  EXPECT_EQ(remove("DEBUG").value_or(true), false);
  EXPECT_EQ(env_keys(store(), "app", a1), (std::vector<std::string>{"API_TOKEN", "PORT"}));
  EXPECT_EQ(env_keys(store(), "app", app_id(2)), std::vector<std::string>{"OTHER"});

  EnvVarRecord bad_scope = test_env("server", a1, "X");
  EXPECT_EQ(error_kind(put_env(store(), bad_scope)), ErrorKind::invalid);
}

TEST_P(StoreContract, ReplaceEnvVarsReplacesTheWholeSetOfItsScope) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(1, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  const std::string p1 = project_id(1);
  BERTH_ASSERT_OK(put_env(store(), test_env("project", p1, "OLD")));
  BERTH_ASSERT_OK(put_env(store(), test_env("app", app_id(1), "KEEP")));
  // Each record lands in the scope of the call, whatever it names itself.
  const std::vector<EnvVarRecord> vars{secret_env("project", p1, "B"),
                                       test_env("app", app_id(1), "A")};
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.replace_env_vars("project", p1, vars); }));
  auto stored = env_of(store(), "project", p1);
  BERTH_ASSERT_OK(stored);
  EXPECT_EQ(texts_of(*stored), (std::vector<std::string>{to_text(test_env("project", p1, "A")),
                                                         to_text(secret_env("project", p1, "B"))}));
  EXPECT_EQ(env_keys(store(), "app", app_id(1)), std::vector<std::string>{"KEEP"});

  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.replace_env_vars("project", p1, {}); }));
  EXPECT_EQ(env_keys(store(), "project", p1), std::vector<std::string>{});
  EXPECT_EQ(error_kind(store().write([&](Tx& tx) { return tx.replace_env_vars("x", p1, {}); })),
            ErrorKind::invalid);
}

TEST_P(StoreContract, DeletingATeamDeletesItsProjectsAppsAndTheirEnvVars) {
  AppSeed records = two_teams_with_a_project();
  records.apps = {test_app(1, 1, 1, 1), test_app(2, 2, 3)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  BERTH_ASSERT_OK(put_env(store(), test_env("project", project_id(1), "P")));
  BERTH_ASSERT_OK(put_env(store(), test_env("app", app_id(1), "A")));
  BERTH_ASSERT_OK(put_env(store(), test_env("app", app_id(2), "B")));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_team(team_id(1)); }));
  EXPECT_EQ(to_text(get_project(store(), "", 1)), "<none>");
  EXPECT_EQ(to_text(get_app(store(), "", 1)), "<none>");
  EXPECT_EQ(env_keys(store(), "project", project_id(1)), std::vector<std::string>{});
  EXPECT_EQ(env_keys(store(), "app", app_id(1)), std::vector<std::string>{});
  EXPECT_EQ(env_keys(store(), "app", app_id(2)), std::vector<std::string>{"B"});
}

}  // namespace berth
