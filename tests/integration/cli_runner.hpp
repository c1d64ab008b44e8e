#pragma once
// Runs the real `berth` binary for the CLI tests: an environment without the test's own
// BERTH_* (and HOME, XDG_CONFIG_HOME, NO_COLOR), HOME in the test's directory, stdin from a
// string, stdout and stderr captured apart.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace berth::testing {

struct CliRun {
  int exit = -1;  // -1: killed by a signal; -2: still running at the deadline (then killed)
  std::string out;
  std::string err;
};

class CliProcess {
 public:
  /// Starts berth with `args`; its files live in `work_dir` (which holds home/).
  CliProcess(const std::filesystem::path& work_dir, const std::vector<std::string>& args,
             std::map<std::string, std::string> env = {}, const std::string& input = "");
  /// Starts `argv` (argv[0] a path) in the same environment instead of berth.
  struct Program {
    std::vector<std::string> argv;
  };
  CliProcess(const std::filesystem::path& work_dir, Program program,
             std::map<std::string, std::string> env = {}, const std::string& input = "");
  ~CliProcess();
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Output so far (the process may still run).
  std::string out() const;
  /// Waits for the exit (killing it after `timeout`); the exit code and output.
  CliRun wait(std::chrono::milliseconds timeout = std::chrono::seconds(120));

 private:
  std::filesystem::path out_file_;
  std::filesystem::path err_file_;
  pid_t pid_ = -1;
};

/// Runs berth on a pseudo-terminal (stdin, stdout and stderr all on it), answering each
/// question as it appears: `answers` in order, each a (question, reply) pair. `out` is the
/// terminal's whole transcript, so a test sees what a person would — echo included.
CliRun run_cli_on_terminal(const std::filesystem::path& work_dir,
                           const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& answers,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60),
                           std::map<std::string, std::string> env = {});

/// Starts another program (a shell loading berth's completion script) and waits for it.
CliRun run_program(const std::filesystem::path& work_dir, const std::vector<std::string>& argv,
                   std::map<std::string, std::string> env = {});

/// Starts berth and waits for it.
CliRun run_cli(const std::filesystem::path& work_dir, const std::vector<std::string>& args,
               std::map<std::string, std::string> env = {}, const std::string& input = "");

}  // namespace berth::testing
