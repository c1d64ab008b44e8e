#include "ssh/libssh_installer.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "core/log.hpp"
#include "ssh/install_commands.hpp"
#include "ssh/remote_command.hpp"
#include "ssh/ssh_session.hpp"

namespace berth::ssh {

namespace {

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string this_machine_arch() {
  utsname name{};
  if (::uname(&name) != 0) {
    return {};
  }
  return name.machine;
}

Result<std::string> read_local_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::internal(fmt::format("cannot read the agent binary {}", path)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

Error canceled_error() {
  return with_code(Error::unprocessable("the adoption was canceled"), "canceled");
}

struct RemoteFacts {
  std::string arch;
  std::string uid;
  bool systemd = false;
};

/// Runs the steps of one adoption over an authenticated session.
class Adoption {
 public:
  Adoption(SshSession& session, const LibsshInstallerOptions& options,
           const AdoptionProgress& progress, const std::atomic<bool>& cancelled)
      : session_(session), options_(options), progress_(progress), cancelled_(cancelled) {}

  Result<RemoteFacts> probe(const std::string& expected_arch) {
    auto arch = output_of("probe", {literal_arg("uname"), literal_arg("-m")});
    if (!arch) {
      return fail(arch.error());
    }
    auto uid = output_of("probe", {literal_arg("id"), literal_arg("-u")});
    if (!uid) {
      return fail(uid.error());
    }
    auto systemd =
        run("probe", {literal_arg("test"), literal_arg("-d"), path_arg("/run/systemd/system")});
    if (!systemd) {
      return fail(systemd.error());
    }
    RemoteFacts facts{.arch = printable_text(trimmed(*arch)),
                      .uid = printable_text(trimmed(*uid)),
                      .systemd = systemd->exit_status == 0};
    progress_(fmt::format("remote machine: {}, uid {}, systemd {}", facts.arch, facts.uid,
                          facts.systemd ? "running" : "not running"));
    if (facts.arch != expected_arch) {
      Error error = Error::unprocessable(
          fmt::format("the server is {} but the agent is built for {}", facts.arch, expected_arch));
      error.code = "arch_mismatch";
      error.details = {{"remote", facts.arch}, {"local", expected_arch}};
      return fail(std::move(error));
    }
    return facts;
  }

  /// Runs a built command; a non-zero exit status fails the step.
  Result<void> step(std::string_view name, const Result<std::string>& command) {
    if (cancelled_.load()) {
      return fail(canceled_error());
    }
    if (!command) {
      return fail(command.error());
    }
    auto output = session_.run(name, *command, options_.command_timeout);
    if (!output) {
      return fail(output.error());
    }
    if (output->exit_status != 0) {
      return fail(remote_step_failed(name, output->exit_status, output->stderr_tail));
    }
    return {};
  }

  Result<void> write_file(std::string_view name, const std::string& path, std::string_view content,
                          unsigned mode) {
    if (cancelled_.load()) {
      return fail(canceled_error());
    }
    return session_.write_file(name, path, content, mode);
  }

 private:
  Result<CommandOutput> run(std::string_view name, std::initializer_list<RemoteArg> argv) {
    auto command = build_remote_command(std::span<const RemoteArg>(argv.begin(), argv.size()));
    if (!command) {
      return fail(command.error());
    }
    return session_.run(name, *command, options_.command_timeout);
  }

  Result<std::string> output_of(std::string_view name, std::initializer_list<RemoteArg> argv) {
    auto output = run(name, argv);
    if (!output) {
      return fail(output.error());
    }
    if (output->exit_status != 0) {
      return fail(remote_step_failed(name, output->exit_status, output->stderr_tail));
    }
    return std::move(output->stdout_text);
  }

  SshSession& session_;
  const LibsshInstallerOptions& options_;
  const AdoptionProgress& progress_;
  const std::atomic<bool>& cancelled_;
};

Result<void> authenticate(SshSession& session, const AdoptionTarget& target,
                          const AdoptionProgress& progress) {
  if (!target.auth.private_key.empty()) {
    progress(fmt::format("authenticating as {} with a private key", target.username));
    return session.authenticate_with_key(target.auth.private_key, target.auth.passphrase);
  }
  progress(fmt::format("authenticating as {} with a password", target.username));
  return session.authenticate_with_password(target.auth.password);
}

Error host_key_changed(const AdoptionTarget& target, const HostKey& actual) {
  Error error = Error::conflict(
      "the server's host key differs from the one recorded at its adoption; refusing to log in");
  error.code = "host_key_changed";
  error.details = {{"expected", target.expected_host_key}, {"actual", actual.fingerprint}};
  return error;
}

}  // namespace

LibsshInstaller::LibsshInstaller(LibsshInstallerOptions options) : options_(std::move(options)) {
  if (options_.local_arch.empty()) {
    options_.local_arch = this_machine_arch();
  }
}

Result<HostKeyProbe> LibsshInstaller::probe_host_key(const std::string& host, std::uint16_t port) {
  // The user name is never used: the session ends after the key exchange.
  auto session = SshSession::connect({.host = host,
                                      .port = port,
                                      .username = "berth",
                                      .connect_timeout = options_.connect_timeout});
  if (!session) {
    return fail(session.error());
  }
  auto key = session->host_key();
  if (!key) {
    return fail(key.error());
  }
  return HostKeyProbe{.fingerprint = key->fingerprint, .type = key->type};
}

Result<AdoptionReport> LibsshInstaller::adopt(const AdoptionTarget& target,
                                              const AdoptionPlan& plan,
                                              const AdoptionProgress& progress,
                                              const std::atomic<bool>& cancelled) {
  // Everything that can be checked locally is, before the first packet leaves.
  auto layout = make_install_layout(plan);
  if (!layout) {
    return fail(layout.error());
  }
  auto agent_binary = read_local_file(plan.agent_binary_path);
  if (!agent_binary) {
    return fail(agent_binary.error());
  }
  if (cancelled.load()) {
    return fail(canceled_error());
  }

  progress(fmt::format("connecting to {}:{}", target.host, target.port));
  auto session = SshSession::connect({.host = target.host,
                                      .port = target.port,
                                      .username = target.username,
                                      .connect_timeout = options_.connect_timeout});
  if (!session) {
    return fail(session.error());
  }
  auto host_key = session->host_key();
  if (!host_key) {
    return fail(host_key.error());
  }
  progress(fmt::format("host key {} {}", host_key->type, host_key->fingerprint));
  // Checked before authenticating: a password must never reach an impostor.
  if (!target.expected_host_key.empty() && target.expected_host_key != host_key->fingerprint) {
    log::warn("ssh.host_key_changed", {{"host", target.host},
                                       {"expected", target.expected_host_key},
                                       {"actual", host_key->fingerprint}});
    return fail(host_key_changed(target, *host_key));
  }
  if (cancelled.load()) {
    return fail(canceled_error());
  }
  if (auto authenticated = authenticate(*session, target, progress); !authenticated) {
    log::info("ssh.auth_failed", {{"host", target.host}, {"user", target.username}});
    return fail(authenticated.error());
  }

  Adoption adoption(*session, options_, progress, cancelled);
  auto facts = adoption.probe(options_.local_arch);
  if (!facts) {
    return fail(facts.error());
  }
  const bool use_systemd = facts->uid == "0" && facts->systemd;

  progress(fmt::format("creating {} and {}", layout->bin_dir, layout->state_dir));
  if (auto made = adoption.step("create_directories", make_directories_command(*layout)); !made) {
    return fail(made.error());
  }
  progress(fmt::format("uploading the agent ({} bytes) to {}", agent_binary->size(),
                       layout->agent_path));
  if (auto uploaded = adoption.write_file("upload", layout->upload_path, *agent_binary, 0755);
      !uploaded) {
    return fail(uploaded.error());
  }
  if (auto replaced = adoption.step("upload", replace_agent_command(*layout)); !replaced) {
    return fail(replaced.error());
  }

  // A running agent of this install would share the state directory with the enrolment.
  progress("stopping a previously started agent, if any");
  if (auto stopped = adoption.step("stop_previous", stop_detached_agent_command(*layout));
      !stopped) {
    return fail(stopped.error());
  }
  if (use_systemd) {
    if (auto stopped = adoption.step("stop_previous", stop_systemd_agent_command()); !stopped) {
      return fail(stopped.error());
    }
  }

  progress(fmt::format("enrolling the agent with {}", plan.server_url));
  if (auto enrolled = adoption.step("enroll", enroll_command(*layout, plan)); !enrolled) {
    return fail(enrolled.error());
  }

  if (use_systemd) {
    progress(fmt::format("starting the agent as the systemd unit {}", kSystemdUnitPath));
    if (auto written = adoption.write_file("start", std::string(kSystemdUnitPath),
                                           systemd_unit_text(*layout), 0644);
        !written) {
      return fail(written.error());
    }
    if (auto started = adoption.step("start", start_systemd_agent_command()); !started) {
      return fail(started.error());
    }
  } else {
    progress(fmt::format("starting the agent detached; its log is {}", layout->log_file));
    if (auto started = adoption.step("start", start_detached_agent_command(*layout)); !started) {
      return fail(started.error());
    }
  }
  progress("the agent is installed and started");
  log::info("ssh.adopted",
            {{"host", target.host}, {"host_key", host_key->fingerprint}, {"systemd", use_systemd}});
  return AdoptionReport{
      .host_key = host_key->fingerprint, .host_key_type = host_key->type, .systemd = use_systemd};
}

}  // namespace berth::ssh
