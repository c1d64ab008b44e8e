#include "domain/fleet/adoption_service.hpp"

#include <fmt/format.h>

#include <regex>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

constexpr std::size_t kMaxSecret = 16384;

// Feeds progress lines into the job's output, numbered as an agent would.
class ProgressSink {
 public:
  ProgressSink(AgentHub& hub, std::string server_id, std::string job_id)
      : hub_(hub), server_id_(std::move(server_id)), job_id_(std::move(job_id)) {}
  void line(std::string_view text) {
    (void)hub_.jobs().append_output(server_id_, JobOutputChunk{.job_id = job_id_,
                                                               .seq = ++seq_,
                                                               .stream = "system",
                                                               .text = std::string(text) + "\n",
                                                               .at = hub_.ctx().clock().now()});
  }

 private:
  AgentHub& hub_;
  std::string server_id_;
  std::string job_id_;
  std::int64_t seq_ = 0;
};

Result<void> check_ssh_address(const std::string& host, std::int64_t port) {
  static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9.-]{0,252}|[0-9A-Fa-f:]{2,39}");
  if (!std::regex_match(host, pattern)) {
    return fail(Error::validation("host", "host must be a hostname or an IP address"));
  }
  if (port < 1 || port > 65535) {
    return fail(Error::validation("port", "port must be 1-65535"));
  }
  return {};
}

}  // namespace

Result<void> check_adoption_request(const AdoptionRequest& request) {
  static const std::regex user("[a-z_][a-z0-9_.-]{0,31}");
  static const std::regex dir("/[A-Za-z0-9/._-]{0,254}");
  static const std::regex fingerprint("SHA256:[A-Za-z0-9+/]{43}");
  if (auto address = check_ssh_address(request.host, request.port); !address) {
    return address;
  }
  if (!request.host_key.empty() && !std::regex_match(request.host_key, fingerprint)) {
    return fail(Error::validation(
        "host_key", "host_key must be a SHA256:<base64> fingerprint as OpenSSH prints it"));
  }
  if (!std::regex_match(request.username, user)) {
    return fail(Error::validation("username", "username must be a POSIX user name"));
  }
  if (!std::regex_match(request.install_dir, dir) ||
      request.install_dir.find("..") != std::string::npos) {
    return fail(Error::validation("install_dir",
                                  "install_dir must be an absolute path of "
                                  "[A-Za-z0-9/._-] without '..'"));
  }
  const bool password = !request.auth.password.empty();
  const bool key = !request.auth.private_key.empty();
  if (password == key || request.auth.password.size() > kMaxSecret ||
      request.auth.private_key.size() > kMaxSecret) {
    return fail(Error::validation("auth", "give exactly one of auth.password or auth.private_key"));
  }
  return {};
}

AdoptionService::AdoptionService(FleetContext& ctx, EnrolmentService& enrolment, JobService& jobs,
                                 AgentHub& hub, RemoteInstaller* installer,
                                 AdoptionSettings settings)
    : ctx_(ctx),
      enrolment_(enrolment),
      jobs_(jobs),
      hub_(hub),
      installer_(installer),
      settings_(std::move(settings)) {}

AdoptionService::~AdoptionService() { shutdown(); }

void AdoptionService::shutdown() {
  stopping_ = true;
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& thread : threads) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

