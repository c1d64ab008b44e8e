// The offline service images of scripts/build-service-images on the real dockerd: each engine
// starts from its official-image variables, and the engine's own client (run inside the
// container by `docker exec`) reaches it over TCP at the container's network address — not the
// loopback — with the generated credentials, and is refused with wrong ones. The passwords hold
// quotes, a backslash, a dollar and a space, so the entry points' quoting is tested too.
// Containers are named berth-test-svc-<pid>-<engine> and removed at the end, pass or fail.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent_host/process_helper.hpp"
#include "support/temp_dir.hpp"
#include "system/docker_fixture.hpp"

namespace berth::testing {
namespace {

using std::chrono::steady_clock;

struct Ran {
  int status = -1;
  std::string output = {};
};

// Password, user and database names as a generator might make them, plus the characters that
// break naive quoting.
constexpr const char* kPassword = "s3cr'et \"pa\\ss$word";

class ServiceImages : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& engine = shared_docker_engine();
    if (!engine.ready) {
      GTEST_SKIP() << "no Docker Engine for system tests: " << engine.reason;
    }
    if (::geteuid() != 0) {
      GTEST_SKIP() << "building the service images needs root (debootstrap)";
    }
    socket_ = engine.socket_path;
    // As root with an Engine, a failing build is a failure, not a reason to skip.
    ASSERT_EQ(shared_service_images(), "");
  }

  void TearDown() override {
    for (const auto& name : created_) {
      (void)docker({"rm", "-f", "-v", name});
    }
  }

