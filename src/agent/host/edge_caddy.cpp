#include "agent/host/edge_caddy.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/host/caddy_edge.hpp"
#include "agent/host/loopback_http.hpp"
#include "agent/state_file.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"

namespace berth::agent::host {
namespace {

constexpr const char* kEdgeKeptFile = "edge.json";
constexpr std::string_view kSystemBin = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

Error edge_failure(std::string message) {
  return Error{.kind = ErrorKind::unavailable,
               .code = "proxy_error",
               .message = "edge Caddy: " + std::move(message),
               .internal_detail = {}};
}

std::string find_caddy(const std::string& configured) {
  if (!configured.empty()) {
    return configured;
  }
  std::string path = kSystemBin.data();
  if (const char* env = std::getenv("PATH"); env != nullptr && *env != '\0') {
    path = std::string(env) + ":" + path;
  }
  for (std::size_t start = 0; start <= path.size();) {
    const auto colon = std::min(path.find(':', start), path.size());
    const auto candidate = std::filesystem::path(path.substr(start, colon - start)) / "caddy";
    if (colon > start && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
    start = colon + 1;
  }
  return {};
}

// A port the kernel had free just now (Caddy binds it a moment later; start() retries when
// something else took it meanwhile).
int unused_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return 0;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&  // NOLINT: sockets API
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {  // NOLINT
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// The config's identity without its port: the same rules on another port are the same edge.
std::string config_hash(const std::function<nlohmann::json(int)>& config_for) {
  const auto text = config_for(0).dump();
  return crypto::sha256_hex(text);
}

bool exited(pid_t pid) {
  int status = 0;
  const pid_t got = ::waitpid(pid, &status, WNOHANG);
  // ECHILD: not our child (adopted after an agent restart): ask the kernel whether it lives.
  return got == pid || (got < 0 && ::kill(pid, 0) != 0);
}

}  // namespace

EdgeCaddy::EdgeCaddy(EdgeCaddyOptions options) : options_(std::move(options)) { adopt_kept(); }

std::filesystem::path EdgeCaddy::config_path(int port) const {
  return options_.dir / ("edge-" + std::to_string(port) + ".json");
}

std::filesystem::path EdgeCaddy::log_path(int port) const {
  return options_.dir / ("edge-" + std::to_string(port) + ".log");
}

bool EdgeCaddy::is_ours(const Instance& instance) const {
  if (instance.pid <= 0) {
    return false;
  }
  // The pid may have been reused since: it is ours only while it runs our config file.
  auto cmdline = read_text_file("/proc/" + std::to_string(instance.pid) + "/cmdline");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  return cmdline.find(config_path(instance.port).string()) != std::string::npos;
}

bool EdgeCaddy::probe(int port) const {
  const auto answer = loopback_http("127.0.0.1", port, {.host_header = kEdgeProbeHost},
                                    std::chrono::milliseconds(1000));
  return answer && answer->status == 204;
}

bool EdgeCaddy::alive() { return current_.port > 0 && is_ours(current_) && probe(current_.port); }

void EdgeCaddy::adopt_kept() {
  const auto kept =
      nlohmann::json::parse(read_text_file(options_.dir / kEdgeKeptFile), nullptr, false);
  if (!kept.is_object() || !kept.contains("pid") || !kept["pid"].is_number_integer() ||
      !kept.contains("port") || !kept["port"].is_number_integer() || !kept.contains("hash") ||
      !kept["hash"].is_string()) {
    return;  // none kept, or not a file this agent wrote: a new edge Caddy is started when needed
  }
  Instance instance{.pid = kept["pid"].get<pid_t>(),
                    .port = kept["port"].get<int>(),
                    .hash = kept["hash"].get<std::string>()};
  if (instance.port > 0 && instance.port <= 65535 && is_ours(instance)) {
    current_ = std::move(instance);
    log::info("agent.edge_caddy_adopted",
              {{"pid", std::int64_t{current_.pid}}, {"port", std::int64_t{current_.port}}});
  }
}

void EdgeCaddy::keep() const {
  const nlohmann::json kept = {
      {"pid", current_.pid}, {"port", current_.port}, {"hash", current_.hash}};
  if (auto saved = write_private_file(options_.dir / kEdgeKeptFile, kept.dump()); !saved) {
    log::warn("agent.edge_caddy_keep_failed", {{"message", saved.error().message}});
  }
}

Result<int> EdgeCaddy::ensure(const std::function<nlohmann::json(int)>& config_for) {
  const auto hash = config_hash(config_for);
  if (current_.hash == hash && alive()) {
    return current_.port;
  }
  std::error_code failed;
  std::filesystem::create_directories(options_.dir, failed);
  std::filesystem::permissions(options_.dir, std::filesystem::perms::owner_all, failed);
  remove_stale_files();
  Error last = edge_failure("no free port");
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = unused_loopback_port();
    if (port <= 0) {
      continue;
    }
    auto started = start(config_for(port), port, hash);
    if (!started) {
      last = started.error();
      continue;
    }
    if (current_.pid > 0) {
      replaced_.push_back(current_);
    }
    current_ = std::move(*started);
    keep();
    return current_.port;
  }
  return fail(std::move(last));
}

Result<EdgeCaddy::Instance> EdgeCaddy::start(const nlohmann::json& config, int port,
                                             const std::string& hash) {
  const auto binary = find_caddy(options_.caddy_binary);
  if (binary.empty()) {
    return fail(edge_failure(
        "edge rules need the caddy binary on this server (not found on PATH; the agent's "
        "--caddy-binary names it)"));
  }
  const auto config_file = config_path(port);
  const auto log_file = log_path(port);
  if (auto written = write_private_file(config_file, config.dump()); !written) {
    return fail(
        edge_failure("cannot write " + config_file.string() + ": " + written.error().message));
  }
  // Caddy keeps its data (and would autosave its config) under these: inside our directory,
  // never the system Caddy's.
  const std::string home = options_.dir.string();
  std::vector<std::string> env = {"HOME=" + home, "XDG_DATA_HOME=" + home + "/data",
                                  "XDG_CONFIG_HOME=" + home + "/config",
                                  "PATH=" + std::string(kSystemBin)};
  std::vector<std::string> args = {binary, "run", "--config", config_file.string()};
  std::vector<char*> argv;
  std::vector<char*> envp;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  for (auto& entry : env) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
  ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
  ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // Its own session: a signal to the agent's process group (Ctrl-C on a terminal) leaves it
  // serving, and it outlives an agent restart. The agent's signal mask is not inherited.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  ::posix_spawnattr_setsigmask(&attributes, &no_signals);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawn(&pid, binary.c_str(), &actions, &attributes, argv.data(), envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    return fail(edge_failure("cannot start " + binary + ": " + std::strerror(spawned)));
  }
  Instance instance{.pid = pid, .port = port, .hash = hash};
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe(port)) {
      log::info("agent.edge_caddy_started",
                {{"pid", std::int64_t{pid}}, {"port", std::int64_t{port}}});
      return instance;
    }
    if (exited(pid)) {
      auto log = read_text_file(log_file);
      std::filesystem::remove(config_file);
      return fail(
          edge_failure("Caddy exited: " + log.substr(log.size() > 2000 ? log.size() - 2000 : 0)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ::kill(pid, SIGKILL);
  stopping_.push_back(instance);
  return fail(edge_failure("Caddy did not answer on 127.0.0.1:" + std::to_string(port) +
                           " within " + std::to_string(options_.start_timeout.count()) + " ms"));
}

void EdgeCaddy::retire(bool all) {
  if (all && current_.pid > 0) {
    replaced_.push_back(std::exchange(current_, Instance{}));
    std::error_code ignored;
    std::filesystem::remove(options_.dir / kEdgeKeptFile, ignored);
  }
  for (auto& instance : replaced_) {
    if (is_ours(instance)) {
      ::kill(instance.pid, SIGTERM);
      log::info("agent.edge_caddy_stopping",
                {{"pid", std::int64_t{instance.pid}}, {"port", std::int64_t{instance.port}}});
    }
    stopping_.push_back(instance);
  }
  replaced_.clear();
  reap();
}

void EdgeCaddy::remove_stale_files() {
  // Files of edge Caddies an earlier agent run started and nothing runs any more.
  std::vector<int> known = {current_.port};
  for (const auto* list : {&replaced_, &stopping_}) {
    for (const auto& instance : *list) {
      known.push_back(instance.port);
    }
  }
  std::error_code failed;
  std::vector<std::filesystem::path> stale;
  for (std::filesystem::directory_iterator entry(options_.dir, failed), end;
       !failed && entry != end; entry.increment(failed)) {
    const auto name = entry->path().filename().string();
    const auto ext = entry->path().extension().string();
    if (!name.starts_with("edge-") || (ext != ".json" && ext != ".log")) {
      continue;
    }
    const auto digits = name.substr(5, name.size() - 5 - ext.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 5) {
      continue;
    }
    if (std::find(known.begin(), known.end(), std::stoi(digits)) == known.end()) {
      stale.push_back(entry->path());
    }
  }
  for (const auto& path : stale) {
    std::filesystem::remove(path, failed);
  }
}

void EdgeCaddy::reap() {
  std::erase_if(stopping_, [this](const Instance& instance) {
    if (!exited(instance.pid) && is_ours(instance)) {
      return false;
    }
    std::error_code ignored;
    std::filesystem::remove(config_path(instance.port), ignored);
    std::filesystem::remove(log_path(instance.port), ignored);
    return true;
  });
}

}  // namespace berth::agent::host
