#pragma once
/// A server's proxy route table, as the `proxy.apply` job carries it: the proxy's ports and
/// TLS mode, and one route per domain of each app that is serving there (hostname [+ path
/// prefix] → 127.0.0.1:<port> of its current container, or a 308 redirect to another domain
/// of the app), with the domain's TLS mode, custom certificate, https redirect and HSTS
/// switches where they differ from the defaults, and the server's ACME settings
/// (`acme: {ca, ca_root, email}`) when any is set. The agent applies the whole table each time, so
/// applying it twice is harmless and an agent can re-apply it after Caddy restarts. The server
/// that carries berthd's own domain (panel_route.hpp) has that route in every table.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "domain/routing/panel_route.hpp"
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
/// `master_key` opens the sealed keys of custom certificates; without it (null) domains with
/// a custom certificate are left out. `panel`, when its server is `server_id`, adds berthd's own
/// route (over any app route of the same host, which hostname claims keep from existing).
Result<nlohmann::json> proxy_apply_args(Tx& tx, std::string_view server_id,
                                        const std::optional<RouteChange>& change,
                                        const crypto::Key* master_key = nullptr,
                                        const PanelRoute* panel = nullptr);

/// The URL origin a domain answers at ("https://host[:port]"), as redirects point to it.
std::string domain_origin(const DomainRecord& domain, const ProxySettingsRecord& proxy);

/// The domain's TLS mode: its own, or the server's when it follows the server ("").
std::string effective_tls(const DomainRecord& domain, const ProxySettingsRecord& proxy);

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
  ProxyRouter(Store& store, const crypto::Key& master_key)
      : store_(store), master_key_(master_key) {}

  /// Computes the table with `change`, runs `apply` with the proxy.apply arguments, and on
  /// success runs `commit` (which records the change in the store), all under the lock.
  Result<void> apply(std::string_view server_id, const std::optional<RouteChange>& change,
                     const std::function<Result<JobRecord>(const nlohmann::json& args)>& apply,
                     const std::function<Result<void>()>& commit);

  /// Where berthd's own route goes from now on (nullopt: nowhere). Any thread.
  void set_panel_route(std::optional<PanelRoute> route);
  std::optional<PanelRoute> panel_route();

 private:
  std::mutex& lock_for(std::string_view server_id);

  Store& store_;
  const crypto::Key& master_key_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>, std::less<>> locks_;
  std::optional<PanelRoute> panel_;  // under mutex_
};

}  // namespace berth
