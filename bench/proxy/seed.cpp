// proxy_seed: fills a stopped berthd's store with N serving apps for bench/proxy/run.
//
// Each app gets a succeeded deployment made current whose host_port is one upstream (the
// bench's beast_hello), and two domains (<app>.proxy.bench, its primary, and
// <app>-alt.proxy.bench), so the server's route table has 2N routes without Docker. The
// server's proxy settings are set to plain HTTP on --http-port (tls off: no certificates).
// Written straight into the SQLite store because apps with a real deployment cannot be made
// through the API without a container per app; berthd must not be running.
//
// Prints the last app's id on stdout.
// Usage: proxy_seed --db DATA/berth.db --server-id srv_… --apps N --upstream-port P
//                   --http-port H --https-port S

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/random.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

struct SeedOptions {
  std::string db;
  std::string server_id;
  int apps = 10;
  std::int64_t upstream_port = 0;
  std::int64_t http_port = 0;
  std::int64_t https_port = 0;
};

berth::DomainRecord domain_of(berth::IdGenerator& ids, const berth::AppRecord& app,
                              std::string hostname, bool primary, berth::TimePoint now) {
  berth::DomainRecord domain{.id = ids.next("dom"),
                             .team_id = app.team_id,
                             .app_id = app.id,
                             .hostname = std::move(hostname),
                             .is_primary = primary};
  domain.created_at = now;
  domain.updated_at = now;
  return domain;
}

// The app, its current deployment and its two domains.
berth::Result<std::string> seed_app(berth::Tx& tx, berth::IdGenerator& ids,
                                    const SeedOptions& options, const std::string& team_id,
                                    int index, berth::TimePoint now) {
  const std::string name = fmt::format("app-{:04}", index);
  berth::AppRecord app{.id = ids.next("app"),
                       .team_id = team_id,
                       .name = name,
                       .server_id = options.server_id,
                       .source = {{"type", "image"}, {"image", "bench/hello:1"}},
                       .settings = {{"port", 8080}},
                       .hostname = name + ".proxy.bench",
                       .status = "running",
                       .config_version = 1,
                       .deployed_config_version = 1};
  app.created_at = now;
  app.updated_at = now;
  berth::DeploymentRecord deployment{.id = ids.next("dep"),
                                     .team_id = team_id,
                                     .app_id = app.id,
                                     .server_id = options.server_id,
                                     .state = berth::DeploymentState::succeeded,
                                     .created_by = "proxy_seed",
                                     .artifact = {{"image", "bench/hello:1"}},
                                     .spec = {{"source", app.source}, {"settings", app.settings}},
                                     .config_version = 1,
                                     .container_name = "berth-" + name + "-seeded",
                                     .host_port = options.upstream_port,
                                     .created_at = now,
                                     .started_at = now,
                                     .finished_at = now};
  app.current_deployment_id = deployment.id;
  if (auto made = tx.create_app(app); !made) {
    return berth::fail(std::move(made.error()));
  }
  if (auto made = tx.create_deployment(deployment); !made) {
    return berth::fail(std::move(made.error()));
  }
  for (const auto& domain : {domain_of(ids, app, app.hostname, true, now),
                             domain_of(ids, app, name + "-alt.proxy.bench", false, now)}) {
    if (auto made = tx.create_domain(domain); !made) {
      return berth::fail(std::move(made.error()));
    }
  }
  return app.id;
}

int seed(const SeedOptions& options) {
  auto store = berth::SqliteStore::open({.path = options.db});
  if (!store) {
    std::cerr << "proxy_seed: " << store.error().message << '\n';
    return 1;
  }
  berth::SystemClock clock;
  berth::SodiumRandom random;
  berth::IdGenerator ids(clock, random);
  std::string last_app;
  auto done = (*store)->write([&](berth::Tx& tx) -> berth::Result<void> {
    auto server = tx.get_server("", options.server_id);
    if (!server) {
      return berth::fail(std::move(server.error()));
    }
    if (!*server) {
      return berth::fail(berth::Error::not_found("no server " + options.server_id));
    }
    const auto now = clock.now();
    if (auto put = tx.put_proxy_settings({.server_id = options.server_id,
                                          .http_port = options.http_port,
                                          .https_port = options.https_port,
                                          .tls = "off",
                                          .updated_at = now});
        !put) {
      return put;
    }
    for (int i = 1; i <= options.apps; ++i) {
      auto app = seed_app(tx, ids, options, (*server)->team_id, i, now);
      if (!app) {
        return berth::fail(std::move(app.error()));
      }
      last_app = std::move(*app);
    }
    return {};
  });
  if (!done) {
    std::cerr << "proxy_seed: " << done.error().message << '\n';
    return 1;
  }
  (*store)->close();
  std::cout << last_app << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  SeedOptions options;
  CLI::App app{"Seeds N serving apps with two domains each into a stopped berthd's store"};
  app.add_option("--db", options.db, "berthd's database (DATA_DIR/berth.db)")->required();
  app.add_option("--server-id", options.server_id, "The enrolled server the apps run on")
      ->required();
  app.add_option("--apps", options.apps, "How many apps")->check(CLI::Range(1, 5000));
  app.add_option("--upstream-port", options.upstream_port, "Every deployment's host port")
      ->required()
      ->check(CLI::Range(1, 65535));
  app.add_option("--http-port", options.http_port, "The proxy's HTTP port")
      ->required()
      ->check(CLI::Range(1, 65535));
  app.add_option("--https-port", options.https_port,
                 "The proxy's HTTPS port (listened on, no certificate: tls off)")
      ->required()
      ->check(CLI::Range(1, 65535));
  CLI11_PARSE(app, argc, argv);
  return seed(options);
}
