#include "agent/host/docker_jobs.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <string>

#include "agent/host/docker_args.hpp"
#include "agent/host/docker_client.hpp"
#include "agent/host/docker_job.hpp"
#include "agent/host/docker_stream.hpp"

namespace berth::agent::host {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kShortCall = kShortDockerCall;
constexpr milliseconds kStatusTimeout{2'000};

JobOutcome from_error(const Error& error) { return outcome_of_error(error); }

JobOutcome list_containers(DockerJob& run) {
  auto all = parse_list_args(run.job().args);
  if (!all) {
    return from_error(all.error());
  }
  auto containers = get_json(run, std::string("/containers/json?all=") + (*all ? "1" : "0"));
  return containers ? succeeded({{"containers", *containers}}) : from_error(containers.error());
}

JobOutcome inspect_container(DockerJob& run) {
  auto container = parse_inspect_args(run.job().args);
  if (!container) {
    return from_error(container.error());
  }
  auto details = get_json(run, "/containers/" + *container + "/json");
  if (!details) {
    return from_error(details.error());
  }
  redact_env(*details);
  return succeeded({{"container", std::move(*details)}});
}

// The local image's id, nullopt when the Engine does not have it.
Result<std::optional<std::string>> local_image_id(DockerJob& run, const std::string& image) {
  auto response = run.client().request("GET", "/images/" + image + "/json", std::nullopt,
                                       run.limits(kShortCall));
  if (!response) {
    return fail(response.error());
  }
  if (response->status == 404) {
    return std::optional<std::string>{};
  }
  if (!is_success(response->status)) {
    return fail(engine_error(*response));
  }
  const auto details = nlohmann::json::parse(response->body, nullptr, false);
  return std::optional<std::string>{details.is_object() ? details.value("Id", "") : ""};
}

JobOutcome pull_image(DockerJob& run) {
  auto args = parse_pull_job_args(run.job().args);
  if (!args) {
    return from_error(args.error());
  }
  const ImageRef& image = args->image;
  if (args->policy != PullPolicy::always) {
    auto local = local_image_id(run, image.canonical);
    if (!local) {
      return from_error(local.error());
    }
    if (*local) {
      run.job().output.write("system", image.canonical + " is on the server: not pulled\n");
      return succeeded({{"image", image.canonical}, {"image_id", **local}, {"pulled", false}});
    }
    if (args->policy == PullPolicy::never) {
      return JobOutcome::failed("image_missing", image.canonical +
                                                     " is not on the server and the pull policy "
                                                     "is never");
    }
  }
  PullProgress progress([&run](std::string_view line) {
    run.job().output.write("stdout", std::string(line) + "\n");
  });
  const std::string target = "/images/create?fromImage=" + url_encode(image.name) +
                             "&tag=" + url_encode(image.digest.empty() ? image.tag : image.digest);
  auto response = run.client().stream(
      "POST", target, std::nullopt, [&progress](std::string_view chunk) { progress.feed(chunk); },
      run.limits());
  if (!response) {
    return from_error(response.error());
  }
  progress.finish();
  if (!is_success(response->status)) {
    return engine_refusal(*response);
  }
  if (progress.failed()) {
    return JobOutcome::failed("docker_error", progress.error());
  }
  auto pulled = local_image_id(run, image.canonical);
  const std::string image_id = pulled && *pulled ? **pulled : std::string();
  return succeeded({{"image", image.canonical},
                    {"digest", progress.digest()},
                    {"image_id", image_id},
                    {"pulled", true}});
}

JobOutcome run_container(DockerJob& run) {
  auto spec = parse_run_args(run.job().args);
  if (!spec) {
    return from_error(spec.error());
  }
  const std::string target =
      spec->name.empty() ? "/containers/create" : "/containers/create?name=" + spec->name;
  auto created =
      run.client().request("POST", target, container_create_body(*spec), run.limits(kShortCall));
  if (!created) {
    return from_error(created.error());
  }
  if (!is_success(created->status)) {
    return engine_refusal(*created);
  }
  const auto answer = nlohmann::json::parse(created->body, nullptr, false);
  const auto id = answer.is_object() ? answer.value("Id", nlohmann::json()) : nlohmann::json();
  if (!id.is_string() || !is_valid_container_ref(id.get<std::string>())) {
    return JobOutcome::failed("docker_protocol", "Docker created a container without an id");
  }
  const std::string container_id = id.get<std::string>();
  // The other networks join before the start, so the process never runs without them.
  for (const auto& network : networks_to_connect(*spec)) {
    auto connected =
        run.client().request("POST", "/networks/" + network.name + "/connect",
                             nlohmann::json{{"Container", container_id},
                                            {"EndpointConfig", {{"Aliases", network.aliases}}}},
                             run.limits(kShortCall));
    if (!connected || !is_success(connected->status)) {
      (void)run.client().request("DELETE", "/containers/" + container_id + "?force=1", std::nullopt,
                                 DockerCallLimits{.timeout = kShortCall});
      return connected ? engine_refusal(*connected) : from_error(connected.error());
    }
  }
  auto started = run.client().request("POST", "/containers/" + container_id + "/start",
                                      std::nullopt, run.limits(kShortCall));
  if (!started || !is_success(started->status)) {
    // A created but never started container would hold the name and block a retry.
    (void)run.client().request("DELETE", "/containers/" + container_id + "?force=1", std::nullopt,
                               DockerCallLimits{.timeout = kShortCall});
    return started ? engine_refusal(*started) : from_error(started.error());
  }
  run.job().output.write("system", "started container " + container_id.substr(0, 12) + "\n");
  // The Engine chose any port asked as 0: only the container's own view says which.
  auto details = get_json(run, "/containers/" + container_id + "/json");
  if (!details) {
    return from_error(details.error());
  }
  std::string name = details->value("Name", std::string());
  if (!name.empty() && name.front() == '/') {
    name.erase(0, 1);
  }
  return succeeded({{"id", container_id},
                    {"container_id", container_id},
                    {"name", name},
                    {"ports", published_ports(*details)}});
}

JobOutcome stop_container(DockerJob& run) {
  auto stop = parse_stop_args(run.job().args);
  if (!stop) {
    return from_error(stop.error());
  }
  const auto grace = milliseconds(stop->timeout_seconds * 1000LL) + kShortCall;
  auto response = run.client().request(
      "POST", "/containers/" + stop->container + "/stop?t=" + std::to_string(stop->timeout_seconds),
      std::nullopt, run.limits(grace));
  if (!response) {
    return from_error(response.error());
  }
  // 304: it was not running, which is what stop asks for.
  return is_success(response->status) || response->status == 304 ? succeeded()
                                                                 : engine_refusal(*response);
}

JobOutcome remove_container(DockerJob& run) {
  auto remove = parse_remove_args(run.job().args);
  if (!remove) {
    return from_error(remove.error());
  }
  auto response = run.client().request("DELETE",
                                       "/containers/" + remove->container +
                                           (remove->force ? "?force=1" : "?force=0") +
                                           (remove->volumes ? "&v=1" : ""),
                                       std::nullopt, run.limits(kShortCall));
  if (!response) {
    return from_error(response.error());
  }
  return is_success(response->status) ? succeeded() : engine_refusal(*response);
}

// The follows running in this process. The cap is per agent: every follow holds a thread.
std::atomic<int> running_follows{0};

class FollowSlot {
 public:
  FollowSlot() : held_(running_follows.fetch_add(1) < kMaxLogFollows) {}
  ~FollowSlot() { running_follows.fetch_sub(1); }
  FollowSlot(const FollowSlot&) = delete;
  FollowSlot& operator=(const FollowSlot&) = delete;
  bool held() const { return held_; }

 private:
  bool held_;
};

JobOutcome container_logs(DockerJob& run) {
  auto logs = parse_logs_args(run.job().args);
  if (!logs) {
    return from_error(logs.error());
  }
  std::optional<FollowSlot> follow_slot;
  if (logs->follow) {
    follow_slot.emplace();
    if (!follow_slot->held()) {
      return JobOutcome::failed("too_many_follows", "this agent already follows " +
                                                        std::to_string(kMaxLogFollows) +
                                                        " container logs; one must end first");
    }
  }
  // A TTY container's log is raw text; only the others are framed stdout/stderr.
  auto details = get_json(run, "/containers/" + logs->container + "/json");
  if (!details) {
    return from_error(details.error());
  }
  const auto config = details->value("Config", nlohmann::json::object());
  const bool tty = config.is_object() && config.value("Tty", nlohmann::json(false)) == true;
  JobOutput& output = run.job().output;
  LogDemuxer demuxer(
      [&output](std::string_view stream, std::string_view text) { output.write(stream, text); });
  const std::string tail = logs->tail ? std::to_string(*logs->tail) : "all";
  auto response = run.client().stream(
      "GET",
      "/containers/" + logs->container + "/logs?stdout=1&stderr=1&tail=" + tail +
          (logs->follow ? "&follow=1" : ""),
      std::nullopt,
      [&](std::string_view chunk) {
        if (tty) {
          output.write("stdout", chunk);
        } else {
          demuxer.feed(chunk);
        }
      },
      run.limits());
  if (!response) {
    // Following ends at the job's timeout by design: what was streamed is the answer.
    if (logs->follow && response.error().code == "timeout") {
      return succeeded({{"ended", "timeout"}});
    }
    return from_error(response.error());
  }
  if (!is_success(response->status)) {
    return engine_refusal(*response);
  }
  return succeeded(logs->follow ? nlohmann::json{{"ended", "stopped"}} : nlohmann::json::object());
}

}  // namespace

JobOutcome outcome_of_error(const Error& error) {
  if (error.code == "canceled") {
    JobOutcome out;
    out.status = "canceled";
    out.error_code = "canceled";
    out.error_message = "the job was cancelled";
    return out;
  }
  return JobOutcome::failed(error.code, error.message);
}

Result<nlohmann::json> get_json(DockerJob& run, const std::string& target) {
  auto response = run.client().request("GET", target, std::nullopt, run.limits(kShortCall));
  if (!response) {
    return fail(response.error());
  }
  if (!is_success(response->status)) {
    return fail(engine_error(*response));
  }
  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return fail(Error{.kind = ErrorKind::internal,
                      .code = "docker_protocol",
                      .message = "Docker answered with JSON that does not parse",
                      .internal_detail = {}});
  }
  return parsed;
}

