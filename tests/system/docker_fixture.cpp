#include "system/docker_fixture.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "agent/host/docker_client.hpp"
#include "agent/host/docker_jobs.hpp"

extern char** environ;

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

constexpr const char* kSystemSocket = "/var/run/docker.sock";
constexpr const char* kOwnDir = "/tmp/berth-test-docker";
constexpr auto kStartDeadline = std::chrono::seconds(30);

bool answers(const std::string& socket_path) {
  return agent::host::docker_status(socket_path).value("status", "") == "online";
}

std::string tail_of(const std::string& path, std::size_t bytes = 2000) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  const std::string all = text.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

// Starts `argv` in a session of its own (so it outlives this test process), output to `log`.
pid_t spawn_detached(const std::vector<std::string>& argv, const std::string& log,
                     char** env = environ) {
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  if (posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), env) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return pid;
}

// Our own dockerd: started once per machine, shared by concurrent test processes through a lock.
DockerEngine start_own_dockerd() {
  const std::string dir = kOwnDir;
  const std::string socket = dir + "/docker.sock";
  std::error_code ignored;
  fs::create_directories(dir, ignored);
  const int lock = ::open((dir + "/start.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    return {.ready = false, .socket_path = {}, .reason = "cannot lock " + dir + "/start.lock"};
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  if (answers(socket)) {
    return {.ready = true, .socket_path = socket, .reason = {}};
  }
  if (::geteuid() != 0) {
    return {.ready = false, .socket_path = {}, .reason = "dockerd needs root; no Docker answers"};
  }
  // A daemon that died uncleanly leaves its pidfile, which would stop the next from starting.
  fs::remove(dir + "/dockerd.pid", ignored);
  const std::string log = dir + "/dockerd.log";
  const pid_t pid =
      spawn_detached({"dockerd", "--host", "unix://" + socket, "--data-root", dir + "/data",
                      "--exec-root", dir + "/exec", "--pidfile", dir + "/dockerd.pid"},
                     log);
  if (pid < 0) {
    return {.ready = false,
            .socket_path = {},
            .reason = "cannot start dockerd (is docker.io installed?)"};
  }
  const auto deadline = steady_clock::now() + kStartDeadline;
  while (steady_clock::now() < deadline) {
    if (answers(socket)) {
      return {.ready = true, .socket_path = socket, .reason = {}};
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return {
          .ready = false, .socket_path = {}, .reason = "dockerd exited at start:\n" + tail_of(log)};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return {.ready = false,
          .socket_path = {},
          .reason = "dockerd did not answer within 30 s:\n" + tail_of(log)};
}

bool image_exists(const std::string& socket) {
  agent::host::DockerClient client(socket);
  auto response = client.request("GET", std::string("/images/") + kTestImage + "/json");
  return response && response->status == 200;
}

// Runs scripts/<script> against `socket`; "" on success, else the script's output.
std::string run_image_script(const std::string& script, const std::string& socket) {
  const std::string log =
      fs::temp_directory_path() / ("berth-" + script + "-" + std::to_string(::getpid()) + ".log");
  std::vector<std::string> env_text = {"DOCKER_HOST=unix://" + socket};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!std::string_view(*entry).starts_with("DOCKER_HOST=")) {
      env_text.emplace_back(*entry);
    }
  }
  std::vector<char*> env;
  for (auto& entry : env_text) {
    env.push_back(entry.data());
  }
  env.push_back(nullptr);
  const pid_t pid =
      spawn_detached({std::string(BERTH_SOURCE_DIR) + "/scripts/" + script}, log, env.data());
  int status = 0;
  const bool ok =
      pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::string output = tail_of(log);
  std::error_code ignored;
  fs::remove(log, ignored);
  return ok ? std::string() : "scripts/" + script + " failed:\n" + output;
}

DockerEngine find_engine() {
  DockerEngine engine;
  if (answers(kSystemSocket)) {
    engine = {.ready = true, .socket_path = kSystemSocket, .reason = {}};
  } else {
    engine = start_own_dockerd();
  }
  if (!engine.ready || image_exists(engine.socket_path)) {
    return engine;
  }
  if (auto failure = run_image_script("build-test-images", engine.socket_path); !failure.empty()) {
    return {.ready = false, .socket_path = engine.socket_path, .reason = failure};
  }
  return engine;
}

}  // namespace

const DockerEngine& shared_docker_engine() {
  static const DockerEngine engine = find_engine();
  return engine;
}

const std::string& shared_service_images() {
  static const std::string failure = [] {
    const auto& engine = shared_docker_engine();
    return engine.ready ? run_image_script("build-service-images", engine.socket_path)
                        : "no Docker Engine: " + engine.reason;
  }();
  return failure;
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) {
    ::close(fd);
  }
  return port;
}

}  // namespace berth::testing
