#pragma once
/// A server's proxy route table, as the `proxy.apply` job carries it: the proxy's ports and
/// TLS mode, and one route per app that is serving there (hostname → 127.0.0.1:<port> of its
/// current container). The agent applies the whole table each time, so applying it twice is
/// harmless and an agent can re-apply it after Caddy restarts.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace berth {

/// One app's route as it is about to change: switched to a new upstream port, or removed.
struct RouteChange {
  std::string app_id = {};
  std::string hostname = {};
  std::int64_t upstream_port = 0;  // 0 removes the app's route
};

/// The server's proxy settings, defaults filled in when none are stored.
Result<ProxySettingsRecord> proxy_settings_of(Tx& tx, std::string_view server_id);

/// The `proxy.apply` arguments for `server_id`, with `change` applied over what is stored.
Result<nlohmann::json> proxy_apply_args(Tx& tx, std::string_view server_id,
                                        const std::optional<RouteChange>& change);

}  // namespace berth

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "store/fleet_records.hpp"

namespace berth {

/// Serialises route-table changes per server: two deployments on one server must never apply
/// tables that undo each other's switch, so "compute the table, apply it, record the change"
/// happens under that server's lock. Thread-safe.
class ProxyRouter {
 public:
  explicit ProxyRouter(Store& store) : store_(store) {}

  /// Computes the table with `change`, runs `apply` with the proxy.apply arguments, and on
  /// success runs `commit` (which records the change in the store), all under the lock.
  Result<void> apply(std::string_view server_id, const std::optional<RouteChange>& change,
                     const std::function<Result<JobRecord>(const nlohmann::json& args)>& apply,
                     const std::function<Result<void>()>& commit);

 private:
  std::mutex& lock_for(std::string_view server_id);

  Store& store_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>, std::less<>> locks_;
};

}  // namespace berth
