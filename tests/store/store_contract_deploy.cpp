// The Store contract, part 11: deployments and their event log, webhook deliveries, deploy
// hooks and proxy settings.
#include <vector>

#include "store/store_contract_app_records.hpp"

namespace berth {

namespace {

Result<std::optional<DeploymentRecord>> get_deployment(Store& store, std::string_view team, int n) {
  return read_tx(store, [&](Tx& tx) { return tx.get_deployment(team, deployment_id(n)); });
}

std::vector<std::string> deployment_ids(Store& store, const DeploymentQuery& query) {
  auto listed = read_tx(store, [&](Tx& tx) { return tx.list_deployments(query); });
  return listed ? ids_of(listed->items) : std::vector<std::string>{"<error>"};
}

Result<std::int64_t> append(Store& store, const DeploymentEventRecord& event) {
  return write_tx(store, [&](Tx& tx) { return tx.append_deployment_event(event); });
}

Result<std::vector<DeploymentEventRecord>> deployment_events(Store& store, int deployment,
                                                             std::int64_t after_seq,
                                                             std::int64_t limit = 100) {
  return read_tx(store, [&](Tx& tx) {
    return tx.list_deployment_events(deployment_id(deployment), after_seq, limit);
  });
}

std::vector<std::int64_t> seqs_of(const Result<std::vector<DeploymentEventRecord>>& listed) {
  if (!listed) {
    return {-1};
  }
  std::vector<std::int64_t> seqs;
  for (const auto& event : *listed) {
    seqs.push_back(event.seq);
  }
  return seqs;
}

std::int64_t deployment_last_seq(Store& store, int deployment) {
  auto found = get_deployment(store, "", deployment);
  return found && *found ? (*found)->last_seq : -1;
}

Result<bool> deliver(Store& store, int app, std::string id, TimePoint at) {
  return write_tx(store, [&](Tx& tx) { return tx.record_webhook_delivery(app_id(app), id, at); });
}

Result<std::optional<DeployHookRecord>> find_hook(Store& store, int n) {
  return read_tx(
      store, [&](Tx& tx) { return tx.find_deploy_hook_by_hash(test_hook(n, 1, 1).token_hash); });
}

Result<std::optional<ProxySettingsRecord>> proxy(Store& store, int server) {
  return read_tx(store, [&](Tx& tx) { return tx.get_proxy_settings(server_id(server)); });
}

// Two teams; servers 1 and 2 in team 1, server 3 in team 2; apps 1 and 2 in team 1 (on
// servers 1 and 2), app 3 in team 2.
AppSeed two_teams_with_apps() {
  return {.teams = {test_team(1), test_team(2)},
          .servers = {test_server(1, 1), test_server(2, 1), test_server(3, 2)},
          .apps = {test_app(1, 1, 1), test_app(2, 1, 2), test_app(3, 2, 3)}};
}

}  // namespace

TEST_P(StoreContract, DeploymentRoundTripsEveryFieldAndIsScopedToItsTeam) {
  AppSeed records = two_teams_with_apps();
  const DeploymentRecord full = full_deployment(1, 1, 1, 1);
  const DeploymentRecord queued = test_deployment(2, 1, 1, 1);
  records.deployments = {full, queued};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  EXPECT_EQ(to_text(get_deployment(store(), team_id(1), 1)), to_text(std::optional(full)));
  EXPECT_EQ(to_text(get_deployment(store(), "", 1)), to_text(std::optional(full)));
  EXPECT_EQ(to_text(get_deployment(store(), team_id(1), 2)), to_text(std::optional(queued)));
  EXPECT_EQ(to_text(get_deployment(store(), team_id(2), 1)), "<none>");
  EXPECT_EQ(to_text(get_deployment(store(), "", 9)), "<none>");
}

// An unknown state cannot be written at all: DeploymentState is a closed type.
TEST_P(StoreContract, CreateDeploymentRefusesUnknownAppTriggerOrDuplicateId) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_apps()));
  EXPECT_EQ(error_kind(seed_apps(store(), {.deployments = {test_deployment(1, 1, 9, 1)}})),
            ErrorKind::conflict);
  DeploymentRecord bad_trigger = test_deployment(1, 1, 1, 1);
  bad_trigger.trigger = "cron";
  EXPECT_EQ(error_kind(seed_apps(store(), {.deployments = {bad_trigger}})), ErrorKind::invalid);
  BERTH_ASSERT_OK(seed_apps(store(), {.deployments = {test_deployment(1, 1, 1, 1)}}));
  EXPECT_EQ(error_kind(seed_apps(store(), {.deployments = {test_deployment(1, 1, 2, 2)}})),
            ErrorKind::conflict);
  // Stopping and starting an app are deployments too.
  DeploymentRecord stop = test_deployment(2, 1, 1, 1);
  stop.trigger = "stop";
  DeploymentRecord start = test_deployment(3, 1, 1, 1);
  start.trigger = "start";
  BERTH_EXPECT_OK(seed_apps(store(), {.deployments = {stop, start}}));
}

