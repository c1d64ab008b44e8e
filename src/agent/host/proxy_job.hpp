#pragma once
/// The `proxy.apply` job kind and the watch that keeps Caddy configured: berthd's full route
/// table goes to Caddy's admin API as one `POST /load`, and is kept (0600) in the state dir so
/// that a restarted Caddy — or a restarted agent — gets it back without berthd.
///
/// Threads: apply() runs on a job's executor thread, restore() at start-up, the watch on a
/// thread of its own; all of them serialise on one mutex. poke() and take_events() never
/// block and may be called from the connection's I/O thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/host/caddy_config.hpp"
#include "agent/job_types.hpp"

namespace berth::agent::host {

struct ProxyOptions {
  std::string admin_address = "127.0.0.1:2019";  // Caddy's admin endpoint
  std::string state_dir = {};                    // where proxy_routes.json is kept
  std::chrono::milliseconds call_timeout{10'000};
};

class ProxyKeeper {
 public:
  explicit ProxyKeeper(ProxyOptions options);
  ~ProxyKeeper();
  ProxyKeeper(const ProxyKeeper&) = delete;
  ProxyKeeper& operator=(const ProxyKeeper&) = delete;

  /// One proxy.apply job. Result {"routes": n}; failures "invalid_args", "proxy_unreachable"
  /// (Caddy's admin endpoint does not answer) and "proxy_error" (Caddy refused the config, with
  /// its message). The table is kept only once Caddy took it.
  JobOutcome apply(JobContext& job);

  /// Re-applies the kept table if there is one; a failure is logged, not fatal.
  void restore();

  /// Asks whether Caddy still has our server (GET /config/apps/http/servers/berth); when Caddy
  /// answers without it, re-applies the kept table and queues a `proxy_reapplied` event.
  /// Blocking; check_async() runs it on the keeper's thread instead.
  void check();
  void check_async();

  /// The events queued since the last call ({kind, details}, as docs/protocol.md's `event`).
  std::vector<nlohmann::json> take_events();

 private:
  Result<void> load(const ProxyTable& table);  // with mutex_ held
  std::optional<ProxyTable> kept();

  ProxyOptions options_;
  std::mutex mutex_;  // one config change at a time
  std::mutex events_mutex_;
  std::vector<nlohmann::json> events_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool check_wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::agent::host
