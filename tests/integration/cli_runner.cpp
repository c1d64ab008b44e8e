#include "integration/cli_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "integration/berthd_process.hpp"

extern char** environ;

namespace berth::testing {

CliProcess::CliProcess(const std::filesystem::path& work_dir, const std::vector<std::string>& args,
                       std::map<std::string, std::string> env, const std::string& input)
    : out_file_(work_dir / "berth.out"), err_file_(work_dir / "berth.err") {
  std::filesystem::create_directories(work_dir / "home");
  const auto in_file = work_dir / "berth.in";
  std::ofstream(in_file) << input;
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
  std::vector<std::string> argv{BERTH_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  // Everything the child needs is built before fork: it only opens files and execs.
  std::vector<char*> cargv;
  for (auto& arg : argv) {
    cargv.push_back(arg.data());
  }
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (auto& entry : environment) {
    cenv.push_back(entry.data());
  }
  cenv.push_back(nullptr);
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

CliRun run_cli(const std::filesystem::path& work_dir, const std::vector<std::string>& args,
               std::map<std::string, std::string> env, const std::string& input) {
  return CliProcess(work_dir, args, std::move(env), input).wait();
}

}  // namespace berth::testing
