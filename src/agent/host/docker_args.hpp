#pragma once
/// Strict validation of the docker.* job arguments (docs/protocol.md, "Job kinds"). Each parser
/// refuses unknown fields, wrong types and values outside the allowed character sets, and
/// returns an Error with code "invalid_args" naming the field.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace berth::agent::host {

/// `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`: a container name or (full or short) id.
bool is_valid_container_ref(std::string_view text);

/// An absolute path of at most 4096 bytes without spaces, control characters or "..".
bool is_absolute_path(std::string_view path);
/// A named volume: `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`.
bool is_volume_name(std::string_view name);

/// An image reference split into the parts the Engine's pull takes.
struct ImageRef {
  std::string name;       // "registry.example:5000/team/app"
  std::string tag;        // "1.2" ("" when a digest is given)
  std::string digest;     // "sha256:…" or ""
  std::string canonical;  // name:tag or name@digest
};
/// `name[:tag]` or `name@digest`; the tag defaults to "latest" (a pull without a tag would
/// fetch every tag).
Result<ImageRef> parse_image_ref(std::string_view text);

struct PortBinding {
  int container_port = 0;
  int host_port = 0;  // 0: the Engine picks a free port
  std::string host_ip = "127.0.0.1";
  std::string protocol = "tcp";
};

/// A named volume (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`) or an absolute host path, mounted at an
/// absolute `target` inside the container.
struct VolumeMount {
  std::string source = {};
  std::string target = {};
  bool read_only = false;
};

/// A user-defined network the container joins, with the names other containers on it find it
/// by (DNS labels, at most 8).
struct NetworkAttachment {
  std::string name = {};
  std::vector<std::string> aliases = {};
};

struct RunArgs {
  ImageRef image = {};
  std::string name = {};  // "" lets the Engine choose
  std::optional<std::vector<std::string>> cmd = {};
  std::map<std::string, std::string> env = {};
  std::map<std::string, std::string> labels = {};
  std::vector<PortBinding> ports = {};
  std::string restart = "no";  // no | always | unless-stopped | on-failure
  std::vector<VolumeMount> volumes = {};
  std::int64_t memory_bytes = 0;  // 0: no limit
  std::int64_t nano_cpus = 0;     // 0: no limit
  bool privileged = false;
  std::string network_mode = "bridge";  // bridge | host | the name of one of `networks`
  // Joined before the start: the one named by network_mode at create (the container's only
  // network then), the others connected after the create.
  std::vector<NetworkAttachment> networks = {};
};

Result<bool> parse_list_args(const nlohmann::json& args);            // `all`
Result<std::string> parse_inspect_args(const nlohmann::json& args);  // `container`
Result<ImageRef> parse_pull_args(const nlohmann::json& args);

/// When docker.pull asks the registry: `always` (the default), `if_not_present` (an image
/// already on the server is used as it is), `never` (only a local image; offline servers and
/// images built on the server).
enum class PullPolicy { always, if_not_present, never };
struct PullArgs {
  ImageRef image = {};
  PullPolicy policy = PullPolicy::always;
};
/// docker.pull's arguments: `image` and the optional `policy`.
Result<PullArgs> parse_pull_job_args(const nlohmann::json& args);

struct StopArgs {
  std::string container = {};
  int timeout_seconds = 10;
};
Result<StopArgs> parse_stop_args(const nlohmann::json& args);

struct RemoveArgs {
  std::string container = {};
  bool force = false;
  bool volumes = false;  // also its anonymous volumes (a drill's scratch data)
};
Result<RemoveArgs> parse_remove_args(const nlohmann::json& args);

struct LogsArgs {
  std::string container = {};
  std::optional<int> tail = {};  // absent: every line
  bool follow = false;           // stream until the container stops
};
Result<LogsArgs> parse_logs_args(const nlohmann::json& args);

Result<RunArgs> parse_run_args(const nlohmann::json& args);

/// The Engine's container-create body for `run` (Image, Cmd, Env, Labels, ExposedPorts,
/// HostConfig: PortBindings, RestartPolicy, Mounts, Memory, NanoCpus, Privileged,
/// NetworkMode; NetworkingConfig with the aliases when NetworkMode is one of `networks`).
nlohmann::json container_create_body(const RunArgs& run);

/// The networks of `run` that are connected after the create (all but the NetworkMode one).
std::vector<NetworkAttachment> networks_to_connect(const RunArgs& run);

/// docker.network's arguments: `ensure` creates a bridge network when none of that name exists
/// (labels and `internal` apply to a new one only); `remove` deletes it (a missing one is fine).
struct NetworkArgs {
  std::string action = {};  // ensure | remove
  std::string name = {};
  std::map<std::string, std::string> labels = {};
  bool internal = false;  // no route out of the host for containers only on it
};
Result<NetworkArgs> parse_network_args(const nlohmann::json& args);

/// Replaces the values in a container-inspect answer's Config.Env ("KEY=value") with a mask,
/// keeping the names: the env holds the app's resolved secrets, and a job's result is stored
/// and shown.
void redact_env(nlohmann::json& inspect);

/// The published ports of a container-inspect answer (NetworkSettings.Ports) as
/// [{"container_port", "host_ip", "host_port"}], tcp and udp alike, sorted.
nlohmann::json published_ports(const nlohmann::json& inspect);

/// `docker.build`'s arguments; `context_dir` is checked to lie inside `work_dir`.
struct BuildArgs {
  std::string context_dir = {};
  std::string dockerfile = "Dockerfile";
  std::string tag = {};  // canonical name:tag
  std::map<std::string, std::string> build_args = {};
  std::map<std::string, std::string> labels = {};
};
Result<BuildArgs> parse_build_args(const nlohmann::json& args, const std::string& work_dir);

}  // namespace berth::agent::host
