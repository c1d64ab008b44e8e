// proxy.apply against a real Caddy (`caddy run`, admin API and listeners on free loopback
// ports, its data in a temporary directory), with a request through Caddy reaching a test
// upstream by its Host header.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/host/loopback_http.hpp"
#include "agent/host/proxy_job.hpp"
#include "process_helper.hpp"
#include "support/temp_dir.hpp"
#include "system/docker_fixture.hpp"
#include "tiny_server.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class Quiet : public JobOutput {
 public:
  void write(std::string_view, std::string_view) override {}
};

class ProxySystem : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_program("caddy")) {
      GTEST_SKIP() << "caddy is not installed (scripts/install-deps); proxy.apply needs it";
    }
    std::filesystem::create_directories(dir_.path() / "state");
    start_caddy();
  }
  void TearDown() override { testing::stop_program(caddy_); }

  void start_caddy() {
    std::ofstream(dir_.file("caddy.json")) << json{{"admin", {{"listen", admin_}}}}.dump();
    caddy_ = testing::start_program(
        {"caddy", "run", "--config", dir_.file("caddy.json")},
        {"XDG_DATA_HOME=" + dir_.file("data"), "XDG_CONFIG_HOME=" + dir_.file("config"),
         "HOME=" + dir_.path().string()},
        dir_.file("caddy.log"));
    ASSERT_GT(caddy_, 0);
    // Caddy takes a moment to open its admin endpoint; wait for it, bounded.
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto answer =
          loopback_http("127.0.0.1", admin_port_, {.target = "/config/"}, milliseconds(500));
      if (answer && answer->status == 200) {
        return;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "caddy did not open its admin endpoint; see " << dir_.file("caddy.log");
  }

  JobOutcome apply(ProxyKeeper& keeper, json args) {
    JobContext job{.job_id = "job_proxy",
                   .kind = "proxy.apply",
                   .args = std::move(args),
                   .timeout = milliseconds(30'000),
                   .output = output_,
                   .cancelled = cancelled_};
    return keeper.apply(job);
  }

  Result<LoopbackAnswer> through_caddy(const std::string& host) {
    return loopback_http("127.0.0.1", http_port_, {.target = "/", .host_header = host},
                         milliseconds(5000));
  }

  berth::testing::TempDir dir_;
  int admin_port_ = berth::testing::free_loopback_port();
  std::string admin_ = "127.0.0.1:" + std::to_string(admin_port_);
  int http_port_ = berth::testing::free_loopback_port();
  pid_t caddy_ = -1;
  Quiet output_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(ProxySystem, RoutesAHostToItsUpstreamAndComesBackAfterACaddyRestart) {
  testing::TinyServer upstream(200, 0);
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  const json args = {
      {"http_port", http_port_},
      {"https_port", berth::testing::free_loopback_port()},
      {"tls", "off"},
      {"routes",
       {{{"host", "app.test"}, {"upstream", "127.0.0.1:" + std::to_string(upstream.port())}}}}};
  const auto outcome = apply(keeper, args);
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(outcome.result, json({{"routes", 1}}));
  auto answer = through_caddy("app.test");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200u);
  EXPECT_EQ(answer->body, "ok");
  auto unknown = through_caddy("other.test");
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->body, "ok");  // no route: Caddy's empty answer, never the upstream
  EXPECT_EQ(std::filesystem::status(dir_.file("state/proxy_routes.json")).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // Applying the same table again changes nothing.
  EXPECT_EQ(apply(keeper, args).status, "succeeded");
  keeper.check();
  EXPECT_TRUE(keeper.take_events().empty());

  // Caddy restarts with only its admin config: the keeper notices and re-applies.
  testing::stop_program(caddy_);
  start_caddy();
  keeper.check();
  const auto events = keeper.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["kind"], "proxy_reapplied");
  answer = through_caddy("app.test");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "ok");

  // A fresh keeper (an agent restart) restores the kept table too.
  testing::stop_program(caddy_);
  start_caddy();
  ProxyKeeper restarted({.admin_address = admin_, .state_dir = dir_.file("state")});
  restarted.restore();
  answer = through_caddy("app.test");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "ok");
}

TEST_F(ProxySystem, CaddyRefusalsAndAbsenceAreReported) {
  ProxyKeeper keeper({.admin_address = admin_, .state_dir = dir_.file("state")});
  // Listening on a port another program holds cannot work: Caddy refuses the config.
  testing::TinyServer holder(200, 0);
  const auto refused = apply(keeper, {{"http_port", holder.port()}, {"routes", json::array()}});
  EXPECT_EQ(refused.error_code, "proxy_error");
  EXPECT_FALSE(refused.error_message.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.file("state/proxy_routes.json")));

  ProxyKeeper nowhere({.admin_address = "127.0.0.1:" + std::to_string(testing::closed_port()),
                       .state_dir = dir_.file("state")});
  const auto unreachable = apply(nowhere, {{"http_port", http_port_}, {"routes", json::array()}});
  EXPECT_EQ(unreachable.error_code, "proxy_unreachable");
  EXPECT_EQ(
      apply(keeper, {{"routes", {{{"host", "a.test"}, {"upstream", "10.0.0.1:80"}}}}}).error_code,
      "invalid_args");
}

}  // namespace
}  // namespace berth::agent::host
