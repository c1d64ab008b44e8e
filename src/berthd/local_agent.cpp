#include "berthd/local_agent.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "berthd/agent_user.hpp"
#include "berthd/local_agent_dir.hpp"
#include "core/log.hpp"

namespace berth {

namespace {
using namespace std::chrono_literals;
constexpr auto kRestartDelay = 2s;
constexpr auto kEnrolRetry = 10s;
constexpr auto kPoll = 200ms;
constexpr auto kStopGrace = 5s;
constexpr int kRevokedExit = 3;  // berth-agent's exit code after close 4001/4003
constexpr const char* kLogFile = "agent.log";

std::string current_user_name() {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return fmt::format("uid {}", ::geteuid());
  }
  return found->pw_name;
}

// The agent needs none of berthd's variables (BERTH_MASTER_KEY may be among them): a search
// path, a home for the tools it runs, and the language.
std::vector<std::string> agent_environment(const std::string& home) {
  const char* lang = std::getenv("LANG");
  return {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home,
          std::string("LANG=") + (lang != nullptr && *lang != '\0' ? lang : "C.UTF-8")};
}

}  // namespace

Result<LocalAgentOptions> prepare_local_agent(const LocalAgentSettings& settings) {
  LocalAgentOptions options{.agent_binary = settings.agent_binary,
                            .state_dir = {},
                            .server_url = {},
                            .run_as = std::nullopt};
  std::optional<AgentUser> user;
  if (::geteuid() == 0) {
    auto found = find_or_create_agent_user(settings.user);
    if (!found) {
      return fail(std::move(found.error()));
    }
    user = std::move(*found);
    options.run_as = user->credentials;
  } else if (settings.user_given && settings.user != current_user_name()) {
    return fail(Error::invalid(
        fmt::format("--local-agent-user {}: berthd runs as {}, not root, and cannot switch "
                    "users; start it as root or leave the option out",
                    settings.user, current_user_name())));
  } else {
    log::warn("local_agent.same_user",
              {{"user", current_user_name()},
               {"detail",
                "berthd is not root, so the local agent runs as berthd's own user: jobs on "
                "this server can read berthd's data directory and keys"}});
  }
  auto dir = prepare_local_agent_dir({.data_dir = settings.data_dir,
                                      .instance_id = settings.instance_id,
                                      .user = user ? &*user : nullptr});
  if (!dir) {
    return fail(std::move(dir.error()));
  }
  options.state_dir = std::move(*dir);
  log::info("local_agent.prepared",
            {{"user", user ? user->name : current_user_name()}, {"state_dir", options.state_dir}});
  return options;
}

LocalAgent::LocalAgent(LocalAgentOptions options, EnrolmentService& enrolment, Store& store)
    : options_(std::move(options)),
      environment_(agent_environment(options_.state_dir)),
      enrolment_(enrolment),
      store_(store) {}

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

std::string LocalAgent::server_id() const {
  std::ifstream in(std::filesystem::path(options_.state_dir) / "agent.json");
  const auto state = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return state.is_object() ? state.value("server_id", "") : "";
}

pid_t LocalAgent::spawn(const std::vector<std::string>& args) {
  const AgentLaunch launch{.binary = options_.agent_binary,
                           .args = args,
                           .env = environment_,
                           .work_dir = options_.state_dir,
                           .log_file = kLogFile,
                           .run_as = options_.run_as};
  // Under the lock so stop() either sees the child or stops it from starting.
  std::lock_guard lock(mutex_);
  if (stopping_) {
    return -1;
  }
  auto pid = launch_agent(launch);
  if (!pid) {
    log::error("local_agent.spawn_failed",
               {{"binary", options_.agent_binary}, {"error", pid.error().message}});
    return -1;
  }
  child_ = *pid;
  return *pid;
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
