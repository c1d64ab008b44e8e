#pragma once
/// The `proxy.apply` job kind and the watch that keeps Caddy configured. berthd's full route
/// table becomes two things: the agent's upstream DNS table (each host's SRV record → its
/// current port, or the address and port of the container publishing it, asked of Docker at
/// every apply and restore; upstream_dns.hpp, upstream_containers.hpp) and a Caddy config whose
/// routes look their upstreams up there. The config is posted to Caddy's admin `/load` only when it
/// differs from the one Caddy runs (a config that differs from the keeper's last load is posted
/// without asking Caddy first), so a deployment that only moves an app to a new port never reloads
/// Caddy (a reload closes idle client keep-alive connections). Routes with edge rules are answered
/// with the port of an edge Caddy (edge_caddy.hpp) instead, so a rule change never reloads the
/// client-facing Caddy either. Nor does adding or removing a host, when plan_without_reload()
/// allows: the front keeps the config of the table it was last loaded with (kept as
/// proxy_front.json), its catch-all route sends the new hosts to the edge Caddy, which has
/// their routes, and the SRV names of its routes for removed hosts are pointed at the edge
/// Caddy, which answers 404. The next load the front needs anyway takes every host again.
/// Certificates of new acme hosts come on demand: Caddy asks the agent's TlsAskListener first,
/// which says yes for the acme hosts of the table applied last. The table is kept (0600) in the
/// state dir so that a restarted Caddy — or a restarted agent — gets it back without berthd. A
/// table with an ACME root has it written next to it (acme_root_file_name(), 0644: Caddy reads it).
///
/// Threads: apply() runs on a job's executor thread, restore() at start-up, the watch on a
/// thread of its own; all of them serialise on one mutex. The DNS responder answers on its own
/// thread. check_async() and take_events() never block and may be called from the connection's I/O
/// thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/host/caddy_config.hpp"
#include "agent/host/caddy_tls_ask.hpp"
#include "agent/host/caddy_tls_log.hpp"
#include "agent/host/edge_caddy.hpp"
#include "agent/host/front_handover.hpp"
#include "agent/host/upstream_dns.hpp"
#include "agent/job_types.hpp"

namespace berth::agent::host {

struct ProxyOptions {
  std::string admin_address = "127.0.0.1:2019";  // Caddy's admin endpoint
  std::string state_dir = {};                    // where proxy_routes.json is kept
  // The upstream DNS responder's UDP address. Port 0: the port of the agent's previous run
  // when it is still free (Caddy's config names it: the same port spares a reload), else any.
  std::string dns_address = "127.0.0.1:0";
  std::chrono::milliseconds call_timeout{10'000};
  std::string caddy_binary = {};  // for the edge Caddy (edge_caddy.hpp); "" = caddy on PATH
  // The Docker Engine socket asked which container publishes each routed port, so that Caddy
  // dials the container directly (upstream_containers.hpp); "" = never asked: every route is
  // answered with its loopback port.
  std::string docker_socket = {};
};

/// How long after pointing SRV names elsewhere the old target must keep serving: the front
/// Caddy asks again after kUpstreamRefresh (250 ms), at its next request.
inline constexpr std::chrono::milliseconds kEdgeSettle{750};

/// The environment variable naming the DNS responder's descriptor across a self-upgrade's exec.
inline constexpr const char* kInheritedDnsFdEnv = "BERTH_AGENT_DNS_FD";

class ProxyKeeper {
 public:
  /// Starts the DNS responder; throws std::runtime_error when it cannot bind (a start-up
  /// failure of the agent).
  explicit ProxyKeeper(ProxyOptions options);
  ~ProxyKeeper();
  ProxyKeeper(const ProxyKeeper&) = delete;
  ProxyKeeper& operator=(const ProxyKeeper&) = delete;

  /// One proxy.apply job. Result {"routes": n}; failures "invalid_args", "proxy_unreachable"
  /// (Caddy's admin endpoint does not answer) and "proxy_error" (Caddy refused the config, with
  /// its message). The table is kept only once Caddy took it; on a failure the DNS table goes
  /// back to the previous one.
  JobOutcome apply(JobContext& job);

  /// Gives the DNS responder the kept table and Caddy its config when it runs another; a
  /// failure is logged, not fatal.
  void restore();

  /// "ip:port" of the DNS responder, as the Caddy config names it.
  std::string dns_address() const { return dns_->address(); }
  /// Before the agent execs its next binary: the DNS responder's socket stays open across the
  /// exec (named in kInheritedDnsFdEnv), so the new binary answers on the same port with no
  /// gap in which Caddy's lookups could fail or the port be taken, and with no reload.
  void keep_dns_across_exec() const;

