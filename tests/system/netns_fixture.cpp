#include "system/netns_fixture.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace berth::testing {

namespace {

constexpr const char* kIp = "ip";

std::atomic<int> fixtures_made{0};

bool program_exists(std::string_view name) {
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    if (::access(fmt::format("{}/{}", dir, name).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

/// Effective capability bit `bit` of this process, from /proc/self/status.
bool has_capability(int bit) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("CapEff:")) {
      const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      return ((mask >> bit) & 1ULL) != 0;
    }
  }
  return false;
}

/// Starts argv with stdin from `stdin_fd` (-1: /dev/null), output appended to `output_file`.
pid_t spawn(const std::vector<std::string>& argv, int stdin_fd, int close_in_child,
            const std::string& output_file) {
  if (argv.empty()) {
    throw std::runtime_error("spawn: empty argv");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
    posix_spawn_file_actions_addclose(&actions, stdin_fd);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (close_in_child >= 0) {
    posix_spawn_file_actions_addclose(&actions, close_in_child);
  }
  if (!output_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], std::strerror(error)));
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool gone(pid_t pid) {
  int status = 0;
  const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
  if (reaped == pid) {
    return true;
  }
  // Not our child (or already reaped): it is gone when it no longer exists or is a zombie.
  if (reaped < 0 && ::kill(pid, 0) != 0) {
    return true;
  }
  if (reaped < 0) {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string ignored_pid;
    std::string ignored_name;
    std::string state;
    stat >> ignored_pid >> ignored_name >> state;
    return state == "Z";
  }
  return false;
}

}  // namespace

int run_process(const std::vector<std::string>& argv, std::string_view input,
                const std::string& output_file) {
  int pipe_fds[2] = {-1, -1};
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  pid_t pid = -1;
  try {
    pid = spawn(argv, pipe_fds[0], pipe_fds[1], output_file);
  } catch (...) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw;
  }
  ::close(pipe_fds[0]);
  // The child may exit without reading (EPIPE): ignore SIGPIPE for this write only.
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = ::write(pipe_fds[1], input.data() + written, input.size() - written);
    if (n <= 0) {
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  ::sigaction(SIGPIPE, &previous, nullptr);
  ::close(pipe_fds[1]);
  return wait_for(pid);
}

void run_checked(const std::vector<std::string>& argv, std::string_view input) {
  const int status = run_process(argv, input);
  if (status != 0) {
    std::string joined;
    for (const std::string& arg : argv) {
      joined += (joined.empty() ? "" : " ") + arg;
    }
    throw std::runtime_error(fmt::format("`{}` exited with {}", joined, status));
  }
}

void stop_process(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0 || gone(pid)) {
    return;
  }
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (gone(pid)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

std::string NetnsFixture::unavailable_reason() {
  if (::geteuid() != 0) {
    return "network namespace tests need root";
  }
  constexpr int kCapNetAdmin = 12;
  constexpr int kCapSysAdmin = 21;
  if (!has_capability(kCapNetAdmin) || !has_capability(kCapSysAdmin)) {
    return "network namespace tests need CAP_NET_ADMIN and CAP_SYS_ADMIN";
  }
  if (!program_exists("ip")) {
    return "network namespace tests need `ip` (iproute2)";
  }
  return {};
}

NetnsFixture::NetnsFixture() {
  const int pid = static_cast<int>(::getpid());
  const int serial = fixtures_made.fetch_add(1);
  name_ = fmt::format("berth-{}-{}", pid, serial);
  host_if_ = fmt::format("bh{}x{}", pid, serial % 100);
  inside_if_ = fmt::format("bn{}x{}", pid, serial % 100);
  // 16384 blocks of 4 addresses in 10.231.0.0/16; 4 per process, chosen by pid.
  const int block = (pid % 4096) * 4 + serial % 4;
  const int base = block * 4;
  host_address_ = fmt::format("10.231.{}.{}", base / 256, base % 256 + 1);
  inside_address_ = fmt::format("10.231.{}.{}", base / 256, base % 256 + 2);
  try {
    run_checked({kIp, "netns", "add", name_});
    run_checked({kIp, "link", "add", host_if_, "type", "veth", "peer", "name", inside_if_});
    run_checked({kIp, "link", "set", inside_if_, "netns", name_});
    run_checked({kIp, "addr", "add", host_address_ + "/30", "dev", host_if_});
    run_checked({kIp, "link", "set", host_if_, "up"});
    run_checked({kIp, "-n", name_, "addr", "add", inside_address_ + "/30", "dev", inside_if_});
    run_checked({kIp, "-n", name_, "link", "set", inside_if_, "up"});
    run_checked({kIp, "-n", name_, "link", "set", "lo", "up"});
  } catch (...) {
    run_process({kIp, "link", "del", host_if_}, {}, "/dev/null");
    run_process({kIp, "netns", "del", name_}, {}, "/dev/null");
    throw;
  }
}

NetnsFixture::~NetnsFixture() {
  try {
    kill_everything_inside();
    // Deleting the host end removes its peer too; the namespace then goes with its last user.
    run_process({kIp, "link", "del", host_if_}, {}, "/dev/null");
    run_process({kIp, "netns", "del", name_}, {}, "/dev/null");
  } catch (...) {
    // A destructor must not throw; a leftover namespace is visible in `ip netns list`.
  }
}

pid_t NetnsFixture::run_inside(const std::vector<std::string>& argv,
                               const std::string& output_file) {
  std::vector<std::string> full{kIp, "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  const pid_t pid = spawn(full, -1, -1, output_file);
  spawned_.push_back(pid);
  return pid;
}

int NetnsFixture::run_inside_and_wait(const std::vector<std::string>& argv) {
  std::vector<std::string> full{kIp, "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return run_process(full);
}

void NetnsFixture::stop(pid_t pid) {
  stop_process(pid);
  std::erase(spawned_, pid);
}

void NetnsFixture::link_down() { run_checked({kIp, "link", "set", host_if_, "down"}); }

void NetnsFixture::link_up() { run_checked({kIp, "link", "set", host_if_, "up"}); }

void NetnsFixture::kill_everything_inside() {
  for (const pid_t pid : spawned_) {
    stop_process(pid);
  }
  spawned_.clear();
  // What `ip netns pids` does: every process whose network namespace is this one.
  struct stat netns {};
  if (::stat(fmt::format("/run/netns/{}", name_).c_str(), &netns) != 0) {
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    bool found = false;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
      const std::string pid_text = entry.path().filename().string();
      if (pid_text.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      struct stat process_ns {};
      if (::stat((entry.path() / "ns" / "net").c_str(), &process_ns) == 0 &&
          process_ns.st_ino == netns.st_ino && process_ns.st_dev == netns.st_dev) {
        found = true;
        ::kill(std::stoi(pid_text), SIGKILL);
      }
    }
    if (!found) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace berth::testing
