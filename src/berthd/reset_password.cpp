#include "berthd/reset_password.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "api/services.hpp"
#include "berthd/instance_secrets.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/random.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace berth {

int reset_password(const DaemonOptions& options) {
  const std::string email = options.reset_password_email.value_or("");
  const auto database = std::filesystem::path(options.data_dir) / "berth.db";
  if (!std::filesystem::exists(database)) {
    fmt::print(stderr, "berthd reset-password: no berth.db in {} (give --data-dir)\n",
               options.data_dir);
    return 1;
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') {
    password.pop_back();
  }
  SystemClock clock;
  SodiumRandom random;
  IdGenerator ids(clock, random);
  auto secrets = load_or_create_instance_secrets(options.data_dir, random);
  if (!secrets) {
    fmt::print(stderr, "berthd reset-password: {}\n", secrets.error().message);
    return 1;
  }
  auto opened = SqliteStore::open({.path = database.string()});
  if (!opened) {
    fmt::print(stderr, "berthd reset-password: cannot open the store: {}\n",
               opened.error().message);
    return 1;
  }
  ServiceContext services{.store = **opened,
                          .clock = clock,
                          .random = random,
                          .ids = ids,
                          .session_key = secrets->session_key,
                          .master_key = secrets->master_key,
                          .mailer = nullptr,
                          .public_url = options.public_url};
  api::Services built(services, api::ServiceSettings{.identity = options.identity,
                                                     .fleet = options.fleet,
                                                     .installer = nullptr,
                                                     .agent_binary = options.agent_binary});
  if (auto reset = built.sign_in.reset_password_on_host(email, password); !reset) {
    fmt::print(stderr, "berthd reset-password: {}\n", reset.error().message);
    return 1;
  }
  fmt::print("berthd: the password of {} is set; its sessions are signed out\n", email);
  return 0;
}

}  // namespace berth
