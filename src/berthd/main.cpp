// berthd: the composition root. The only file that names concrete implementations.

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/routes.hpp"
#include "berthd/data_dir.hpp"
#include "berthd/options.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "domain/instance/instance_service.hpp"
#include "http/openapi.hpp"
#include "http/server.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

int serve(berth::DaemonOptions& options, const std::string& version) {
  using namespace berth;
  SystemClock clock;
  SodiumRandom random;
  IdGenerator ids(clock, random);

  if (auto prepared = prepare_data_dir(options.data_dir); !prepared) {
    fmt::print(stderr, "berthd: {}\n", prepared.error().message);
    return 1;
  }
  auto opened =
      SqliteStore::open({.path = (std::filesystem::path(options.data_dir) / "berth.db").string()});
  if (!opened) {
    log::error("berthd.store_failed",
               {{"error", opened.error().message}, {"detail", opened.error().internal_detail}});
    fmt::print(stderr, "berthd: cannot open the store: {}\n", opened.error().message);
    return 1;
  }
  std::unique_ptr<Store> store = std::move(*opened);

  InstanceService instance(*store, clock, ids);
  auto info = instance.initialize();
  if (!info) {
    fmt::print(stderr, "berthd: cannot initialise the instance: {}\n", info.error().message);
    return 1;
  }

  http::Router router;
  api::register_routes(router, {.version = version});
  options.server.request_id_prefix = fmt::format("req_{}_", random_hex(random, 4));
  {
    http::Server server(options.server, router);
    const std::uint16_t port = server.listen();
    if (!options.port_file.empty()) {
      if (auto written = write_port_file(options.port_file, port); !written) {
        fmt::print(stderr, "berthd: {}\n", written.error().message);
        return 1;
      }
    }
    const std::string host = options.server.address.find(':') != std::string::npos
                                 ? fmt::format("[{}]", options.server.address)
                                 : options.server.address;
    const std::string url = fmt::format("http://{}:{}", host, port);
    log::info("berthd.listening", {{"url", url},
                                   {"version", version},
                                   {"instance_id", info->instance_id},
                                   {"first_start", info->first_start}});
    fmt::print("Berth is running at {}  (API: {}/api/v1, stop with Ctrl-C)\n", url, url);
    std::fflush(stdout);
    server.run();
  }
  store->close();
  log::info("berthd.stopped");
  log::flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string version = BERTH_VERSION;
  auto parsed = berth::parse_options(argc, argv, version);
  if (const int* exit_code = std::get_if<int>(&parsed)) {
    return *exit_code;
  }
  auto& options = std::get<berth::DaemonOptions>(parsed);
  try {
    berth::log::init_logging(options.log);
    if (options.print_openapi) {
      berth::http::Router router;
      berth::api::register_routes(router, {.version = version});
      std::cout << berth::http::build_openapi(router, version).dump(2) << '\n';
      return 0;
    }
    return serve(options, version);
  } catch (const std::exception& e) {
    berth::log::error("berthd.fatal", {{"error", std::string_view(e.what())}});
    berth::log::flush();
    fmt::print(stderr, "berthd: {}\n", e.what());
    return 1;
  }
}
