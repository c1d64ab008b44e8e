#pragma once
// Starts the real berthd binary on 127.0.0.1 with port 0 and a temporary data directory,
// waits until it answers /api/v1/health, and stops it with SIGTERM. No fixed ports, no sleeps:
// everything polls with a deadline.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace berth::testing {

struct BerthdOptions {
  std::vector<std::string> args = {};                  // added after the fixture's own flags
  std::map<std::string, std::string> env = {};         // added to the environment
  std::optional<std::filesystem::path> data_dir = {};  // default: <work dir>/data
  bool wait_healthy = true;
  std::string listen = "127.0.0.1:0";    // a fixed port to restart on the same address
  std::vector<std::string> prefix = {};  // runs berthd through this program (setpriv ...)
};

/// Starts `program` with `args` (argv, no shell), BERTH_* variables of the test's own
/// environment removed and `env` added, stdout+stderr appended to `output_file`, stdin read
/// from `input_file` when one is given.
pid_t spawn_process(const std::string& program, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env,
                    const std::filesystem::path& output_file,
                    const std::filesystem::path& input_file = {});
/// The berthd binary under test.
std::string berthd_binary();
/// The exit status of `pid` (-1 when killed by a signal), or nullopt after `timeout`.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

class BerthdProcess {
 public:
  /// Starts berthd; throws std::runtime_error (with its log) when it does not come up.
  explicit BerthdProcess(const std::filesystem::path& work_dir, BerthdOptions options = {});
  ~BerthdProcess();
  BerthdProcess(const BerthdProcess&) = delete;
  BerthdProcess& operator=(const BerthdProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  /// Sends `signal` (SIGTERM by default) and waits for exit; returns the exit status, or -1
  /// when it did not exit within the timeout (it is then killed) or died by a signal.
  int stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// Waits for exit without signalling; the exit status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  void send_signal(int signal) const;

  /// What berthd logged and printed so far.
  std::string log() const;
  std::string output() const;

 private:
  std::filesystem::path work_dir_;
  std::filesystem::path data_dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::optional<int> exit_status_;
};

/// Runs berthd with these arguments to completion (for --help, bad flags, refusals);
/// returns its exit status and puts stdout+stderr in `output`.
int run_berthd(const std::vector<std::string>& args, std::string& output,
               const std::map<std::string, std::string>& env = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

std::string read_file(const std::filesystem::path& path);

}  // namespace berth::testing
