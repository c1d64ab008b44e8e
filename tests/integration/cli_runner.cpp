#include "integration/cli_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "integration/berthd_process.hpp"

extern char** environ;

namespace berth::testing {

namespace {

// The environment berth runs in: the test's own, less BERTH_*, HOME, XDG_CONFIG_HOME and
// NO_COLOR, then HOME in the work directory and `env`.
std::vector<std::string> child_environment(const std::filesystem::path& work_dir,
                                           std::map<std::string, std::string> env) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (!entry.starts_with("BERTH_") && !entry.starts_with("HOME=") &&
        !entry.starts_with("XDG_CONFIG_HOME=") && !entry.starts_with("NO_COLOR=")) {
      environment.push_back(entry);
    }
  }
  env.emplace("HOME", (work_dir / "home").string());
  for (const auto& [name, value] : env) {
    environment.push_back(name + "=" + value);
  }
  return environment;
}

// NULL-terminated pointers into `strings` for execve (built before fork: the child only execs).
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

CliProcess::Program berth_program(const std::vector<std::string>& args) {
  CliProcess::Program program{.argv = {BERTH_PATH}};
  program.argv.insert(program.argv.end(), args.begin(), args.end());
  return program;
}

}  // namespace

CliProcess::CliProcess(const std::filesystem::path& work_dir, const std::vector<std::string>& args,
                       std::map<std::string, std::string> env, const std::string& input)
    : CliProcess(work_dir, berth_program(args), std::move(env), input) {}

CliProcess::CliProcess(const std::filesystem::path& work_dir, Program program,
                       std::map<std::string, std::string> env, const std::string& input)
    : out_file_(work_dir / "berth.out"), err_file_(work_dir / "berth.err") {
  std::filesystem::create_directories(work_dir / "home");
  const auto in_file = work_dir / "berth.in";
  std::ofstream(in_file) << input;
  std::vector<std::string> environment = child_environment(work_dir, std::move(env));
  std::vector<std::string>& argv = program.argv;
  std::vector<char*> cargv = c_strings(argv);
  std::vector<char*> cenv = c_strings(environment);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int in = ::open(in_file.c_str(), O_RDONLY);
    const int out = ::open(out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
}

CliProcess::~CliProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_for_exit(pid_, std::chrono::seconds(10));
  }
}

std::string CliProcess::out() const { return read_file(out_file_); }

CliRun CliProcess::wait(std::chrono::milliseconds timeout) {
  const auto status = wait_for_exit(pid_, timeout);
  if (status) {
    pid_ = -1;
  }
  return CliRun{
      .exit = status.value_or(-2), .out = read_file(out_file_), .err = read_file(err_file_)};
}

CliRun run_cli_on_terminal(const std::filesystem::path& work_dir,
                           const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& answers,
                           std::chrono::milliseconds timeout,
                           std::map<std::string, std::string> env) {
  std::filesystem::create_directories(work_dir / "home");
  std::vector<std::string> environment = child_environment(work_dir, std::move(env));
  std::vector<std::string> argv{BERTH_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv = c_strings(argv);
  std::vector<char*> cenv = c_strings(environment);
  int terminal = -1;
  const pid_t pid = ::forkpty(&terminal, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  CliRun run;
  if (pid < 0) {
    return run;
  }
  // Read what the terminal shows; when the next question appears after what was answered
  // so far, type its reply. EIO on the master: berth has exited and closed the terminal.
  std::size_t answered = 0;
  std::size_t searched_from = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd watch{.fd = terminal, .events = POLLIN, .revents = 0};
    if (::poll(&watch, 1, 100) <= 0) {
      continue;
    }
    char buffer[4096];
    const ssize_t got = ::read(terminal, buffer, sizeof buffer);
    if (got <= 0) {
      break;
    }
    run.out.append(buffer, static_cast<std::size_t>(got));
    if (answered < answers.size()) {
      const auto at = run.out.find(answers[answered].first, searched_from);
      if (at != std::string::npos) {
        const std::string reply = answers[answered].second + "\n";
        if (::write(terminal, reply.data(), reply.size()) < 0) {
          break;
        }
        searched_from = at + answers[answered].first.size();
        ++answered;
      }
    }
  }
  ::close(terminal);
  run.exit = wait_for_exit(pid, std::chrono::seconds(10)).value_or(-2);
  return run;
}

CliRun run_program(const std::filesystem::path& work_dir, const std::vector<std::string>& argv,
                   std::map<std::string, std::string> env) {
  return CliProcess(work_dir, CliProcess::Program{.argv = argv}, std::move(env)).wait();
}

CliRun run_cli(const std::filesystem::path& work_dir, const std::vector<std::string>& args,
               std::map<std::string, std::string> env, const std::string& input) {
  return CliProcess(work_dir, args, std::move(env), input).wait();
}

}  // namespace berth::testing
