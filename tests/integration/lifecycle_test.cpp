// Start-up, configuration and shutdown of the real binary.

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>

#include "integration/berthd_test_base.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_F(BerthdTest, SigtermLetsAnInFlightRequestFinishThenExitsZero) {
  start();
  RawConnection in_flight(port());
  in_flight.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
  RawConnection idle(port());
  idle.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.read_response());

  berthd_->send_signal(SIGTERM);
  // Shutdown has begun once new connections are refused.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!connection_refused(port())) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "still accepting after SIGTERM";
  }
  EXPECT_TRUE(idle.wait_closed(10s)) << "an idle keep-alive connection should be closed";

  in_flight.send("67890");
  auto response = in_flight.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(berthd_->wait_exit(20s), 0);
  EXPECT_NE(berthd_->log().find("http.shutdown_complete"), std::string::npos);
}

TEST_F(BerthdTest, SigintExitsZero) {
  start();
  EXPECT_EQ(berthd_->stop(SIGINT), 0);
}

TEST_F(BerthdTest, ShutdownDeadlineEndsAStuckRequest) {
  start({.args = {"--shutdown-timeout", "0.3", "--request-timeout", "60"}});
  RawConnection stuck(port());
  stuck.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n1");
  // Make sure the server has taken the request's first bytes before the signal.
  RawConnection probe(port());
  probe.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(probe.read_response());
  EXPECT_EQ(berthd_->stop(SIGTERM, 20s), 0);
}

TEST_F(BerthdTest, DataDirectoryIsPrivateAndSurvivesRestart) {
  start();
  const fs::path data = berthd_->data_dir();
  struct stat info {};
  ASSERT_EQ(::stat(data.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700U);
  EXPECT_TRUE(fs::exists(data / "berth.db"));
  EXPECT_EQ(berthd_->stop(), 0);
  start();
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/health").status, 200);
}

TEST_F(BerthdTest, RefusesADatabaseNewerThanItself) {
  start();
  EXPECT_EQ(berthd_->stop(), 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "data" / "berth.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO schema_migrations(version, name, applied_at) "
                         "VALUES (9999, 'from_the_future', '2030-01-01T00:00:00.000Z')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  std::string output;
  const int status =
      run_berthd({"--listen", "127.0.0.1:0", "--data-dir", dir_.path() / "data"}, output);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("9999"), std::string::npos) << output;
  EXPECT_NE(output.find("newer"), std::string::npos) << output;
}

TEST(BerthdCli, HelpDocumentsEveryOption) {
  std::string output;
  EXPECT_EQ(run_berthd({"--help"}, output), 0);
  for (const char* option :
       {"--listen", "--port-file", "--data-dir", "--threads", "--worker-threads", "--log-format",
        "--log-level", "--log-file", "--config", "--max-body-bytes", "--max-header-bytes",
        "--max-connections", "--request-timeout", "--idle-timeout", "--shutdown-timeout",
        "BERTH_LISTEN", "BERTH_DATA_DIR"}) {
    EXPECT_NE(output.find(option), std::string::npos) << option << "\n" << output;
  }
}

// docs/openapi.json is what users and client generators read; it must match the binary.
TEST(BerthdCli, CommittedOpenApiDocumentIsCurrent) {
  std::string output;
  ASSERT_EQ(run_berthd({"--print-openapi"}, output), 0) << output;
  const auto committed = nlohmann::json::parse(
      read_file(fs::path(BERTH_SOURCE_DIR) / "docs" / "openapi.json"), nullptr, false);
  EXPECT_EQ(nlohmann::json::parse(output, nullptr, false), committed)
      << "docs/openapi.json is out of date: run `make openapi` and commit it";
}

TEST(BerthdCli, RejectsBadOptions) {
  std::string output;
  EXPECT_NE(run_berthd({"--no-such-flag"}, output), 0);
  EXPECT_NE(run_berthd({"--listen", "nonsense"}, output), 0);
  EXPECT_NE(output.find("ADDR:PORT"), std::string::npos) << output;
  EXPECT_NE(run_berthd({"--log-format", "xml"}, output), 0);
  EXPECT_NE(run_berthd({"--threads", "0"}, output), 0);
}

TEST(BerthdCli, ReportsAPortInUse) {
  TempDir dir;
  BerthdProcess first(dir.path() / "a");
  std::string output;
  const int status = run_berthd(
      {"--listen", "127.0.0.1:" + std::to_string(first.port()), "--data-dir", dir.path() / "b"},
      output);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("cannot listen"), std::string::npos) << output;
}

// Precedence: flags over the config file over the environment. The body limit shows which won.
class ConfigPrecedenceTest : public BerthdTest {
 protected:
  int post_status(std::size_t bytes) {
    return http_request(port(), "POST", "/api/v1/health", std::string(bytes, ' '),
                        {{"Content-Type", "application/json"}})
        .status;
  }
  fs::path write_config(const std::string& text) {
    const fs::path path = dir_.path() / "berthd.toml";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(ConfigPrecedenceTest, EnvironmentSetsOptions) {
  start({.env = {{"BERTH_MAX_BODY_BYTES", "100"}}});
  EXPECT_EQ(post_status(150), 413);
  EXPECT_EQ(post_status(50), 405);
}

TEST_F(ConfigPrecedenceTest, ConfigFileBeatsEnvironment) {
  const fs::path config = write_config("max-body-bytes = 100\n");
  start({.args = {"--config", config}, .env = {{"BERTH_MAX_BODY_BYTES", "1000"}}});
  EXPECT_EQ(post_status(150), 413);
}

TEST_F(ConfigPrecedenceTest, FlagsBeatConfigFile) {
  const fs::path config = write_config("max-body-bytes = 100\n");
  start({.args = {"--config", config, "--max-body-bytes", "1000"}});
  EXPECT_EQ(post_status(150), 405);
}

}  // namespace
}  // namespace berth::testing