TEST_P(StoreContract, UpdateDeploymentWritesEveryColumnButNeverLowersLastSeq) {
  AppSeed records = two_teams_with_apps();
  records.deployments = {test_deployment(1, 1, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  DeploymentRecord changed = full_deployment(1, 1, 2, 2);
  changed.state = DeploymentState::running;  // the one move a queued deployment makes here
  changed.last_seq = 42;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_deployment(changed); }));
  EXPECT_EQ(to_text(get_deployment(store(), "", 1)), to_text(std::optional(changed)));
  DeploymentRecord cleared = test_deployment(1, 1, 1, 1);
  cleared.state = DeploymentState::running;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_deployment(cleared); }));
  EXPECT_EQ(to_text(get_deployment(store(), "", 1)), to_text(std::optional(cleared)));

  // A caller that read the deployment before its events were appended writes a stale
  // last_seq back.
  BERTH_ASSERT_OK(append(store(), test_deploy_event(1, 1)));
  BERTH_ASSERT_OK(append(store(), test_deploy_event(1, 2)));
  DeploymentRecord stale = cleared;
  stale.state = DeploymentState::running;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_deployment(stale); }));
  EXPECT_EQ(deployment_last_seq(store(), 1), 2);

  EXPECT_EQ(error_kind(store().write(
                [](Tx& tx) { return tx.update_deployment(test_deployment(9, 1, 1, 1)); })),
            ErrorKind::not_found);
  // Ended is ended: no writer may start a finished deployment again.
  DeploymentRecord finished = stale;
  finished.state = DeploymentState::succeeded;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_deployment(finished); }));
  EXPECT_EQ(error_kind(store().write([&](Tx& tx) { return tx.update_deployment(stale); })),
            ErrorKind::conflict);
  finished.step = "switch";  // changing other columns of an ended deployment is fine
  BERTH_EXPECT_OK(store().write([&](Tx& tx) { return tx.update_deployment(finished); }));
  stale.trigger = "exploded";
  EXPECT_EQ(error_kind(store().write([&](Tx& tx) { return tx.update_deployment(stale); })),
            ErrorKind::invalid);
}

TEST_P(StoreContract, ListDeploymentsNewestFirstWithFilters) {
  AppSeed records = two_teams_with_apps();
  for (int n : {3, 1, 4, 2}) {
    records.deployments.push_back(test_deployment(n, 1, n % 2 == 0 ? 2 : 1, 1));
  }
  DeploymentRecord tie = test_deployment(5, 1, 1, 1);  // same time: the higher id is newer
  tie.created_at = test_time(4);
  tie.state = DeploymentState::succeeded;
  records.deployments.push_back(tie);
  records.deployments.push_back(test_deployment(6, 2, 3, 3));
  records.deployments[1].state = DeploymentState::failed;  // dep_0001
  BERTH_ASSERT_OK(seed_apps(store(), records));
  using Ids = std::vector<std::string>;
  const auto d = [](int n) { return deployment_id(n); };
  EXPECT_EQ(deployment_ids(store(), {}), (Ids{d(6), d(5), d(4), d(3), d(2), d(1)}));
  EXPECT_EQ(deployment_ids(store(), {.team_id = team_id(1)}), (Ids{d(5), d(4), d(3), d(2), d(1)}));
  EXPECT_EQ(deployment_ids(store(), {.app_id = app_id(1)}), (Ids{d(5), d(3), d(1)}));
  EXPECT_EQ(
      deployment_ids(store(), {.states = {DeploymentState::succeeded, DeploymentState::failed}}),
      (Ids{d(5), d(1)}));
  EXPECT_EQ(deployment_ids(store(), {.app_id = app_id(1), .states = {DeploymentState::queued}}),
            Ids{d(3)});

  auto paged = read_tx(store(), [](Tx& tx) {
    return tx.list_deployments({.team_id = team_id(1), .page = 2, .per_page = 2});
  });
  BERTH_ASSERT_OK(paged);
  EXPECT_EQ(ids_of(paged->items), (Ids{d(3), d(2)}));
  EXPECT_EQ(paged->total, 5);
}

