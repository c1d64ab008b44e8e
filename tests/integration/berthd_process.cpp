#include "integration/berthd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "integration/http_client.hpp"

extern char** environ;

namespace berth::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kPollInterval = 10ms;

}  // namespace

std::string berthd_binary() { return BERTHD_PATH; }

pid_t spawn_process(const std::string& program, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const fs::path& output_file,
                    const fs::path& input_file) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    // The tests set every option they rely on; an operator's BERTH_* must not leak in.
    if (!entry.starts_with("BERTH_")) {
      env_strings.push_back(entry);
    }
  }
  for (const auto& [name, value] : env) {
    env_strings.push_back(name + "=" + value);
  }
  std::vector<char*> argv;
  std::string binary = program;
  argv.push_back(binary.data());
  std::vector<std::string> args_copy = args;
  for (auto& arg : args_copy) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env_strings) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (!input_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, 0, input_file.c_str(), O_RDONLY, 0);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + binary);
  }
  return pid;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const fs::path& output_file, const std::vector<std::string>& prefix = {}) {
  if (prefix.empty()) {
    return spawn_process(BERTHD_PATH, args, env, output_file);
  }
  std::vector<std::string> through(prefix.begin() + 1, prefix.end());
  through.push_back(BERTHD_PATH);
  through.insert(through.end(), args.begin(), args.end());
  return spawn_process(prefix.front(), through, env, output_file);
}

std::optional<int> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  return wait_for_exit(pid, timeout);
}

}  // namespace

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

BerthdProcess::BerthdProcess(const fs::path& work_dir, BerthdOptions options)
    : work_dir_(work_dir), data_dir_(options.data_dir.value_or(work_dir / "data")) {
  fs::create_directories(work_dir_);
  const fs::path port_file = work_dir_ / "port";
  fs::remove(port_file);
  std::vector<std::string> args = {
      "--listen",   options.listen,           "--port-file", port_file, "--data-dir", data_dir_,
      "--log-file", work_dir_ / "berthd.log", "--threads",   "2"};
  args.insert(args.end(), options.args.begin(), options.args.end());
  pid_ = spawn(args, options.env, work_dir_ / "berthd.out", options.prefix);

  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (port_ == 0) {
    if (auto exited = wait_for(pid_, 0ms)) {
      exit_status_ = exited;
      throw std::runtime_error("berthd exited with " + std::to_string(*exited) + " at start-up:\n" +
                               output() + log());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("berthd wrote no port file within 30 s:\n" + output() + log());
    }
    if (const std::string text = read_file(port_file); !text.empty()) {
      port_ = static_cast<std::uint16_t>(std::stoi(text));
    } else {
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  while (options.wait_healthy) {
    try {
      if (http_request(port_, "GET", "/api/v1/health").status == 200) {
        break;
      }
    } catch (const std::exception&) {
      // not answering yet
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("berthd did not become healthy:\n" + log());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

BerthdProcess::~BerthdProcess() {
  if (!exit_status_) {
    stop();
  }
}

void BerthdProcess::send_signal(int signal) const { ::kill(pid_, signal); }

std::optional<int> BerthdProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_status_) {
    return exit_status_;
  }
  exit_status_ = wait_for(pid_, timeout);
  return exit_status_;
}

int BerthdProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (exit_status_) {
    return *exit_status_;
  }
  send_signal(signal);
  if (auto status = wait_exit(timeout)) {
    return *status;
  }
  ::kill(pid_, SIGKILL);
  exit_status_ = wait_for(pid_, 10s).value_or(-1);
  return -1;
}

std::string BerthdProcess::log() const { return read_file(work_dir_ / "berthd.log"); }

std::string BerthdProcess::output() const { return read_file(work_dir_ / "berthd.out"); }

int run_berthd(const std::vector<std::string>& args, std::string& output,
               const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
  TempDir dir;
  const fs::path out = dir.path() / "out";
  const pid_t pid = spawn(args, env, out);
  auto status = wait_for(pid, timeout);
  if (!status) {
    ::kill(pid, SIGKILL);
    wait_for(pid, 10s);
  }
  output = read_file(out);
  return status.value_or(-1);
}

}  // namespace berth::testing
