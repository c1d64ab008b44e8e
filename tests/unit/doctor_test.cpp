// berthd doctor's checks, each failure staged through fake probes: what it reports and that
// every verdict other than ok carries a fix.

#include "domain/instance/doctor.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

DoctorSettings settings() {
  return DoctorSettings{.version = "1.2.0",
                        .data_dir = "/var/lib/berth",
                        .public_url = "https://panel.example.com",
                        .listen_host = "127.0.0.1",
                        .listen_port = 8080,
                        .smtp_url = "smtp://mail.example.com:587",
                        .known_schema_version = 16,
                        .max_clock_skew = std::chrono::milliseconds(5000)};
}

ServerRecord server(std::string name, std::string version, std::int64_t skew_ms = 0) {
  ServerRecord record;
  record.name = std::move(name);
  record.agent_token_hash = "hash";
  record.status = "online";
  record.agent_version = std::move(version);
  record.facts = {{"hostname", "panel-host"}};
  record.docker = {{"status", "online"}};
  record.metrics = {{"clock_skew_ms", skew_ms}};
  return record;
}

// Everything healthy: the panel's name resolves here with a valid certificate, and so on.
DoctorProbes healthy() {
  return DoctorProbes{
      .disk_space = [](const std::string&) -> Result<DiskSpace> {
        return DiskSpace{.total_bytes = 100 * kGiB, .available_bytes = 60 * kGiB};
      },
      .store_health = []() -> Result<StoreHealth> {
        return StoreHealth{.quick_check = "ok", .schema_version = 16};
      },
      .resolve = [](const std::string&) { return std::vector<std::string>{"203.0.113.7"}; },
      .local_addresses =
          [] {
            return std::vector<std::string>{"127.0.0.1", "203.0.113.7"};
          },
      .connect = [](const std::string&, std::uint16_t) -> Result<void> { return {}; },
      .verify_tls = [](const std::string&, std::uint16_t) -> Result<void> { return {}; },
      .servers = []() -> Result<std::vector<ServerRecord>> {
        return std::vector<ServerRecord>{server("panel", "1.2.0", 120), server("web-1", "1.2.0")};
      },
      .hostname = [] { return std::string("panel-host"); },
  };
}

TEST(Doctor, AllHealthyIsOkWithoutFixes) {
  const auto checks = run_doctor(settings(), healthy());
  ASSERT_EQ(checks.size(), 9U);
  for (const auto& check : checks) {
    EXPECT_EQ(check.status, CheckStatus::ok) << check.name << ": " << check.detail;
    EXPECT_TRUE(check.fix.empty()) << check.name;
    EXPECT_FALSE(check.detail.empty()) << check.name;
  }
  EXPECT_EQ(worst_status(checks), CheckStatus::ok);
}