TEST_P(StoreContract, DeploymentEventsAreNumberedPerDeployment) {
  AppSeed records = two_teams_with_apps();
  records.deployments = {test_deployment(1, 1, 1, 1), test_deployment(2, 1, 1, 1)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  // The seq in the record is ignored: the store assigns 1, 2, 3 … per deployment.
  DeploymentEventRecord first = test_deploy_event(1, 1, "step");
  first.seq = 77;
  EXPECT_EQ(append(store(), first).value_or(-1), 1);
  EXPECT_EQ(append(store(), test_deploy_event(2, 2, "done")).value_or(-1), 1);
  EXPECT_EQ(append(store(), test_deploy_event(1, 3)).value_or(-1), 2);
  EXPECT_EQ(append(store(), test_deploy_event(1, 4, "state")).value_or(-1), 3);
  EXPECT_EQ(deployment_last_seq(store(), 1), 3);
  EXPECT_EQ(deployment_last_seq(store(), 2), 1);

  auto all = deployment_events(store(), 1, 0);
  BERTH_ASSERT_OK(all);
  DeploymentEventRecord stored = first;
  stored.seq = 1;
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ(to_text((*all)[0]), to_text(stored));
  EXPECT_EQ(seqs_of(deployment_events(store(), 1, 1)), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(seqs_of(deployment_events(store(), 1, 0, 2)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(seqs_of(deployment_events(store(), 1, 3)), std::vector<std::int64_t>{});
  EXPECT_EQ(seqs_of(deployment_events(store(), 1, 0, 0)), std::vector<std::int64_t>{-1});

  EXPECT_EQ(error_kind(append(store(), test_deploy_event(9, 1))), ErrorKind::conflict);
  EXPECT_EQ(error_kind(append(store(), test_deploy_event(1, 5, "chatter"))), ErrorKind::invalid);
  EXPECT_EQ(deployment_last_seq(store(), 1), 3);  // a refused event changes nothing
}

TEST_P(StoreContract, WebhookDeliveriesAreRecordedOnceAndPruned) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_apps()));
  EXPECT_EQ(deliver(store(), 1, "d-1", test_time(1)).value_or(false), true);
  EXPECT_EQ(deliver(store(), 1, "d-1", test_time(2)).value_or(true), false);
  EXPECT_EQ(deliver(store(), 2, "d-1", test_time(3)).value_or(false), true);  // another app
  EXPECT_EQ(deliver(store(), 1, "d-2", test_time(10)).value_or(false), true);
  EXPECT_EQ(error_kind(deliver(store(), 9, "d-1", test_time(1))), ErrorKind::conflict);

  auto pruned = write_tx(store(), [](Tx& tx) { return tx.prune_webhook_deliveries(test_time(5)); });
  EXPECT_EQ(pruned.value_or(-1), 2);
  // A pruned delivery id counts as new again; a kept one does not.
  EXPECT_EQ(deliver(store(), 1, "d-1", test_time(20)).value_or(false), true);
  EXPECT_EQ(deliver(store(), 1, "d-2", test_time(20)).value_or(true), false);
}

TEST_P(StoreContract, DeployHooksAreFoundByHashListedDeletedAndTouched) {
  AppSeed records = two_teams_with_apps();
  records.hooks = {test_hook(1, 1, 1), test_hook(2, 1, 1), test_hook(3, 1, 2)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  EXPECT_EQ(to_text(find_hook(store(), 1)), to_text(std::optional(test_hook(1, 1, 1))));
  EXPECT_EQ(to_text(find_hook(store(), 9)), "<none>");
  auto listed = read_tx(store(), [](Tx& tx) { return tx.list_deploy_hooks(app_id(1)); });
  BERTH_ASSERT_OK(listed);
  EXPECT_EQ(ids_of(*listed), (std::vector<std::string>{hook_id(2), hook_id(1)}));

  BERTH_ASSERT_OK(
      store().write([](Tx& tx) { return tx.touch_deploy_hook(hook_id(1), test_time(50)); }));
  DeployHookRecord touched = test_hook(1, 1, 1);
  touched.last_used_at = test_time(50);
  EXPECT_EQ(to_text(find_hook(store(), 1)), to_text(std::optional(touched)));
  EXPECT_EQ(error_kind(store().write(
                [](Tx& tx) { return tx.touch_deploy_hook(hook_id(9), test_time(50)); })),
            ErrorKind::not_found);

  const auto remove = [&](int app, int n) {
    return write_tx(store(),
                    [&](Tx& tx) { return tx.delete_deploy_hook(app_id(app), hook_id(n)); });
  };
  EXPECT_EQ(remove(2, 1).value_or(true), false);  // not this app's
  EXPECT_EQ(remove(1, 1).value_or(false), true);
  EXPECT_EQ(remove(1, 1).value_or(true), false);
  EXPECT_EQ(to_text(find_hook(store(), 1)), "<none>");

  DeployHookRecord same_hash = test_hook(4, 1, 1);
  same_hash.token_hash = test_hook(2, 1, 1).token_hash;
  EXPECT_EQ(error_kind(seed_apps(store(), {.hooks = {same_hash}})), ErrorKind::conflict);
}

TEST_P(StoreContract, ProxySettingsAreAbsentUntilPutAndGoWithTheServer) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_apps()));
  EXPECT_EQ(to_text(proxy(store(), 1)), "<none>");
  const auto put = [&](const ProxySettingsRecord& settings) {
    return store().write([&](Tx& tx) { return tx.put_proxy_settings(settings); });
  };
  BERTH_ASSERT_OK(put(test_proxy(1)));
  EXPECT_EQ(to_text(proxy(store(), 1)), to_text(std::optional(test_proxy(1))));
  ProxySettingsRecord changed = test_proxy(1);
  changed.base_domain = "";
  changed.http_port = 80;
  changed.https_port = 443;
  changed.tls = "acme";
  changed.updated_at = test_time(99);
  BERTH_ASSERT_OK(put(changed));
  EXPECT_EQ(to_text(proxy(store(), 1)), to_text(std::optional(changed)));
  // The ACME settings are kept as given, and cleared again by a put without them.
  changed.acme_ca = "https://ca.example.test/acme/local/directory";
  changed.acme_ca_root = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  changed.acme_email = "ops@example.test";
  BERTH_ASSERT_OK(put(changed));
  EXPECT_EQ(to_text(proxy(store(), 1)), to_text(std::optional(changed)));
  changed.acme_ca = changed.acme_ca_root = changed.acme_email = "";
  BERTH_ASSERT_OK(put(changed));
  EXPECT_EQ(to_text(proxy(store(), 1)), to_text(std::optional(changed)));
  EXPECT_EQ(to_text(proxy(store(), 2)), "<none>");

  changed.tls = "sometimes";
  EXPECT_EQ(error_kind(put(changed)), ErrorKind::invalid);
  EXPECT_EQ(error_kind(put(test_proxy(9))), ErrorKind::conflict);

  BERTH_ASSERT_OK(put(test_proxy(2)));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_server(server_id(1)); }));
  EXPECT_EQ(to_text(proxy(store(), 1)), "<none>");
  EXPECT_EQ(to_text(proxy(store(), 2)), to_text(std::optional(test_proxy(2))));
}

