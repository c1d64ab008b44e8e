#pragma once
// A private network namespace joined to the host by a veth pair, for system tests that need a
// "remote" machine (sshd, an agent) on its own network, or a link they can cut.
//
//   NetnsFixture ns;                               // throws std::runtime_error on failure
//   pid_t pid = ns.run_inside({"/usr/sbin/sshd", "-D", ...}, ns_log_path);
//   connect to ns.inside_address() from the test; ns.link_down(); ...; ns.link_up();
//
// The namespace gets a /30 from 10.231.0.0/16 chosen by the test's pid (and a per-process
// counter; up to 4 fixtures alive at once per process), so parallel ctest processes do not
// clash: host side .1, namespace side .2, both up, lo up inside. Only the network is separate:
// the filesystem, users and /proc are shared with the host. The destructor kills every process
// still inside the namespace (what run_inside started and anything those started, e.g. an agent
// spawned by sshd) and deletes the namespace and the veth pair. Needs root and iproute2: check
// unavailable_reason() first and GTEST_SKIP() with it. Not thread-safe; one fixture per test.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace berth::testing {

/// Runs argv (no shell) to completion with `input` on stdin and stdout/stderr appended to
/// `output_file` ("" leaves them to the test's own); returns the exit status, or 128+signal.
/// Throws std::runtime_error when the program cannot be started.
int run_process(const std::vector<std::string>& argv, std::string_view input = {},
                const std::string& output_file = {});

/// Like run_process, but throws std::runtime_error (naming argv[0]) on a non-zero exit.
void run_checked(const std::vector<std::string>& argv, std::string_view input = {});

/// Sends SIGTERM, waits up to `grace` for the process to exit, then SIGKILL; reaps it when it
/// is our child. Safe on a pid that has already gone.
void stop_process(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(5));

class NetnsFixture {
 public:
  /// Why this fixture cannot run here ("" when it can): not root, or `ip` missing.
  static std::string unavailable_reason();

  NetnsFixture();
  ~NetnsFixture();
  NetnsFixture(const NetnsFixture&) = delete;
  NetnsFixture& operator=(const NetnsFixture&) = delete;

  const std::string& name() const { return name_; }                      // for `ip netns exec`
  const std::string& host_interface() const { return host_if_; }         // host side of the veth
  const std::string& host_address() const { return host_address_; }      // reaches the host
  const std::string& inside_address() const { return inside_address_; }  // reaches the ns

  /// Starts argv inside the namespace (`ip netns exec <ns> argv...`, which execs argv, so the
  /// pid is argv's own) without waiting; stdout/stderr go to `output_file` when given. The
  /// process is stopped by stop() or the destructor.
  pid_t run_inside(const std::vector<std::string>& argv, const std::string& output_file = {});

  /// Runs argv inside the namespace to completion; returns its exit status.
  int run_inside_and_wait(const std::vector<std::string>& argv);

  /// Stops a process started by run_inside (see stop_process).
  void stop(pid_t pid);

  /// Takes the host side of the veth down / up: the namespace keeps its address but loses /
  /// regains its only route to the host, as a pulled cable would.
  void link_down();
  void link_up();

 private:
  void kill_everything_inside();

  std::string name_;
  std::string host_if_;
  std::string inside_if_;
  std::string host_address_;
  std::string inside_address_;
  std::vector<pid_t> spawned_;
};

}  // namespace berth::testing
