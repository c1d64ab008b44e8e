#include "berthd/agent_launch.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth {

namespace {

// What the child reports through the pipe when it cannot reach the exec.
enum class Step : int {
  chdir,
  open_binary,
  groups,
  gid,
  uid,
  death_signal,
  log_file,
  dev_null,
  exec
};

std::string describe(Step step, const AgentLaunch& launch) {
  switch (step) {
    case Step::chdir:
      return "cannot enter " + launch.work_dir;
    case Step::open_binary:
      return "cannot open " + launch.binary;
    case Step::groups:
      return "cannot set the agent user's groups";
    case Step::gid:
      return "cannot switch to the agent user's group";
    case Step::uid:
      return "cannot switch to the agent user";
    case Step::death_signal:
      return "cannot ask to be stopped with berthd";
    case Step::log_file:
      return "cannot open " + launch.work_dir + "/" + launch.log_file;
    case Step::dev_null:
      return "cannot open /dev/null";
    case Step::exec:
      return "cannot execute " + launch.binary;
  }
  return "cannot start";
}

struct Report {
  int step = 0;
  int error = 0;
};

// Everything the child needs, built before fork: after it only async-signal-safe calls.
struct Prepared {
  std::vector<std::string> argv_strings;
  std::vector<char*> argv;
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  const char* binary = nullptr;
  const char* work_dir = nullptr;
  const char* log_file = nullptr;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  pid_t parent = 0;
  int max_fd = 0;  // for closing one by one when close_range is missing
};

[[noreturn]] void child_fails(int report_fd, Step step) {
  const Report report{.step = static_cast<int>(step), .error = errno};
  // Nothing to do if the parent has stopped listening: the exit status still says it failed.
  (void)::write(report_fd, &report, sizeof report);
  ::_exit(127);
}

// A descriptor above stderr (0-2 are the agent's standard streams), close-on-exec.
int lift(int fd) {
  if (fd < 0 || fd > STDERR_FILENO) {
    return fd;
  }
  const int lifted = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return lifted;
}

// `fd` becomes `target`, inherited by the exec.
bool install(int fd, int target) {
  if (fd == target) {
    return ::fcntl(fd, F_SETFD, 0) == 0;
  }
  return ::dup2(fd, target) == target;
}

void close_range_or_loop(unsigned first, unsigned last, int max_fd) {
  if (first > last) {
    return;
  }
  if (::syscall(SYS_close_range, first, last, 0U) == 0) {
    return;
  }
  const auto end = std::min(last, static_cast<unsigned>(std::max(max_fd, 0)));
  for (unsigned fd = first; fd <= end; ++fd) {
    ::close(static_cast<int>(fd));
  }
}

// Every descriptor from 3 up except the two the child still needs (both close on exec).
void close_inherited(int keep_a, int keep_b, int max_fd) {
  const auto low = static_cast<unsigned>(std::min(keep_a, keep_b));
  const auto high = static_cast<unsigned>(std::max(keep_a, keep_b));
  close_range_or_loop(STDERR_FILENO + 1, low - 1, max_fd);
  close_range_or_loop(low + 1, high - 1, max_fd);
  close_range_or_loop(high + 1, ~0U, max_fd);
}

[[noreturn]] void run_child(const Prepared& p, int report_fd) {
  report_fd = lift(report_fd);
  // berthd's handlers are reset by the exec, but ignored signals and the mask would carry over.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
    ::sigaction(signal_number, &default_action, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::chdir(p.work_dir) != 0) {
    child_fails(report_fd, Step::chdir);
  }
  const int binary = lift(::open(p.binary, O_RDONLY | O_CLOEXEC));
  if (binary < 0) {
    child_fails(report_fd, Step::open_binary);
  }
  if (p.switch_user) {
    // Raw system calls: the child has one thread, and glibc's wrappers would try to reach
    // berthd's other threads, which do not exist here.
    if (::syscall(SYS_setgroups, p.groups.size(), p.groups.data()) != 0) {
      child_fails(report_fd, Step::groups);
    }
    if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) {
      child_fails(report_fd, Step::gid);
    }
    if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) {
      child_fails(report_fd, Step::uid);
    }
  }
  // After the switch, which clears it; and berthd may have died before it was set.
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
    child_fails(report_fd, Step::death_signal);
  }
  if (::getppid() != p.parent) {
    ::_exit(0);
  }
  const int log = lift(::open(p.log_file, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                              S_IRUSR | S_IWUSR));
  if (log < 0) {
    child_fails(report_fd, Step::log_file);
  }
  const int null = lift(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null < 0) {
    child_fails(report_fd, Step::dev_null);
  }
  if (!install(null, STDIN_FILENO) || !install(log, STDOUT_FILENO) ||
      !install(log, STDERR_FILENO)) {
    child_fails(report_fd, Step::log_file);
  }
  close_inherited(binary, report_fd, p.max_fd);
  ::fexecve(binary, p.argv.data(), p.envp.data());
  child_fails(report_fd, Step::exec);
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& text : strings) {
    out.push_back(text.data());
  }
  out.push_back(nullptr);
  return out;
}

int highest_descriptor() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return 1 << 20;
  }
  return static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
}

}  // namespace

Result<pid_t> launch_agent(const AgentLaunch& launch) {
  Prepared p;
  p.argv_strings.push_back(launch.binary);
  p.argv_strings.insert(p.argv_strings.end(), launch.args.begin(), launch.args.end());
  p.argv = pointers(p.argv_strings);
  p.env_strings = launch.env;
  p.envp = pointers(p.env_strings);
  p.binary = launch.binary.c_str();
  p.work_dir = launch.work_dir.c_str();
  p.log_file = launch.log_file.c_str();
  if (launch.run_as) {
    p.switch_user = true;
    p.uid = launch.run_as->uid;
    p.gid = launch.run_as->gid;
    p.groups = launch.run_as->groups;
  }
  p.parent = ::getpid();
  p.max_fd = highest_descriptor();

  int report[2] = {-1, -1};
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return fail(Error::unavailable(
        fmt::format("cannot start the local agent: pipe: {}", std::strerror(errno))));
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    run_child(p, report[1]);
  }
  const int fork_error = errno;
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return fail(Error::unavailable(
        fmt::format("cannot start the local agent: fork: {}", std::strerror(fork_error))));
  }
  // The pipe closes on the exec (nothing read) or carries why the child gave up.
  Report got;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &got, sizeof got);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == 0) {
    return pid;
  }
  int ignored = 0;
  while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof got) || got.step < 0 ||
      got.step > static_cast<int>(Step::exec)) {
    return fail(Error::unavailable("cannot start the local agent"));
  }
  return fail(Error::unavailable(fmt::format("cannot start the local agent: {} (as uid {}): {}",
                                             describe(static_cast<Step>(got.step), launch),
                                             p.switch_user ? p.uid : ::getuid(),
                                             std::strerror(got.error))));
}

}  // namespace berth