TEST_P(StoreContract, DeletingAnAppDeletesEverythingItOwns) {
  AppSeed records = two_teams_with_apps();
  records.deployments = {test_deployment(1, 1, 1, 1), test_deployment(2, 1, 2, 2)};
  records.hooks = {test_hook(1, 1, 1), test_hook(2, 1, 2)};
  BERTH_ASSERT_OK(seed_apps(store(), records));
  BERTH_ASSERT_OK(store().write([](Tx& tx) -> Result<void> {
    for (int n : {1, 2}) {
      if (auto put = tx.put_env_var(test_env("app", app_id(n), "KEY")); !put) {
        return put;
      }
      if (auto seq = tx.append_deployment_event(test_deploy_event(n, 1)); !seq) {
        return fail(std::move(seq.error()));
      }
      if (auto seen = tx.record_webhook_delivery(app_id(n), "d-1", test_time(1)); !seen) {
        return fail(std::move(seen.error()));
      }
    }
    return {};
  }));

  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_app(app_id(1)); }));

  // Per app: env vars, deployments, events, hooks, and whether "d-1" would be new.
  const auto owned = [&](int n) {
    return read_tx(store(), [&](Tx& tx) -> Result<std::vector<std::size_t>> {
      auto env = tx.list_env_vars("app", app_id(n));
      auto deployments = tx.list_deployments({.app_id = app_id(n)});
      auto logged = tx.list_deployment_events(deployment_id(n), 0, 100);
      auto hooks = tx.list_deploy_hooks(app_id(n));
      if (!env || !deployments || !logged || !hooks) {
        return fail(Error::internal("a read failed"));
      }
      return std::vector<std::size_t>{env->size(), deployments->items.size(), logged->size(),
                                      hooks->size()};
    });
  };
  EXPECT_EQ(owned(1).value_or(std::vector<std::size_t>{}), (std::vector<std::size_t>{0, 0, 0, 0}));
  EXPECT_EQ(owned(2).value_or(std::vector<std::size_t>{}), (std::vector<std::size_t>{1, 1, 1, 1}));
  EXPECT_EQ(to_text(find_hook(store(), 1)), "<none>");
  // Its delivery ids are forgotten with it: a new app with the same id starts afresh.
  BERTH_ASSERT_OK(seed_apps(store(), {.apps = {test_app(1, 1, 1)}}));
  EXPECT_EQ(deliver(store(), 1, "d-1", test_time(2)).value_or(false), true);
  EXPECT_EQ(deliver(store(), 2, "d-1", test_time(2)).value_or(true), false);
}

}  // namespace berth

