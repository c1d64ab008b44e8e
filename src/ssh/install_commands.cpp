#include "ssh/install_commands.hpp"

#include <array>

#include "ssh/remote_command.hpp"

namespace berth::ssh {

namespace {

// Scripts are constants of ours; their inputs arrive only as quoted, validated "$1", "$2"...
// They must never hold a single quote (build_remote_script refuses one).

constexpr std::string_view kMakeDirectories =
    "mkdir -p -- \"$1\" \"$2\" && chmod 0755 -- \"$1\" && chmod 0700 -- \"$2\"";

// The pid file may be stale and its pid reused by then: only a process whose command line
// names this install's agent is stopped.
constexpr std::string_view kStopDetached = R"(pidfile="$1"; agent="$2"
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
case "$pid" in ""|*[!0-9]*) rm -f -- "$pidfile"; exit 0 ;; esac
if tr "\0" " " < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$agent"; then
  kill "$pid" 2>/dev/null
  i=0
  while [ "$i" -lt 50 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$pid" 2>/dev/null
fi
rm -f -- "$pidfile"
exit 0)";

// A background job of a non-interactive shell is not a process group leader, so setsid(1)
// calls setsid(2) itself and execs: $! is the agent's own pid. All three standard streams are
// redirected, so sshd sees the channel's pipes closed and the exec returns at once.
constexpr std::string_view kStartDetached = R"(agent="$1"; state="$2"; log="$3"; pidfile="$4"
setsid "$agent" run --state-dir "$state" < /dev/null >> "$log" 2>&1 &
echo "$!" > "$pidfile")";

constexpr std::string_view kStopSystemd =
    "if [ -f /etc/systemd/system/berth-agent.service ]; then "
    "systemctl stop berth-agent.service; fi";

constexpr std::string_view kStartSystemd =
    "systemctl daemon-reload && systemctl enable berth-agent.service && "
    "systemctl restart berth-agent.service";

Error invalid_target(std::string message, std::string_view field) {
  return with_code(Error::invalid(std::move(message), {{"field", field}}), "invalid_target");
}

std::string without_trailing_slashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  return std::string(path);
}

}  // namespace

Result<InstallLayout> make_install_layout(const AdoptionPlan& plan) {
  const std::string dir = without_trailing_slashes(plan.install_dir);
  if (!validate_arg(path_arg(dir)) || dir == "/") {
    return fail(invalid_target(
        "the install directory must be an absolute path of letters, digits, '/', '.', '_', '-'",
        "install_dir"));
  }
  if (!validate_arg(url_arg(plan.server_url))) {
    return fail(invalid_target(
        "the server URL must be http(s):// followed by letters, digits, ':', '/', '.', '_', '-'",
        "server_url"));
  }
  if (!validate_arg(token_arg(plan.install_token))) {
    return fail(invalid_target("the install token holds unexpected characters", "install_token"));
  }
  return InstallLayout{
      .install_dir = dir,
      .bin_dir = dir + "/bin",
      .state_dir = dir + "/state",
      .agent_path = dir + "/bin/berth-agent",
      .upload_path = dir + "/bin/berth-agent.tmp",
      .pid_file = dir + "/state/agent.pid",
      .log_file = dir + "/state/agent.log",
  };
}

Result<std::string> make_directories_command(const InstallLayout& layout) {
  const std::array args{path_arg(layout.bin_dir), path_arg(layout.state_dir)};
  return build_remote_script(kMakeDirectories, args);
}

Result<std::string> replace_agent_command(const InstallLayout& layout) {
  const std::array argv{literal_arg("mv"), literal_arg("-f"), literal_arg("--"),
                        path_arg(layout.upload_path), path_arg(layout.agent_path)};
  return build_remote_command(argv);
}

Result<std::string> enroll_command(const InstallLayout& layout, const AdoptionPlan& plan) {
  const std::array argv{path_arg(layout.agent_path),    literal_arg("enroll"),
                        literal_arg("--server"),        url_arg(plan.server_url),
                        literal_arg("--install-token"), token_arg(plan.install_token),
                        literal_arg("--state-dir"),     path_arg(layout.state_dir)};
  return build_remote_command(argv);
}

Result<std::string> stop_detached_agent_command(const InstallLayout& layout) {
  const std::array args{path_arg(layout.pid_file), path_arg(layout.agent_path)};
  return build_remote_script(kStopDetached, args);
}

Result<std::string> start_detached_agent_command(const InstallLayout& layout) {
  const std::array args{path_arg(layout.agent_path), path_arg(layout.state_dir),
                        path_arg(layout.log_file), path_arg(layout.pid_file)};
  return build_remote_script(kStartDetached, args);
}

std::string systemd_unit_text(const InstallLayout& layout) {
  // The paths passed the path charset in make_install_layout, so they need no escaping here.
  return "[Unit]\n"
         "Description=Berth agent\n"
         "Wants=network-online.target\n"
         "After=network-online.target\n"
         "\n"
         "[Service]\n"
         "ExecStart=" +
         layout.agent_path + " run --state-dir " + layout.state_dir +
         "\n"
         "Restart=always\n"
         "RestartSec=5\n"
         "\n"
         "[Install]\n"
         "WantedBy=multi-user.target\n";
}

Result<std::string> stop_systemd_agent_command() { return build_remote_script(kStopSystemd, {}); }

Result<std::string> start_systemd_agent_command() { return build_remote_script(kStartSystemd, {}); }

}  // namespace berth::ssh
