#include "agent/exec_job.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>

#include "core/log.hpp"

namespace berth::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kSystemPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ExecSpec {
  std::vector<std::string> argv;
  nlohmann::json env = nlohmann::json::object();
  std::string cwd;
  std::optional<std::string> stdin_text;
};

bool has_nul(const std::string& text) { return text.find('\0') != std::string::npos; }

std::optional<std::string> parse_spec(const nlohmann::json& args, ExecSpec& spec) {
  if (!args.is_object()) {
    return "args must be an object";
  }
  const auto argv = args.find("argv");
  if (argv == args.end() || !argv->is_array() || argv->empty()) {
    return "argv must be a non-empty array of strings";
  }
  for (const auto& item : *argv) {
    if (!item.is_string() || has_nul(item.get<std::string>())) {
      return "argv must be a non-empty array of strings";
    }
    spec.argv.push_back(item.get<std::string>());
  }
  if (spec.argv.front().empty()) {
    return "argv[0] must not be empty";
  }
  if (const auto env = args.find("env"); env != args.end() && !env->is_null()) {
    if (!env->is_object()) {
      return "env must be an object of strings";
    }
    for (const auto& [name, value] : env->items()) {
      if (name.empty() || name.find('=') != std::string::npos || has_nul(name) ||
          !value.is_string() || has_nul(value.get<std::string>())) {
        return "env must map names without '=' to strings";
      }
    }
    spec.env = *env;
  }
  if (const auto cwd = args.find("cwd"); cwd != args.end() && !cwd->is_null()) {
    if (!cwd->is_string() || has_nul(cwd->get<std::string>())) {
      return "cwd must be a string";
    }
    spec.cwd = cwd->get<std::string>();
  }
  if (const auto in = args.find("stdin"); in != args.end() && !in->is_null()) {
    if (!in->is_string()) {
      return "stdin must be a string";
    }
    spec.stdin_text = in->get<std::string>();
  }
  return std::nullopt;
}

// Closes on scope exit; -1 means nothing to close.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int value) : fd(value) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return false;
  }
  read_end.fd = fds[0];
  write_end.fd = fds[1];
  return true;
}

// The writer's SIGPIPE would kill the whole agent when a job closes its stdin early; blocked
// for this thread, write() returns EPIPE instead (the signal is thread-directed).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~SigpipeBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t previous_{};
};

// Spawns the process with posix_spawn: no fork of a multi-threaded agent, and exec failures
// (including a bad cwd) come back as an errno instead of a child that exits 127.
int spawn(const ExecSpec& spec, const std::string& program, const std::vector<std::string>& env,
          int stdin_fd, int stdout_fd, int stderr_fd, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  if (!spec.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  }
  // Descriptors the agent opened without O_CLOEXEC (sockets) must not leak into jobs.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (const auto& arg : spec.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& entry : env) {
    envp.push_back(const_cast<char*>(entry.c_str()));
  }
  envp.push_back(nullptr);

  const int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

enum class StopReason { none, canceled, timeout };

JobOutcome outcome_of(int wait_status, StopReason reason, std::chrono::milliseconds timeout) {
  if (reason == StopReason::canceled) {
    JobOutcome out;
    out.status = "canceled";
    out.error_code = "canceled";
    out.error_message = "the job was canceled";
    return out;
  }
  if (reason == StopReason::timeout) {
    return JobOutcome::failed("timeout", "the job ran longer than its timeout of " +
                                             std::to_string(timeout.count()) +
                                             " ms and was killed");
  }
  if (WIFEXITED(wait_status)) {
    const int code = WEXITSTATUS(wait_status);
    JobOutcome out = code == 0
                         ? JobOutcome{}
                         : JobOutcome::failed("exit_status", "the process exited with status " +
                                                                 std::to_string(code));
    out.exit_code = code;
    return out;
  }
  const int signal_number = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  return JobOutcome::failed("exit_status", "the process was killed by signal " +
                                               std::to_string(signal_number) + " (" +
                                               strsignal(signal_number) + ")");
}

}  // namespace