  /// Caddy's reasons for certificates it could not obtain; null when its receiver could not
  /// start.
  const CaddyTlsLog* tls_log() const { return tls_log_.get(); }

  /// Asks whether Caddy still has our server (GET /config/apps/http/servers/berth); when Caddy
  /// answers without it, re-applies the kept table and queues a `proxy_reapplied` event.
  /// Blocking; check_async() runs it on the keeper's thread instead.
  void check();
  void check_async();

  /// The events queued since the last call ({kind, details}, as docs/protocol.md's `event`).
  std::vector<nlohmann::json> take_events();

  /// What the last check() found of Caddy's admin API, for the heartbeat's `docker.caddy`:
  /// {"status":"online"} or {"status":"offline","reason":…}; null while the agent routes
  /// nothing through Caddy (no table applied yet), so a server without Caddy is not flagged.
  nlohmann::json caddy_status() const;

 private:
  // What install() did.
  struct Installed {
    bool reloaded = false;    // the front Caddy was loaded
    bool switched = false;    // the DNS table changed
    std::size_t pending = 0;  // hosts the front sends to the edge Caddy until its next load
  };
  // With mutex_ held: the DNS table, the edge Caddy and, unless `may_defer` and
  // plan_without_reload() let the front keep its config, the front Caddy for `table`; returns
  // once the front sends nothing to a retired edge Caddy. On a failure the DNS table is the
  // previous one again.
  Result<Installed> install(const ProxyTable& table, bool may_defer);
  // With mutex_ held: writes the table's ACME root where the config names it, then posts the
  // config (`table`'s, as JSON text); converge() only when Caddy may run another (true then).
  Result<void> load(const ProxyTable& table, const std::string& config);
  // Whether Caddy runs `config` (it is asked: GET /config/).
  bool runs(const nlohmann::json& config);
  // The Caddy config for `table`: caddy_config() and the logging that feeds tls_log_.
  nlohmann::json config_for(const ProxyTable& table) const;
  // Where the table's ACME root is kept (absolute: Caddy resolves a relative path against its
  // own working directory), and writing it there (0644) before a config naming it is loaded.
  std::filesystem::path acme_root_path(const ProxyTable& table) const;
  Result<void> write_acme_root(const ProxyTable& table) const;
  Result<bool> converge(const ProxyTable& table);
  // The DNS table for `table`; starts an edge Caddy with its rules and the plan's pending hosts
  // first when it has any (or the plan has gone services).
  Result<UpstreamServices> services_for(const ProxyTable& table, const FrontPlan& plan);
  // The containers to dial directly for the ports of `services` (empty without a Docker socket
  // or when Docker does not answer: the loopback answers stay).
  DirectUpstreams direct_for(const UpstreamServices& services) const;
  // After the DNS table changed (the edge Caddy's port was `edge_before`): when routes moved to
  // or from an edge Caddy, waits until the front has looked them up again and stops the edge
  // Caddies nothing points at any more (the current one too without `edge_now`).
  void settle_edge(int edge_before, bool edge_now);
  std::optional<ProxyTable> kept(const char* file);
  void keep_front(const ProxyTable& table);

  ProxyOptions options_;
  std::unique_ptr<UpstreamDns> dns_;
  std::unique_ptr<CaddyTlsLog> tls_log_;
  std::unique_ptr<EdgeCaddy> edge_;
  FrontHandover handover_;  // <state_dir>/handover: hosts the front sends to the edge Caddy
  std::mutex mutex_;        // one config change at a time
  // The table the front Caddy's config was built from (nullopt: unknown until the first
  // install), and what it lacks for the table applied last.
  std::optional<ProxyTable> front_ = {};
  FrontPlan plan_ = {};
  std::mutex ask_mutex_;
  std::set<std::string> ask_names_ = {};  // tls_ask_names() of the table applied last
  std::unique_ptr<TlsAskListener> ask_;   // after what its thread reads: stopped first
  // A hash of the config text Caddy last took from this keeper (nullopt: none yet, or the last
  // load failed). Only ever a shortcut: when it matches, Caddy is still asked what it runs.
  std::optional<std::size_t> loaded_ = {};
  mutable std::mutex events_mutex_;
  std::vector<nlohmann::json> events_;
  nlohmann::json caddy_status_ = nullptr;  // with events_mutex_
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool check_wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::agent::host
