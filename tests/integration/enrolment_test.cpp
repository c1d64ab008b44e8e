// How servers get the agent and their install tokens: the binary served from one shared
// buffer with its checksum, the install script refusing a download that does not match it,
// and enrolment refused over plain http to a non-loopback address.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "core/crypto.hpp"
#include "integration/fleet_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::size_t kBinaryBytes = 8 * 1024 * 1024;  // a release berth-agent's size
constexpr int kParallelDownloads = 50;
constexpr long kSlackKib = 20 * 1024;  // ASan's own bookkeeping, connection buffers

// kB from a "Name:   123 kB" line of /proc/<pid>/status.
long status_kib(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(name + ":")) {
      return std::stol(line.substr(name.size() + 1));
    }
  }
  return -1;
}

std::string random_bytes(std::size_t size) {
  std::mt19937_64 generator(42);
  std::string bytes(size, '\0');
  for (char& c : bytes) {
    c = static_cast<char>(generator() & 0xFF);
  }
  return bytes;
}

void write_binary(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

class AgentDownloadTest : public FleetTest {
 protected:
  // berthd serving a stand-in agent of a release binary's size.
  void start_with_binary(const std::string& bytes) {
    binary_ = dir_.path() / "berth-agent";
    write_binary(binary_, bytes);
    BerthdOptions options;
    options.args = {"--agent-binary", binary_.string()};
    start_fleet(options);
  }
  fs::path binary_;
};

TEST_F(AgentDownloadTest, DownloadCarriesItsChecksumAlsoPublishedBeside) {
  const std::string bytes = random_bytes(1024 * 1024);
  start_with_binary(bytes);
  const HttpResponse binary = http_request(port(), "GET", "/api/v1/agent/download");
  ASSERT_EQ(binary.status, 200);
  EXPECT_EQ(binary.body, bytes);
  EXPECT_EQ(binary.header("x-checksum-sha256"), crypto::sha256_hex(bytes));
  const HttpResponse sum = http_request(port(), "GET", "/api/v1/agent/download.sha256");
  ASSERT_EQ(sum.status, 200);
  EXPECT_EQ(sum.body, crypto::sha256_hex(bytes) + "  berth-agent\n");
  const HttpResponse script = http_request(port(), "GET", "/api/v1/agent/install.sh");
  ASSERT_EQ(script.status, 200);
  EXPECT_NE(script.body.find("AGENT_SHA256='" + crypto::sha256_hex(bytes) + "'"),
            std::string::npos);
}

// The CLI is served the same way, from beside berthd or --cli-binary: 503 naming the option
// while there is none, and found once it is built (berthd looks again on the next download).
TEST_F(FleetTest, TheCliDownloadCarriesItsChecksumOnceThereIsOne) {
  const fs::path cli = dir_.path() / "berth-cli";
  BerthdOptions options;
  options.args = {"--cli-binary", cli.string()};
  start_fleet(options);
  const HttpResponse missing = http_request(port(), "GET", "/api/v1/cli/download");
  EXPECT_EQ(missing.status, 503);
  EXPECT_NE(missing.body.find("no_cli_binary"), std::string::npos);

  const std::string bytes = random_bytes(64 * 1024);
  write_binary(cli, bytes);
  const HttpResponse binary = http_request(port(), "GET", "/api/v1/cli/download");
  ASSERT_EQ(binary.status, 200);
  EXPECT_EQ(binary.body, bytes);
  EXPECT_EQ(binary.header("x-checksum-sha256"), crypto::sha256_hex(bytes));
  EXPECT_EQ(binary.header("content-disposition"), "attachment; filename=berth");
  const HttpResponse sum = http_request(port(), "GET", "/api/v1/cli/download.sha256");
  EXPECT_EQ(sum.body, crypto::sha256_hex(bytes) + "  berth\n");
}

// Each download used to read the whole file into memory of its own: 50 at once held 50
// copies. Now they share one buffer, so berthd's peak memory hardly moves.
TEST_F(AgentDownloadTest, FiftyParallelDownloadsShareOneBuffer) {
  const std::string bytes = random_bytes(kBinaryBytes);
  start_with_binary(bytes);
  ASSERT_EQ(http_request(port(), "GET", "/api/v1/agent/download").status, 200);  // loads it
  const long peak_before = status_kib(berthd_->pid(), "VmHWM");
  ASSERT_GT(peak_before, 0);

  std::vector<HttpResponse> answers(kParallelDownloads);
  std::vector<std::thread> clients;
  for (int i = 0; i < kParallelDownloads; ++i) {
    clients.emplace_back([this, &answers, i] {
      answers[static_cast<std::size_t>(i)] = http_request(port(), "GET", "/api/v1/agent/download");
    });
  }
  for (auto& client : clients) {
    client.join();
  }
  const std::string expected = crypto::sha256_hex(bytes);
  for (const auto& answer : answers) {
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body.size(), bytes.size());
    EXPECT_EQ(answer.header("x-checksum-sha256"), expected);
  }
  // The high-water mark cannot miss a peak that came and went while the downloads ran.
  const long peak_after = status_kib(berthd_->pid(), "VmHWM");
  EXPECT_LT(peak_after - peak_before, kSlackKib)
      << "peak RSS " << peak_before << " kB before, " << peak_after << " kB after";
}