std::vector<std::string> docker_job_kinds() {
  return {"docker.list",   "docker.inspect", "docker.pull",  "docker.run",     "docker.stop",
          "docker.remove", "docker.logs",    "docker.build", "docker.network", "docker.volume"};
}

JobOutcome run_docker_job(JobContext& job, const std::string& socket_path,
                          const std::string& work_dir) {
  DockerJob run(job, socket_path);
  try {
    if (job.kind == "docker.list") {
      return list_containers(run);
    }
    if (job.kind == "docker.inspect") {
      return inspect_container(run);
    }
    if (job.kind == "docker.pull") {
      return pull_image(run);
    }
    if (job.kind == "docker.run") {
      return run_container(run);
    }
    if (job.kind == "docker.stop") {
      return stop_container(run);
    }
    if (job.kind == "docker.remove") {
      return remove_container(run);
    }
    if (job.kind == "docker.logs") {
      return container_logs(run);
    }
    if (job.kind == "docker.build") {
      return build_image(run, work_dir);
    }
    if (job.kind == "docker.network") {
      return network_job(run);
    }
    if (job.kind == "docker.volume") {
      return volume_job(run);
    }
    return JobOutcome::failed("unknown_kind", "not a docker job kind: " + job.kind);
  } catch (const std::exception& error) {
    // An Engine answer of an unexpected shape must end the job, not the agent.
    return JobOutcome::failed("internal", error.what());
  }
}

nlohmann::json docker_status(const std::string& socket_path) {
  DockerClient client(socket_path);
  auto response = client.request("GET", "/info", std::nullopt, {.timeout = kStatusTimeout});
  if (!response) {
    const bool offline = response.error().code == "docker_unreachable";
    return {{"status", offline ? "offline" : "degraded"}, {"reason", response.error().message}};
  }
  if (!is_success(response->status)) {
    return {{"status", "degraded"}, {"reason", docker_error_message(*response)}};
  }
  const auto info = nlohmann::json::parse(response->body, nullptr, false);
  const auto number = [&info](const char* key) {
    const auto found = info.find(key);
    return found != info.end() && found->is_number_unsigned() ? found->get<std::uint64_t>() : 0;
  };
  if (!info.is_object() || !info.contains("ServerVersion") || !info["ServerVersion"].is_string()) {
    return {{"status", "degraded"}, {"reason", "Docker's /info answer has no ServerVersion"}};
  }
  return {
      {"status", "online"},
      {"version", info["ServerVersion"]},
      {"containers", {{"running", number("ContainersRunning")}, {"total", number("Containers")}}}};
}

}  // namespace berth::agent::host