namespace berth {

namespace {

Result<std::optional<AppEdgeRecord>> app_edge(Store& store, int app) {
  return read_tx(store, [&](Tx& tx) { return tx.get_app_edge(app_id(app)); });
}

std::string edge_text(const Result<std::optional<AppEdgeRecord>>& found) {
  if (!found) {
    return "<error>";
  }
  if (!*found) {
    return "<none>";
  }
  return (*found)->app_id + " " + (*found)->rules.dump() + " " +
         std::to_string((*found)->updated_at.time_since_epoch().count());
}

}  // namespace

TEST_P(StoreContract, AppEdgeRulesAreAbsentUntilPutReplacedWholeAndGoWithTheApp) {
  BERTH_ASSERT_OK(seed_apps(store(), two_teams_with_apps()));
  EXPECT_EQ(edge_text(app_edge(store(), 1)), "<none>");
  const auto put = [&](const AppEdgeRecord& edge) {
    return store().write([&](Tx& tx) { return tx.put_app_edge(edge); });
  };
  const AppEdgeRecord first{.app_id = app_id(1),
                            .rules = {{"allow_ips", {"10.0.0.0/8"}}, {"max_body_bytes", 10}},
                            .updated_at = test_time(5)};
  BERTH_ASSERT_OK(put(first));
  EXPECT_EQ(edge_text(app_edge(store(), 1)), edge_text(std::optional(first)));
  EXPECT_EQ(edge_text(app_edge(store(), 2)), "<none>");

  const AppEdgeRecord second{.app_id = app_id(1),
                             .rules = {{"maintenance", {{"enabled", true}}}},
                             .updated_at = test_time(6)};
  BERTH_ASSERT_OK(put(second));
  EXPECT_EQ(edge_text(app_edge(store(), 1)), edge_text(std::optional(second)));

  EXPECT_EQ(error_kind(put({.app_id = app_id(9), .rules = {}, .updated_at = test_time(1)})),
            ErrorKind::conflict);

  BERTH_ASSERT_OK(put({.app_id = app_id(2), .rules = {}, .updated_at = test_time(7)}));
  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_app(app_id(1)); }));
  EXPECT_EQ(edge_text(app_edge(store(), 1)), "<none>");
  EXPECT_NE(edge_text(app_edge(store(), 2)), "<none>");
}

}  // namespace berth