TEST(Doctor, PublicUrlThatDoesNotResolveIsAnError) {
  auto probes = healthy();
  probes.resolve = [](const std::string&) { return std::vector<std::string>{}; };
  const auto check = check_public_url(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_NE(check.detail.find("panel.example.com does not resolve"), std::string::npos);
  EXPECT_NE(check.fix.find("A (or AAAA) record"), std::string::npos);
}

TEST(Doctor, PublicUrlResolvingElsewhereIsAWarning) {
  auto probes = healthy();
  probes.resolve = [](const std::string&) { return std::vector<std::string>{"198.51.100.1"}; };
  const auto check = check_public_url(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::warning);
  EXPECT_NE(check.detail.find("198.51.100.1"), std::string::npos);
}

TEST(Doctor, InvalidCertificateIsAnError) {
  auto probes = healthy();
  probes.verify_tls = [](const std::string& host, std::uint16_t port) -> Result<void> {
    EXPECT_EQ(host, "panel.example.com");
    EXPECT_EQ(port, 443);
    return fail(Error::invalid("self-signed certificate"));
  };
  const auto check = check_public_url(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_NE(check.detail.find("self-signed certificate"), std::string::npos);
}

TEST(Doctor, PlainHttpOrLoopbackPublicUrlIsAWarning) {
  auto plain = settings();
  plain.public_url = "http://panel.example.com:8080";
  EXPECT_EQ(check_public_url(plain, healthy()).status, CheckStatus::warning);
  auto loopback = settings();
  loopback.public_url = "http://127.0.0.1:8080";
  EXPECT_EQ(check_public_url(loopback, healthy()).status, CheckStatus::warning);
  auto broken = settings();
  broken.public_url = "panel";
  EXPECT_EQ(check_public_url(broken, healthy()).status, CheckStatus::error);
}

TEST(Doctor, ClosedListenPortIsAnError) {
  auto probes = healthy();
  std::string probed;
  probes.connect = [&](const std::string& host, std::uint16_t port) -> Result<void> {
    probed = host + ":" + std::to_string(port);
    return fail(Error::unavailable("Connection refused"));
  };
  auto any = settings();
  any.listen_host = "0.0.0.0";
  const auto check = check_listen(any, probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_EQ(probed, "127.0.0.1:8080");
  EXPECT_NE(check.detail.find("Connection refused"), std::string::npos);
}

TEST(Doctor, DockerOrCaddyDownBesideBerthdIsAnError) {
  auto probes = healthy();
  probes.servers = []() -> Result<std::vector<ServerRecord>> {
    auto local = server("panel", "1.2.0");
    local.docker = {{"status", "offline"}, {"reason", "cannot reach /var/run/docker.sock"}};
    return std::vector<ServerRecord>{local};
  };
  auto check = check_local_runtime(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_NE(check.detail.find("Docker on this machine (panel) is offline"), std::string::npos);

  probes.servers = []() -> Result<std::vector<ServerRecord>> {
    auto local = server("panel", "1.2.0");
    local.docker = {{"status", "online"}, {"caddy", {{"status", "offline"}}}};
    return std::vector<ServerRecord>{local};
  };
  check = check_local_runtime(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_NE(check.detail.find("Caddy"), std::string::npos);

  probes.servers = []() -> Result<std::vector<ServerRecord>> {
    auto local = server("panel", "1.2.0");
    local.status = "offline";
    return std::vector<ServerRecord>{local};
  };
  EXPECT_EQ(check_local_runtime(settings(), probes).status, CheckStatus::error);

  // No agent on berthd's machine: nothing to check there, unless berthd offers one a token.
  probes.hostname = [] { return std::string("elsewhere"); };
  EXPECT_EQ(check_local_runtime(settings(), probes).status, CheckStatus::ok);
  auto expecting = settings();
  expecting.local_agent_expected = true;
  check = check_local_runtime(expecting, probes);
  EXPECT_EQ(check.status, CheckStatus::warning);
  EXPECT_NE(check.fix.find("systemctl start berth-agent"), std::string::npos) << check.fix;
}

TEST(Doctor, ClockSkewWarnsThenFails) {
  auto probes = healthy();
  probes.servers = []() -> Result<std::vector<ServerRecord>> {
    return std::vector<ServerRecord>{server("a", "1.2.0", 9'000), server("b", "1.2.0", -200)};
  };
  auto check = check_clock_skew(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::warning);
  EXPECT_NE(check.detail.find("a (+9.0 s)"), std::string::npos) << check.detail;
  EXPECT_EQ(check.detail.find("b ("), std::string::npos) << check.detail;

  probes.servers = []() -> Result<std::vector<ServerRecord>> {
    return std::vector<ServerRecord>{server("a", "1.2.0", -120'000)};
  };
  check = check_clock_skew(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_NE(check.detail.find("a (-120.0 s)"), std::string::npos) << check.detail;
  EXPECT_NE(check.fix.find("timedatectl"), std::string::npos);
}

TEST(Doctor, DiskSpaceThresholds) {
  auto probes = healthy();
  const auto with = [&](std::uint64_t total, std::uint64_t available) {
    probes.disk_space = [=](const std::string&) -> Result<DiskSpace> {
      return DiskSpace{.total_bytes = total, .available_bytes = available};
    };
    return check_disk_space(settings(), probes).status;
  };
  EXPECT_EQ(with(100 * kGiB, 11 * kGiB), CheckStatus::ok);
  EXPECT_EQ(with(100 * kGiB, 9 * kGiB), CheckStatus::warning);
  EXPECT_EQ(with(100 * kGiB, kGiB * 3 / 2), CheckStatus::error);  // under 2%
  EXPECT_EQ(with(4 * kGiB, kGiB / 2), CheckStatus::error);        // 12.5%, but under 1 GiB
  probes.disk_space = [](const std::string&) -> Result<DiskSpace> {
    return fail(Error::unavailable("No such file or directory"));
  };
  EXPECT_EQ(check_disk_space(settings(), probes).status, CheckStatus::error);
}

TEST(Doctor, DamagedStoreAndPendingOrNewerMigrations) {
  auto probes = healthy();
  probes.store_health = []() -> Result<StoreHealth> {
    return StoreHealth{.quick_check = "*** in database main *** Page 7: btreeInitPage() error",
                       .schema_version = 16};
  };
  const auto damaged = check_store_integrity(settings(), probes);
  EXPECT_EQ(damaged.status, CheckStatus::error);
  EXPECT_NE(damaged.detail.find("Page 7"), std::string::npos);

  probes.store_health = []() -> Result<StoreHealth> {
    return StoreHealth{.quick_check = "ok", .schema_version = 14};
  };
  const auto pending = check_migrations(settings(), probes);
  EXPECT_EQ(pending.status, CheckStatus::warning);
  EXPECT_NE(pending.detail.find("2 migration(s) pending"), std::string::npos);

  probes.store_health = []() -> Result<StoreHealth> {
    return StoreHealth{.quick_check = "ok", .schema_version = 17};
  };
  const auto newer = check_migrations(settings(), probes);
  EXPECT_EQ(newer.status, CheckStatus::error);
  EXPECT_NE(newer.detail.find("newer than berthd 1.2.0 knows (16)"), std::string::npos);
}

TEST(Doctor, StoreThatCannotBeReadIsAnErrorForBothStoreChecks) {
  auto probes = healthy();
  probes.store_health = []() -> Result<StoreHealth> {
    return fail(Error::unavailable("no store at /var/lib/berth/berth.db"));
  };
  for (const auto& check :
       {check_store_integrity(settings(), probes), check_migrations(settings(), probes)}) {
    EXPECT_EQ(check.status, CheckStatus::error) << check.name;
    EXPECT_NE(check.detail.find("no store at"), std::string::npos) << check.detail;
  }
}

TEST(Doctor, AgentsOnAnOldVersionAreNamed) {
  auto probes = healthy();
  probes.servers = []() -> Result<std::vector<ServerRecord>> {
    auto pending = server("not-enrolled", "0.0.1");
    pending.agent_token_hash.clear();
    return std::vector<ServerRecord>{server("new", "1.2.0"), server("old", "1.1.0"), pending};
  };
  const auto check = check_agent_versions(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::warning);
  EXPECT_NE(check.detail.find("old (1.1.0)"), std::string::npos);
  EXPECT_EQ(check.detail.find("not-enrolled"), std::string::npos);
}

TEST(Doctor, SmtpMissingOrUnreachable) {
  auto probes = healthy();
  auto none = settings();
  none.smtp_url.clear();
  EXPECT_EQ(check_smtp(none, probes).status, CheckStatus::warning);

  std::string probed;
  probes.connect = [&](const std::string& host, std::uint16_t port) -> Result<void> {
    probed = host + ":" + std::to_string(port);
    return fail(Error::unavailable("no answer within 3000 ms"));
  };
  const auto check = check_smtp(settings(), probes);
  EXPECT_EQ(check.status, CheckStatus::error);
  EXPECT_EQ(probed, "mail.example.com:587");
  EXPECT_NE(check.detail.find("no answer"), std::string::npos);
}

TEST(Doctor, ProbesNotGivenAreReportedAsNotChecked) {
  const auto checks = run_doctor(settings(), DoctorProbes{});
  for (const auto& check : checks) {
    EXPECT_NE(check.status, CheckStatus::ok) << check.name;
    EXPECT_FALSE(check.fix.empty()) << check.name;
  }
}

}  // namespace
}  // namespace berth