// The script berthd serves carries the checksum of its own binary; a download that does not
// match it (here: another berthd, whose public URL the first one names, serves an altered
// copy) is refused before anything is installed.
TEST_F(AgentDownloadTest, InstallScriptRefusesADownloadThatDoesNotMatchItsChecksum) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "the install script needs root";
  }
  for (const char* tool : {"/usr/bin/curl", "/usr/bin/sha256sum"}) {
    if (!fs::exists(tool)) {
      GTEST_SKIP() << tool << " is not installed";
    }
  }
  const std::string bytes = random_bytes(1024 * 1024);
  std::string altered = bytes;
  altered[altered.size() / 2] = static_cast<char>(altered[altered.size() / 2] ^ 0x01);
  const fs::path altered_path = dir_.path() / "altered-agent";
  write_binary(altered_path, altered);
  BerthdProcess mirror(dir_.path() / "mirror", {.args = {"--agent-binary", altered_path.string()}});

  binary_ = dir_.path() / "berth-agent";
  write_binary(binary_, bytes);
  BerthdOptions options;
  options.args = {"--agent-binary", binary_.string(), "--public-url",
                  "http://127.0.0.1:" + std::to_string(mirror.port())};
  start_fleet(options);
  const HttpResponse script = http_request(port(), "GET", "/api/v1/agent/install.sh");
  ASSERT_EQ(script.status, 200) << script.body;
  write_binary(dir_.path() / "install.sh", script.body);

  const fs::path bin = dir_.path() / "bin";
  const pid_t pid =
      spawn_process("/bin/sh", {(dir_.path() / "install.sh").string(), "--install-token", "bit_x"},
                    {{"BERTH_AGENT_BIN_DIR", bin.string()},
                     {"BERTH_AGENT_STATE_DIR", (dir_.path() / "state").string()},
                     {"BERTH_AGENT_NO_SYSTEMD", "1"}},
                    dir_.path() / "install.log");
  const auto status = wait_for_exit(pid, 60s);
  const std::string log = read_file(dir_.path() / "install.log");
  EXPECT_EQ(status, 1) << log;
  EXPECT_NE(log.find("does not match its SHA-256"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(bin / "berth-agent"));
  EXPECT_FALSE(fs::exists(dir_.path() / "state" / "agent.json"));
}

class InsecureEnrolmentTest : public FleetTest {};

// Over http:// to an address other than loopback, the install token and the agent's
// credentials would cross the network in clear.
TEST_F(InsecureEnrolmentTest, PlainHttpToANonLoopbackAddressRefusesTokensScriptAndAdoption) {
  start_fleet({.args = {"--public-url", "http://192.0.2.10:8080"}});
  const HttpResponse minted = api("POST", "/api/v1/servers/install-tokens", json::object());
  ASSERT_EQ(minted.status, 422) << minted.body;
  EXPECT_EQ(minted.json()["error"]["code"], "insecure_enrolment");
  const std::string message = minted.json()["error"]["message"];
  EXPECT_NE(message.find("https://"), std::string::npos) << message;
  EXPECT_NE(message.find("--allow-insecure-enrolment"), std::string::npos) << message;

  const HttpResponse script = http_request(port(), "GET", "/api/v1/agent/install.sh");
  EXPECT_EQ(script.status, 422) << script.body;
  // Refused before a server row exists or anything is dialled.
  const HttpResponse adopted = api("POST", "/api/v1/servers",
                                   {{"name", "ssh-1"},
                                    {"host", "192.0.2.20"},
                                    {"username", "root"},
                                    {"auth", {{"password", "secret"}}}});
  EXPECT_EQ(adopted.status, 422) << adopted.body;
  EXPECT_EQ(adopted.json()["error"]["code"], "insecure_enrolment");
  EXPECT_TRUE(api("GET", "/api/v1/servers").json()["items"].empty());
}

TEST_F(InsecureEnrolmentTest, HttpsLoopbackOrTheAdminsFlagAllowIt) {
  start_fleet({.args = {"--public-url", "https://berth.example.com"}});
  EXPECT_EQ(api("POST", "/api/v1/servers/install-tokens", json::object()).status, 201);
  berthd_->stop();
  restart_args_ = {"--public-url", "http://localhost:8080"};
  restart_berthd();
  EXPECT_EQ(api("POST", "/api/v1/servers/install-tokens", json::object()).status, 201);
  berthd_->stop();
  const fs::path binary = dir_.path() / "berth-agent";
  write_binary(binary, random_bytes(1024));
  restart_args_ = {"--public-url", "http://192.0.2.10:8080", "--allow-insecure-enrolment",
                   "--agent-binary", binary.string()};
  restart_berthd();
  const HttpResponse minted = api("POST", "/api/v1/servers/install-tokens", json::object());
  EXPECT_EQ(minted.status, 201) << minted.body;
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/agent/install.sh").status, 200);
}

}  // namespace
}  // namespace berth::testing
