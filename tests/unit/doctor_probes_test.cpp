// berthd doctor's real probes on loopback: TLS verification refuses a self-signed certificate
// (and a name it was not made for), a TCP connect to a closed port fails quickly, statvfs
// reads the data directory, and SQLite's quick_check and schema version come from a real store
// while a file that is not a database is an error.

#include "berthd/doctor_probes.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "client/test_certificate.hpp"
#include "client/tiny_http_server.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

using namespace std::chrono_literals;

TEST(DoctorProbes, TlsVerificationRefusesASelfSignedCertificate) {
  testing::TempDir dir;
  const auto certificate = testing::make_self_signed(dir.path(), "DNS:localhost");
  testing::TinyHttpServer server([](const testing::SeenRequest&,
                                    int) { return std::string("HTTP/1.1 204 No Content\r\n\r\n"); },
                                 testing::TinyHttpServer::Tls{.cert_file = certificate.cert_file,
                                                              .key_file = certificate.key_file});
  const auto probes = machine_doctor_probes(dir.path().string(), 2s);
  auto verified = probes.verify_tls("localhost", server.port());
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("self-signed certificate"), std::string::npos)
      << verified.error().message;
  EXPECT_TRUE(probes.connect("127.0.0.1", server.port()));
}

TEST(DoctorProbes, ConnectToAClosedPortFails) {
  testing::TempDir dir;
  const auto probes = machine_doctor_probes(dir.path().string(), 2s);
  const auto started = std::chrono::steady_clock::now();
  auto reached = probes.connect("127.0.0.1", 1);
  EXPECT_FALSE(reached);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_FALSE(probes.verify_tls("127.0.0.1", 1));
}

TEST(DoctorProbes, DiskSpaceAndTheStoreOfARealDataDirectory) {
  testing::TempDir dir;
  const auto probes = machine_doctor_probes(dir.path().string(), 2s);
  auto space = probes.disk_space(dir.path().string());
  ASSERT_TRUE(space) << space.error().message;
  EXPECT_GT(space->total_bytes, 0U);
  EXPECT_LE(space->available_bytes, space->total_bytes);
  EXPECT_FALSE(probes.disk_space((dir.path() / "nowhere").string()));

  EXPECT_FALSE(probes.store_health());  // no berth.db yet
  {
    auto opened = SqliteStore::open({.path = dir.file("berth.db")});
    ASSERT_TRUE(opened) << opened.error().message;
    (*opened)->close();
  }
  auto health = probes.store_health();
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->quick_check, "ok");
  EXPECT_EQ(health->schema_version, sqlite_migrations().back().version);
}

TEST(DoctorProbes, AFileThatIsNotADatabaseIsAnError) {
  testing::TempDir dir;
  { std::ofstream(dir.file("berth.db")) << std::string(8192, 'x'); }
  const auto probes = machine_doctor_probes(dir.path().string(), 2s);
  auto health = probes.store_health();
  EXPECT_FALSE(health);
}

}  // namespace
}  // namespace berth