Result<AdoptionStarted> AdoptionService::adopt(const Principal& who, std::string_view team_id,
                                               const AdoptionRequest& request,
                                               const ClientInfo& client) {
  if (!is_valid_server_name(request.name)) {
    return fail(Error::validation(
        "name", "name must be 1-63 characters of letters, digits, '.', '_' or '-'"));
  }
  if (auto ok = check_adoption_request(request); !ok) {
    return fail(std::move(ok.error()));
  }
  if (installer_ == nullptr) {
    return fail(Error::unavailable("SSH adoption is not available in this build"));
  }
  if (auto secure = enrolment_.require_secure_enrolment(); !secure) {
    return fail(std::move(secure.error()));
  }
  const TimePoint now = ctx_.clock().now();
  ServerRecord server{.id = ctx_.ids().next("srv"),
                      .team_id = std::string(team_id),
                      .name = request.name,
                      .address = request.host};
  server.status = "adopting";
  server.status_reason = "adopting over SSH";
  server.ssh_host = request.host;
  server.ssh_port = request.port;
  server.ssh_username = request.username;
  if (request.keep_credentials) {
    const nlohmann::json secret = {{"password", request.auth.password},
                                   {"private_key", request.auth.private_key},
                                   {"passphrase", request.auth.passphrase}};
    server.ssh_credentials_sealed =
        crypto::seal(ctx_.services.master_key, ctx_.services.random, secret.dump());
  }
  server.created_at = now;
  server.updated_at = now;
  auto done = write_audited(
      ctx_.store(),
      make_audit(
          ctx_, actor_of(who, client), "server.adopt", server.id, std::string(team_id),
          {{"name", request.name},
           {"host", request.host},
           {"port", request.port},
           {"username", request.username},
           {"auth", request.auth.password.empty() ? "private_key" : "password"},
           {"keep_credentials", request.keep_credentials},
           {"host_key", request.host_key.empty() ? "trusted on first use" : request.host_key}}),
      [&](Tx& tx) -> Result<void> {
        if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
          return fail(std::move(role.error()));
        }
        auto created = tx.create_server(server);
        if (!created && created.error().kind == ErrorKind::conflict) {
          return fail(with_code(Error::conflict("a server with this name exists in the team"),
                                "server_name_taken"));
        }
        return created;
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  auto job = jobs_.create_internal(team_id, server.id, "ssh.adopt",
                                   {{"host", request.host},
                                    {"port", request.port},
                                    {"username", request.username},
                                    {"install_dir", request.install_dir}},
                                   who.user_id);
  if (!job) {
    return fail(std::move(job.error()));
  }
  AdoptionTarget target{.host = request.host,
                        .port = static_cast<std::uint16_t>(request.port),
                        .username = request.username,
                        .auth = request.auth,
                        .expected_host_key = request.host_key};
  start(server, *job, std::move(target), request.install_dir);
  return AdoptionStarted{.server = server, .job = *job};
}

Result<HostKeyProbe> AdoptionService::probe_host_key(const Principal& who, std::string_view team_id,
                                                     const std::string& host, std::int64_t port) {
  if (auto address = check_ssh_address(host, port); !address) {
    return fail(std::move(address.error()));
  }
  if (installer_ == nullptr) {
    return fail(Error::unavailable("SSH adoption is not available in this build"));
  }
  // Only those who may adopt may make berthd dial an address of their choosing.
  auto allowed = read_value<Role>(
      ctx_.store(), [&](Tx& tx) { return require_team_role(tx, who, team_id, Role::admin); });
  if (!allowed) {
    return fail(std::move(allowed.error()));
  }
  return installer_->probe_host_key(host, static_cast<std::uint16_t>(port));
}

Result<AdoptionStarted> AdoptionService::readopt(const Principal& who, std::string_view team_id,
                                                 std::string_view server_id,
                                                 std::optional<SshCredentials> credentials,
                                                 const ClientInfo& client) {
  if (installer_ == nullptr) {
    return fail(Error::unavailable("SSH adoption is not available in this build"));
  }
  if (auto secure = enrolment_.require_secure_enrolment(); !secure) {
    return fail(std::move(secure.error()));
  }
  std::optional<ServerRecord> server;
  auto done = write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "server.readopt", std::string(server_id),
                 std::string(team_id)),
      [&](Tx& tx) -> Result<void> {
        auto found = admin_server(tx, who, team_id, server_id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        if (found->ssh_host.empty()) {
          return fail(with_code(Error::unprocessable("this server was not adopted over SSH"),
                                "not_adopted_over_ssh"));
        }
        if (found->status == "adopting") {
          return fail(with_code(Error::conflict("an adoption of this server is running"),
                                "adoption_running"));
        }
        found->status = "adopting";
        found->status_reason = "adopting over SSH";
        found->updated_at = ctx_.clock().now();
        server = *found;
        return tx.update_server(*found);
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  SshCredentials auth;
  if (credentials) {
    auth = *credentials;
  } else if (!server->ssh_credentials_sealed.empty()) {
    auto opened = crypto::open_sealed(ctx_.services.master_key, server->ssh_credentials_sealed);
    if (!opened) {
      return fail(std::move(opened.error()));
    }
    const auto secret = nlohmann::json::parse(*opened, nullptr, false);
    auth.password = secret.value("password", "");
    auth.private_key = secret.value("private_key", "");
    auth.passphrase = secret.value("passphrase", "");
  }
  AdoptionRequest check{.name = server->name,
                        .host = server->ssh_host,
                        .port = server->ssh_port,
                        .username = server->ssh_username,
                        .auth = auth};
  if (auto ok = check_adoption_request(check); !ok) {
    (void)hub_.servers().set_status(server_id, "adoption_failed", "no usable credentials");
    return fail(std::move(ok.error()));
  }
  auto job = jobs_.create_internal(team_id, server_id, "ssh.adopt",
                                   {{"host", server->ssh_host},
                                    {"port", server->ssh_port},
                                    {"username", server->ssh_username},
                                    {"install_dir", check.install_dir}},
                                   who.user_id);
  if (!job) {
    return fail(std::move(job.error()));
  }
  AdoptionTarget target{.host = server->ssh_host,
                        .port = static_cast<std::uint16_t>(server->ssh_port),
                        .username = server->ssh_username,
                        .auth = auth,
                        .expected_host_key = server->ssh_host_key};
  start(*server, *job, std::move(target), check.install_dir);
  return AdoptionStarted{.server = *server, .job = *job};
}

void AdoptionService::start(ServerRecord server, JobRecord job, AdoptionTarget target,
                            std::string install_dir) {
  std::lock_guard lock(mutex_);
  threads_.emplace_back(
      [this, server = std::move(server), job = std::move(job), target = std::move(target),
       install_dir = std::move(install_dir)] { run(server, job, target, install_dir); });
}

void AdoptionService::run(ServerRecord server, JobRecord job, AdoptionTarget target,
                          std::string install_dir) {
  ProgressSink progress(hub_, server.id, job.id);
  const auto started = std::chrono::steady_clock::now();
  auto token = enrolment_.mint_for_system(server.team_id, server.id);
  Result<AdoptionReport> report = token ? Result<AdoptionReport>{} : fail(token.error());
  if (token) {
    report = installer_->adopt(
        target,
        AdoptionPlan{.agent_binary_path = settings_.agent_binary_path,
                     .server_url = ctx_.services.public_url,
                     .install_token = token->token,
                     .install_dir = install_dir},
        [&](std::string_view line) { progress.line(line); }, stopping_);
  }
  const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  if (!report) {
    const Error& error = report.error();
    progress.line(fmt::format("adoption failed: {}", error.message));
    log::warn("adoption.failed", {{"server_id", server.id}, {"code", error.code}});
    (void)hub_.servers().set_status(server.id, "adoption_failed", error.message);
    (void)hub_.jobs().finish(server.id, job.id,
                             JobEnd{.status = std::string(job_state::failed),
                                    .exit_code = {},
                                    .duration_ms = duration,
                                    .result = {{"details", error.details}},
                                    .error_code = error.code,
                                    .error_message = error.message});
    return;
  }
  progress.line(fmt::format("adopted: host key {} ({}), agent started{}", report->host_key,
                            report->host_key_type, report->systemd ? " as a systemd unit" : ""));
  (void)hub_.servers().update(server.id, [&](ServerRecord& record) {
    if (record.ssh_host_key.empty()) {
      record.ssh_host_key = report->host_key;  // trust on first use
    }
    if (record.status == "adopting") {
      record.status = "offline";
      record.status_reason = "adopted; waiting for the agent to connect";
    }
  });
  (void)hub_.jobs().finish(server.id, job.id,
                           JobEnd{.status = std::string(job_state::succeeded),
                                  .exit_code = 0,
                                  .duration_ms = duration,
                                  .result = {{"host_key", report->host_key},
                                             {"host_key_type", report->host_key_type},
                                             {"systemd", report->systemd}}});
}

Result<void> AdoptionService::settle_interrupted() {
  auto open = read_value<Page<JobRecord>>(ctx_.store(), [](Tx& tx) {
    return tx.list_jobs(JobQuery{.team_id = {},
                                 .server_id = {},
                                 .states = {std::string(job_state::running)},
                                 .page = 1,
                                 .per_page = 1000});
  });
  if (!open) {
    return fail(std::move(open.error()));
  }
  for (const auto& job : open->items) {
    if (job.kind != "ssh.adopt") {
      continue;
    }
    (void)hub_.jobs().settle(job.id, job_state::lost, "berthd_restarted",
                             "berthd stopped while the adoption ran; adopt the server again");
    (void)hub_.servers().set_status(job.server_id, "adoption_failed",
                                    "berthd stopped while the adoption ran");
  }
  return {};
}

}  // namespace berth
