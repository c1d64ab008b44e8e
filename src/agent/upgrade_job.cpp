#include "agent/upgrade_job.hpp"

#include <fmt/format.h>

#include "agent/self_upgrade.hpp"
#include "agent/server_url.hpp"
#include "client/client.hpp"
#include "core/log.hpp"

namespace berth::agent {
namespace {

constexpr std::chrono::minutes kDownloadTimeout{10};

// Only a path on berthd's own API: the job cannot point the agent at another host.
bool is_download_path(const std::string& path) {
  return path.starts_with("/api/v1/") && path.find("..") == std::string::npos &&
         path.find("//") == std::string::npos &&
         path.find_first_of("?#\\ \r\n") == std::string::npos;
}

Result<client::ClientOptions> client_options(const AgentState& state,
                                             std::chrono::milliseconds timeout) {
  auto url = parse_server_url(state.server_url);
  if (!url) {
    return fail(std::move(url.error()));
  }
  client::ClientOptions options{.base_url = url->tls ? "https://" : "http://"};
  options.base_url += url->host_header() + url->base_path;
  options.token = state.agent_token;
  options.ca_file = state.ca_file;
  options.timeout = timeout;
  options.user_agent = "berth-agent/" BERTH_VERSION;
  if (!state.pin_sha256.empty()) {
    auto pin = parse_sha256_pin(state.pin_sha256);
    if (!pin) {
      return fail(std::move(pin.error()));
    }
    options.pin_sha256 = std::move(*pin);
  }
  return options;
}

}  // namespace

JobOutcome run_agent_upgrade(JobContext& job, const UpgradeSettings& settings) {
  const auto& args = job.args;
  for (const auto& [key, value] : args.items()) {
    if (key != "path" && key != "sha256" && key != "version") {
      return JobOutcome::failed("invalid_args", key + ": unknown field");
    }
  }
  if (!args.value("path", nlohmann::json()).is_string() ||
      !args.value("sha256", nlohmann::json()).is_string() ||
      !args.value("version", nlohmann::json()).is_string()) {
    return JobOutcome::failed("invalid_args", "path, sha256 and version must be strings");
  }
  const std::string path = args.value("path", std::string());
  const std::string sha256 = args.value("sha256", std::string());
  const std::string version = args.value("version", std::string());
  if (!is_download_path(path) || sha256.empty() || version.empty() || version.size() > 64) {
    return JobOutcome::failed("invalid_args",
                              "agent.upgrade needs path (a path of berthd's API), sha256 and "
                              "version");
  }
  if (settings.executable.empty()) {
    return JobOutcome::failed("no_executable", "the agent cannot tell where its binary is");
  }
  if (version == settings.running_version) {
    job.output.write("system", fmt::format("berth-agent is already at {}\n", version));
    JobOutcome outcome;
    outcome.result = {{"version", version}, {"previous_version", version}, {"replaced", false}};
    return outcome;
  }
  auto options = client_options(
      settings.state, std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::min(job.timeout, std::chrono::milliseconds(kDownloadTimeout))));
  if (!options) {
    return JobOutcome::failed("invalid_state", options.error().message);
  }
  job.output.write("system", fmt::format("downloading berth-agent {} from {}{}\n", version,
                                         options->base_url, path));
  client::Client berthd(std::move(*options));
  const BinaryFetch fetch = [&](const ChunkWriter& write) -> Result<void> {
    const std::function<bool(std::string_view)> sink = [&](std::string_view chunk) {
      return !job.cancelled.load() && write(chunk);
    };
    auto answer = berthd.download(path, sink);
    if (job.cancelled.load()) {
      return fail(Error::unavailable("canceled"));
    }
    if (!answer) {
      return fail(std::move(answer.error()));
    }
    if (!answer->ok()) {
      return fail(client::api_error(*answer));
    }
    return {};
  };
  auto replaced = replace_executable(settings.executable, sha256, fetch);
  if (!replaced) {
    log::warn("agent.upgrade_refused", {{"job_id", job.job_id},
                                        {"code", replaced.error().code},
                                        {"message", replaced.error().message}});
    job.output.write("stderr", replaced.error().message + "\n");
    return JobOutcome::failed(replaced.error().code, replaced.error().message);
  }
  job.output.write("system",
                   fmt::format("{} replaced ({} bytes, SHA-256 {}); restarting as {}\n",
                               settings.executable, replaced->bytes, replaced->sha256, version));
  log::info("agent.upgraded", {{"job_id", job.job_id},
                               {"from", settings.running_version},
                               {"to", version},
                               {"bytes", static_cast<std::int64_t>(replaced->bytes)}});
  settings.restart->request(job.job_id);
  JobOutcome outcome;
  outcome.result = {{"version", version},
                    {"previous_version", settings.running_version},
                    {"replaced", true},
                    {"bytes", replaced->bytes},
                    {"sha256", replaced->sha256}};
  return outcome;
}

}  // namespace berth::agent
