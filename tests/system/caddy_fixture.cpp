#include "system/caddy_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "integration/berthd_process.hpp"
#include "system/docker_fixture.hpp"
#include "system/proxy_client.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string caddy_binary() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "/usr/bin:/usr/local/bin" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir) / "caddy";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return {};
}

}  // namespace

void kill_processes_using(const std::filesystem::path& dir) {
  std::error_code failed;
  const std::string needle = dir.string() + "/";
  for (std::filesystem::directory_iterator entry("/proc", failed), end; !failed && entry != end;
       entry.increment(failed)) {
    const auto name = entry->path().filename().string();
    if (name.empty() || name.size() > 9 ||
        name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream in(entry->path() / "cmdline");
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const auto pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
    if (pid > 1 && pid != ::getpid() && cmdline.find(needle) != std::string::npos) {
      ::kill(pid, SIGKILL);
    }
  }
}

std::string CaddyProcess::unavailable_reason() {
  return caddy_binary().empty() ? "caddy is not installed (apt-get install caddy)" : "";
}

CaddyProcess::CaddyProcess(const fs::path& dir) : dir_(dir) {
  fs::create_directories(dir_);
  admin_port_ = free_loopback_port();
  {
    std::ofstream config(dir_ / "caddy.json");
    config << R"({"admin":{"listen":")" << admin_address() << R"("}})";
  }
  pid_ = spawn_process(caddy_binary(), {"run", "--config", (dir_ / "caddy.json").string()},
                       {{"XDG_DATA_HOME", dir_.string()}, {"XDG_CONFIG_HOME", dir_.string()}},
                       dir_ / "caddy.log");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(static_cast<std::uint16_t>(admin_port_), admin_address(), "/config/", 2s).status ==
        200) {
      return;
    }
    if (wait_for_exit(pid_, 0ms)) {
      pid_ = -1;
      throw std::runtime_error("caddy exited at start:\n" + log());
    }
    std::this_thread::sleep_for(100ms);
  }
  ::kill(pid_, SIGKILL);
  wait_for_exit(pid_, 10s);
  pid_ = -1;
  throw std::runtime_error("caddy's admin endpoint did not answer within 20 s:\n" + log());
}

CaddyProcess::~CaddyProcess() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGTERM);
  if (!wait_for_exit(pid_, 10s)) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, 10s);
  }
}

std::string CaddyProcess::config() const {
  const ProxyReply reply =
      http_get(static_cast<std::uint16_t>(admin_port_), admin_address(), "/config/", 5s);
  return reply.status == 200 ? reply.body : "";
}

std::string CaddyProcess::log() const { return read_file(dir_ / "caddy.log"); }

}  // namespace berth::testing
