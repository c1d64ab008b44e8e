#include "berthd/local_agent.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "core/log.hpp"

extern char** environ;

namespace berth {

namespace {
using namespace std::chrono_literals;
constexpr auto kRestartDelay = 2s;
constexpr auto kEnrolRetry = 10s;
constexpr auto kPoll = 200ms;
constexpr auto kStopGrace = 5s;
constexpr int kRevokedExit = 3;  // berth-agent's exit code after close 4001/4003
}  // namespace

LocalAgent::LocalAgent(LocalAgentOptions options, EnrolmentService& enrolment, Store& store)
    : options_(std::move(options)), enrolment_(enrolment), store_(store) {}

LocalAgent::~LocalAgent() { stop(); }

void LocalAgent::start() {
  thread_ = std::thread([this] { supervise(); });
}

void LocalAgent::setup_completed() {
  {
    std::lock_guard lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_all();
}

void LocalAgent::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    if (child_ > 0) {
      ::kill(child_, SIGTERM);
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool LocalAgent::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [this] { return stopping_ || nudged_; });
  nudged_ = false;
  return !stopping_;
}

bool LocalAgent::enrolled() const {
  return std::filesystem::exists(std::filesystem::path(options_.state_dir) / "agent.json");
}

pid_t LocalAgent::spawn(const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings{options_.agent_binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const std::string log_path = (std::filesystem::path(options_.state_dir) / "agent.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  std::lock_guard lock(mutex_);
  const int failed = stopping_ ? ECANCELED
                               : posix_spawn(&pid, options_.agent_binary.c_str(), &actions, nullptr,
                                             argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) {
    if (!stopping_) {
      log::error("local_agent.spawn_failed",
                 {{"binary", options_.agent_binary}, {"error", std::strerror(failed)}});
    }
    return -1;
  }
  child_ = pid;
  return pid;
}

int LocalAgent::wait_for(pid_t pid) {
  const auto deadline_after_stop = std::chrono::steady_clock::now();
  bool stop_seen = false;
  std::chrono::steady_clock::time_point kill_at = deadline_after_stop;
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      std::lock_guard lock(mutex_);
      child_ = -1;
      return stop_seen ? -1 : status;
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && !stop_seen) {
        stop_seen = true;
        kill_at = std::chrono::steady_clock::now() + kStopGrace;
      }
    }
    if (stop_seen && std::chrono::steady_clock::now() >= kill_at) {
      ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(kPoll);
  }
}

bool LocalAgent::enrol() {
  // The first user's personal team: on a fresh instance, the administrator who set it up.
  auto users = read_value<Page<UserRecord>>(store_, [](Tx& tx) { return tx.list_users("", 1, 1); });
  if (!users || users->items.empty() || users->items.front().personal_team_id.empty()) {
    return false;  // not set up yet
  }
  auto token = enrolment_.mint_for_system(users->items.front().personal_team_id, "");
  if (!token) {
    log::error("local_agent.token_failed", {{"error", token.error().message}});
    return false;
  }
  const pid_t pid = spawn({"enroll", "--server", options_.server_url, "--install-token",
                           token->token, "--state-dir", options_.state_dir});
  if (pid < 0) {
    return false;
  }
  const int status = wait_for(pid);
  const bool ok = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  log::info("local_agent.enrolled", {{"ok", ok}});
  return ok && enrolled();
}

void LocalAgent::supervise() {
  std::error_code ignored;
  std::filesystem::create_directories(options_.state_dir, ignored);
  std::filesystem::permissions(options_.state_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ignored);
  while (!enrolled()) {
    if (enrol()) {
      break;
    }
    if (!pause(kEnrolRetry)) {
      return;
    }
  }
  for (;;) {
    const pid_t pid = spawn({"run", "--state-dir", options_.state_dir});
    if (pid > 0) {
      log::info("local_agent.started", {{"pid", static_cast<std::int64_t>(pid)}});
      const int status = wait_for(pid);
      if (status < 0) {
        return;  // stopped with berthd
      }
      log::warn("local_agent.exited", {{"status", static_cast<std::int64_t>(status)}});
      if (WIFEXITED(status) && WEXITSTATUS(status) == kRevokedExit) {
        // Revoked or deleted by an admin: restarting would only be refused again.
        log::warn("local_agent.stopped_for_good", {{"state_dir", options_.state_dir}});
        return;
      }
    }
    if (!pause(kRestartDelay)) {
      return;
    }
  }
}

}  // namespace berth