std::vector<std::string> exec_environment(const nlohmann::json& overrides,
                                          const std::string& job_id) {
  std::map<std::string, std::string> env;
  env["PATH"] = kSystemPath;
  env["LANG"] = "C.UTF-8";
  env["HOME"] = "/";
  if (const passwd* user = ::getpwuid(::geteuid()); user != nullptr) {
    env["HOME"] = user->pw_dir;
    env["USER"] = user->pw_name;
    env["LOGNAME"] = user->pw_name;
  }
  env["BERTH_JOB_ID"] = job_id;
  if (overrides.is_object()) {
    for (const auto& [name, value] : overrides.items()) {
      if (value.is_string()) {
        env[name] = value.get<std::string>();
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& [name, value] : env) {
    out.push_back(name + "=" + value);
  }
  return out;
}

std::optional<std::string> resolve_program(const std::string& name, const std::string& path) {
  if (name.find('/') != std::string::npos) {
    return name;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    std::string dir = path.substr(start, end - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

JobOutcome run_exec_job(JobContext& job, const ExecOptions& options) {
  ExecSpec spec;
  if (auto invalid = parse_spec(job.args, spec)) {
    return JobOutcome::failed("invalid_args", *invalid);
  }
  const auto env = exec_environment(spec.env, job.job_id);
  std::string path_value;
  for (const auto& entry : env) {
    if (entry.starts_with("PATH=")) {
      path_value = entry.substr(5);
    }
  }
  const auto program = resolve_program(spec.argv.front(), path_value);
  if (!program) {
    return JobOutcome::failed("spawn_failed", spec.argv.front() + ": command not found on PATH");
  }

  SigpipeBlock sigpipe_block;
  Fd stdin_read, stdin_write, out_read, out_write, err_read, err_write;
  const bool piped =
      make_pipe(out_read, out_write) && make_pipe(err_read, err_write) &&
      (spec.stdin_text ? make_pipe(stdin_read, stdin_write)
                       : (stdin_read.fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
  if (!piped) {
    return JobOutcome::failed("spawn_failed",
                              std::string("cannot create pipes: ") + std::strerror(errno));
  }
  pid_t pid = -1;
  if (const int rc = spawn(spec, *program, env, stdin_read.fd, out_write.fd, err_write.fd, pid);
      rc != 0) {
    return JobOutcome::failed("spawn_failed", spec.argv.front() + ": " + std::strerror(rc));
  }
  const auto started = SteadyClock::now();
  log::info("agent.exec_started", {{"job_id", job.job_id}, {"pid", std::int64_t{pid}}});
  stdin_read.reset();
  out_write.reset();
  err_write.reset();
  for (const int fd : {out_read.fd, err_read.fd, stdin_write.fd}) {
    if (fd >= 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
  }

  std::string_view stdin_left = spec.stdin_text ? std::string_view(*spec.stdin_text) : "";
  if (stdin_write.fd >= 0 && stdin_left.empty()) {
    stdin_write.reset();
  }
  std::vector<char> buffer(64 * 1024);
  StopReason reason = StopReason::none;
  std::optional<SteadyClock::time_point> kill_at;
  std::optional<SteadyClock::time_point> drain_until;
  std::optional<int> wait_status;
  const auto deadline = started + job.timeout;

  while (!wait_status || (drain_until && SteadyClock::now() < *drain_until &&
                          (out_read.fd >= 0 || err_read.fd >= 0))) {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    for (const Fd* fd : {&out_read, &err_read}) {
      if (fd->fd >= 0) {
        fds[count++] = pollfd{.fd = fd->fd, .events = POLLIN, .revents = 0};
      }
    }
    if (stdin_write.fd >= 0) {
      fds[count++] = pollfd{.fd = stdin_write.fd, .events = POLLOUT, .revents = 0};
    }
    ::poll(fds.data(), count, 50);  // the period at which cancel and the deadlines are seen

    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (fds[i].fd == stdin_write.fd) {
        const ssize_t n = ::write(stdin_write.fd, stdin_left.data(), stdin_left.size());
        if (n > 0) {
          stdin_left.remove_prefix(static_cast<std::size_t>(n));
        }
        if (stdin_left.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          stdin_write.reset();  // all written, or the job closed its stdin: EOF either way
        }
        continue;
      }
      Fd& source = fds[i].fd == out_read.fd ? out_read : err_read;
      const ssize_t n = ::read(source.fd, buffer.data(), buffer.size());
      if (n > 0) {
        job.output.write(&source == &out_read ? "stdout" : "stderr",
                         std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        source.reset();
      }
    }

    const auto now = SteadyClock::now();
    if (reason == StopReason::none && (job.cancelled.load() || now >= deadline)) {
      reason = job.cancelled.load() ? StopReason::canceled : StopReason::timeout;
      ::kill(-pid, SIGTERM);
      kill_at = now + options.kill_grace;
      log::info("agent.exec_stopping",
                {{"job_id", job.job_id},
                 {"reason", reason == StopReason::canceled ? "canceled" : "timeout"}});
    }
    if (kill_at && now >= *kill_at) {
      ::kill(-pid, SIGKILL);
      kill_at.reset();
    }
    if (!wait_status) {
      // WNOWAIT leaves the zombie in place, so its pid (the group id) cannot be reused before
      // the group is killed below.
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid) {
        if (reason != StopReason::none) {
          ::kill(-pid, SIGKILL);  // what is left of a group we were told to stop
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        wait_status = status;
        drain_until = now + options.drain_after_exit;
      }
    }
  }

  JobOutcome outcome = outcome_of(*wait_status, reason, job.timeout);
  log::info("agent.exec_finished", {{"job_id", job.job_id},
                                    {"status", outcome.status},
                                    {"exit_code", std::int64_t{outcome.exit_code.value_or(-1)}}});
  return outcome;
}

}  // namespace berth::agent