  Ran docker(const std::vector<std::string>& args) {
    const auto log = dir_.path() / ("docker-" + std::to_string(++calls_) + ".log");
    std::vector<std::string> argv{"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    Ran run;
    run.status =
        agent::host::testing::run_program(argv, {"DOCKER_HOST=unix://" + socket_}, log.string());
    std::ifstream file(log);
    std::stringstream text;
    text << file.rdbuf();
    run.output = text.str();
    return run;
  }

  // Starts `image` detached with `env` and `command`; the container's address on its network.
  std::string start(const std::string& engine, const std::string& image,
                    const std::vector<std::string>& env,
                    const std::vector<std::string>& command = {}) {
    const std::string name = "berth-test-svc-" + std::to_string(::getpid()) + "-" + engine;
    created_.push_back(name);
    std::vector<std::string> args{"run", "-d", "--name", name};
    for (const auto& entry : env) {
      args.insert(args.end(), {"-e", entry});
    }
    args.push_back(image);
    args.insert(args.end(), command.begin(), command.end());
    const Ran run = docker(args);
    EXPECT_EQ(run.status, 0) << run.output;
    name_ = name;
    return address();
  }

  // The container's address on its network ("" when it is not running); it may change on a
  // restart.
  std::string address() {
    const Ran inspected = docker(
        {"inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name_});
    std::string ip = inspected.output;
    while (!ip.empty() && (ip.back() == '\n' || ip.back() == '\r')) {
      ip.pop_back();
    }
    return ip;
  }

  // Runs `command` in the container until it exits 0 (the server may still be initializing),
  // within `deadline`; the last run.
  Ran exec_until_ok(const std::vector<std::string>& command,
                    const std::vector<std::string>& env = {}) {
    const auto until = steady_clock::now() + std::chrono::seconds(120);
    Ran run;
    while (true) {
      run = exec(command, env);
      if (run.status == 0 || steady_clock::now() > until) {
        return run;
      }
      if (docker({"inspect", "-f", "{{.State.Running}}", name_}).output.starts_with("false")) {
        run.output += "\ncontainer exited:\n" + docker({"logs", name_}).output;
        return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  Ran exec(const std::vector<std::string>& command, const std::vector<std::string>& env = {}) {
    std::vector<std::string> args{"exec"};
    for (const auto& entry : env) {
      args.insert(args.end(), {"-e", entry});
    }
    args.push_back(name_);
    args.insert(args.end(), command.begin(), command.end());
    return docker(args);
  }

  std::string socket_;
  std::string name_;
  std::vector<std::string> created_;
  int calls_ = 0;
  TempDir dir_;
};

TEST_F(ServiceImages, PostgresTakesTheOfficialVariablesAndAnswersWithPasswordAuth) {
  const std::string ip = start("postgres", kPostgresImage,
                               {std::string("POSTGRES_PASSWORD=") + kPassword,
                                "POSTGRES_USER=app_user", "POSTGRES_DB=app_db"});
  ASSERT_FALSE(ip.empty()) << docker({"logs", name_}).output;
  const std::vector<std::string> psql{
      "psql", "-h", ip, "-U", "app_user", "-d", "app_db", "-v", "ON_ERROR_STOP=1", "-tA", "-c"};
  auto command = psql;
  command.push_back(
      "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept'); "
      "SELECT body || ' ' || current_user || ' ' || current_database() FROM notes;");
  // PGPASSWORD goes to the exec's environment (`docker exec -e`), not the container's.
  const std::vector<std::string> password{std::string("PGPASSWORD=") + kPassword};
  const Ran run = exec_until_ok(command, password);
  ASSERT_EQ(run.status, 0) << run.output << docker({"logs", name_}).output;
  EXPECT_NE(run.output.find("kept app_user app_db"), std::string::npos) << run.output;

  auto wrong = psql;
  wrong.push_back("SELECT 1");
  const Ran refused = exec(wrong, {"PGPASSWORD=wrong"});
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("password authentication failed"), std::string::npos)
      << refused.output;

  // The data directory is PGDATA, and a restart keeps the rows without initializing again.
  EXPECT_EQ(exec({"test", "-s", "/var/lib/postgresql/data/PG_VERSION"}).status, 0);
  ASSERT_EQ(docker({"restart", name_}).status, 0);
  auto count = psql;
  count[2] = address();
  count.push_back("SELECT count(*) FROM notes");
  const Ran again = exec_until_ok(count, password);
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(again.output, "1\n");
}

TEST_F(ServiceImages, PostgresRefusesToInitializeWithoutAPassword) {
  start("postgres-nopass", kPostgresImage, {});
  // The container exits by itself; wait for that, with a deadline.
  const auto until = steady_clock::now() + std::chrono::seconds(60);
  Ran state;
  while (steady_clock::now() < until) {
    state = docker({"inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", name_});
    if (state.output.starts_with("false")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(state.output, "false 1\n");
  EXPECT_NE(docker({"logs", name_}).output.find("POSTGRES_PASSWORD is not set"), std::string::npos);
}

TEST_F(ServiceImages, MariadbTakesTheOfficialVariablesAndAnswersWithPasswordAuth) {
  const std::string ip =
      start("mariadb", kMariadbImage,
            {std::string("MARIADB_ROOT_PASSWORD=") + kPassword + "-root", "MYSQL_DATABASE=app_db",
             "MYSQL_USER=app_user", std::string("MYSQL_PASSWORD=") + kPassword});
  ASSERT_FALSE(ip.empty()) << docker({"logs", name_}).output;
  const Ran run =
      exec_until_ok({"mariadb", "-h", ip, "-u", "app_user", std::string("--password=") + kPassword,
                     "app_db", "--batch", "--skip-column-names", "-e",
                     "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept'); "
                     "SELECT CONCAT(body, ' ', CURRENT_USER(), ' ', DATABASE()) FROM notes;"});
  ASSERT_EQ(run.status, 0) << run.output << docker({"logs", name_}).output;
  EXPECT_NE(run.output.find("kept app_user@% app_db"), std::string::npos) << run.output;

  const Ran root =
      exec({"mariadb", "-h", ip, "-u", "root", std::string("--password=") + kPassword + "-root",
            "--batch", "--skip-column-names", "-e", "SELECT COUNT(*) FROM app_db.notes"});
  EXPECT_EQ(root.status, 0) << root.output;
  EXPECT_EQ(root.output, "1\n");

  const Ran refused =
      exec({"mariadb", "-h", ip, "-u", "app_user", "--password=wrong", "-e", "SELECT 1"});
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("Access denied"), std::string::npos) << refused.output;
  // No root without the password, not even from inside over the loopback.
  for (const char* host : {"127.0.0.1", "::1"}) {
    const Ran no_password = exec({"mariadb", "-h", host, "-u", "root", "-e", "SELECT 1"});
    EXPECT_NE(no_password.status, 0) << host;
  }
  const Ran users = exec({"mariadb", "-u", "root", std::string("--password=") + kPassword + "-root",
                          "--batch", "--skip-column-names", "-e",
                          "SELECT CONCAT(user, '@', host) FROM mysql.user ORDER BY 1"});
  EXPECT_EQ(users.output, "app_user@%\nmariadb.sys@localhost\nroot@%\nroot@localhost\n");
  // The data lives in /var/lib/mysql.
  EXPECT_EQ(exec({"test", "-d", "/var/lib/mysql/app_db"}).status, 0);
}

TEST_F(ServiceImages, RedisTakesRequirepassAsItsCommand) {
  const std::string ip = start("redis", kRedisImage, {},
                               {"redis-server", "--requirepass", kPassword, "--appendonly", "yes"});
  ASSERT_FALSE(ip.empty()) << docker({"logs", name_}).output;
  const Ran run =
      exec_until_ok({"redis-cli", "-h", ip, "--no-auth-warning", "-a", kPassword, "SET", "k", "v"});
  ASSERT_EQ(run.status, 0) << run.output << docker({"logs", name_}).output;
  EXPECT_EQ(run.output, "OK\n");
  const Ran get = exec({"redis-cli", "-h", ip, "--no-auth-warning", "-a", kPassword, "GET", "k"});
  EXPECT_EQ(get.output, "v\n");
  // Without the password: refused (redis-cli exits 0 and prints the error).
  const Ran refused = exec({"redis-cli", "-h", ip, "GET", "k"});
  EXPECT_NE(refused.output.find("NOAUTH"), std::string::npos) << refused.output;
  // The append-only file goes to /data.
  EXPECT_EQ(exec({"test", "-d", "/data/appendonlydir"}).status, 0);
}

// How Berth's services start Redis: the password from the environment (masked in job records)
// instead of the command line, through the entry point so the server still drops root.
TEST_F(ServiceImages, RedisTakesThePasswordFromTheEnvironmentThroughTheEntryPoint) {
  const std::string ip = start(
      "redis-env", kRedisImage, {std::string("REDIS_PASSWORD=") + kPassword},
      {"sh", "-c", "exec docker-entrypoint.sh redis-server --requirepass \"$REDIS_PASSWORD\""});
  ASSERT_FALSE(ip.empty()) << docker({"logs", name_}).output;
  const Ran run =
      exec_until_ok({"redis-cli", "-h", ip, "--no-auth-warning", "-a", kPassword, "PING"});
  ASSERT_EQ(run.status, 0) << run.output << docker({"logs", name_}).output;
  EXPECT_EQ(run.output, "PONG\n");
  EXPECT_EQ(exec({"ps", "-o", "user=", "-p", "1"}).output, "redis\n");
}

}  // namespace
}  // namespace berth::testing
