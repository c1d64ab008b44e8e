#pragma once
/// The remote commands and files of one adoption, built from the plan through
/// remote_command.hpp. Kept apart from the SSH session so each command line can be unit-tested.
/// Every builder fails with invalid `invalid_target` when a plan value is outside its charset.

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/fleet/remote_installer.hpp"

namespace berth::ssh {

/// Where things go under the install directory on the server.
struct InstallLayout {
  std::string install_dir;  // no trailing slash
  std::string bin_dir;      // <dir>/bin
  std::string state_dir;    // <dir>/state (0700)
  std::string agent_path;   // <dir>/bin/berth-agent
  std::string upload_path;  // <dir>/bin/berth-agent.tmp, renamed over agent_path
  std::string pid_file;     // <dir>/state/agent.pid (detached start only)
  std::string log_file;     // <dir>/state/agent.log (detached start only)
};

inline constexpr std::string_view kSystemdUnitPath = "/etc/systemd/system/berth-agent.service";

/// Validates the whole plan (install dir, server URL, install token) before anything is sent.
Result<InstallLayout> make_install_layout(const AdoptionPlan& plan);

/// Creates bin/ (0755) and state/ (0700), parents included.
Result<std::string> make_directories_command(const InstallLayout& layout);
/// Renames the uploaded file over the agent: atomic, so a running agent keeps its old inode.
Result<std::string> replace_agent_command(const InstallLayout& layout);
/// `<agent> enroll --server <url> --install-token <token> --state-dir <state>`.
Result<std::string> enroll_command(const InstallLayout& layout, const AdoptionPlan& plan);
/// Stops the detached agent recorded in the pid file, if it is still this install's agent.
Result<std::string> stop_detached_agent_command(const InstallLayout& layout);
/// Starts `<agent> run --state-dir <state>` in its own session, stdin from /dev/null and
/// output appended to the log, records its pid and returns at once.
Result<std::string> start_detached_agent_command(const InstallLayout& layout);
/// The unit written to kSystemdUnitPath: ExecStart with the layout's paths, Restart=always.
std::string systemd_unit_text(const InstallLayout& layout);
/// Stops a berth-agent unit left by an earlier adoption; succeeds when there is none.
Result<std::string> stop_systemd_agent_command();
/// `systemctl daemon-reload`, `systemctl enable`, then `restart` so a re-adoption runs the
/// new binary.
Result<std::string> start_systemd_agent_command();

}  // namespace berth::ssh
