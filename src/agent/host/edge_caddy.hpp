#pragma once
/// The edge Caddy: a second Caddy process the agent runs for the apps that have edge rules
/// (caddy_edge.hpp), so that changing a rule never reloads the client-facing Caddy. Every load
/// of a Caddy config closes the client keep-alive connections that are idle at that moment
/// (Go's Server.Shutdown), and a client that had just sent its next request on one sees it
/// fail; HTTP/2 between the two Caddies does not help either (Caddy 2.6 keeps serving an h2c
/// connection with the config it was opened under, and a POST caught by a GOAWAY is not
/// retried). So an edge Caddy never has its config changed: a rule change starts a new edge
/// Caddy with the new config on a new port, the agent's DNS points the routes' SRV names at it
/// (the same switch a deployment makes), and the previous one is stopped once the front Caddy
/// no longer picks it (SIGTERM: it finishes the requests it has).
///
/// The process is started detached (its own session): it keeps serving while the agent
/// restarts, and the agent adopts it again from `edge.json` in its directory when its config
/// is the one wanted. It listens on 127.0.0.1 only and has no admin endpoint.
///
/// Not thread-safe: ProxyKeeper calls it under its mutex.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace berth::agent::host {

struct EdgeCaddyOptions {
  std::string caddy_binary = {};   // "" = `caddy` on PATH (or in the system's bin directories)
  std::filesystem::path dir = {};  // edge.json, the configs and the logs (created 0700)
  std::chrono::milliseconds start_timeout{15'000};
};

class EdgeCaddy {
 public:
  explicit EdgeCaddy(EdgeCaddyOptions options);

  /// The port of an edge Caddy running `config_for(port)`: the current one when its config is
  /// that already and it answers, else a new one started on a free port (the current one is
  /// then kept until retire() and still serves). Errors: "proxy_error" with why (no caddy
  /// binary, Caddy refused the config or did not start, with the end of its log).
  Result<int> ensure(const std::function<nlohmann::json(int port)>& config_for);

  /// The current instance's port; 0 when none runs.
  int port() const { return current_.port; }

  /// Whether the current instance answers its probe.
  bool alive();

  /// Stops the instances ensure() replaced (SIGTERM: Caddy finishes the requests it has, then
  /// exits); with `all`, the current one too. Their files go once they have exited.
  void retire(bool all = false);

 private:
  struct Instance {
    pid_t pid = -1;
    int port = 0;
    std::string hash = {};  // of the config with the port left out
    bool operator==(const Instance&) const = default;
  };
  void adopt_kept();
  void keep() const;
  Result<Instance> start(const nlohmann::json& config, int port, const std::string& hash);
  bool is_ours(const Instance& instance) const;
  bool probe(int port) const;
  std::filesystem::path config_path(int port) const;
  std::filesystem::path log_path(int port) const;
  void reap();
  void remove_stale_files();

  EdgeCaddyOptions options_;
  Instance current_ = {};
  std::vector<Instance> replaced_ = {};  // still serving what the front had picked
  std::vector<Instance> stopping_ = {};  // sent SIGTERM; files removed once they are gone
};

}  // namespace berth::agent::host
