#pragma once
/// A server's status and its event history: every status change and every event an agent
/// reports is stored (server_events) and published on the server's EventHub topic, which is
/// what GET /servers/{id}/events streams. Blocking (store): worker threads. Thread-safe.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/kernel/event_hub.hpp"

namespace berth {

class ServerBook {
 public:
  ServerBook(FleetContext& ctx, EventHub& events) : ctx_(ctx), events_(events) {}

  /// Applies `change` to the server in one write transaction; when the status or its reason
  /// changed, records a `status_changed` event too. Error::not_found for an unknown server.
  Result<ServerRecord> update(std::string_view server_id,
                              const std::function<void(ServerRecord&)>& change);

  /// Sets the status (and reason) — `update` with only that change.
  Result<ServerRecord> set_status(std::string_view server_id, std::string status,
                                  std::string reason);

  /// set_status for many servers in one transaction (berthd's start-up with thousands of
  /// servers must not spend seconds on one commit each).
  Result<void> set_status_many(const std::vector<std::string>& server_ids,
                               const std::string& status, const std::string& reason);

  /// Stores and publishes one event.
  Result<void> record(std::string_view server_id, std::string kind, nlohmann::json details);

 private:
  /// On the server's topic, and (with the server's id added) on its team's.
  void publish(const std::string& team_id, const ServerEventRecord& event);

  FleetContext& ctx_;
  EventHub& events_;
};

/// Inside a transaction: checks that the caller holds `needed` in the team, then reads the
/// team's server. Error::not_found for an unknown server or another team's.
Result<ServerRecord> team_server(Tx& tx, const Principal& who, std::string_view team_id,
                                 std::string_view server_id, Role needed);

/// team_server for an admin: every admin change to a server starts with this.
inline Result<ServerRecord> admin_server(Tx& tx, const Principal& who, std::string_view team_id,
                                         std::string_view server_id) {
  return team_server(tx, who, team_id, server_id, Role::admin);
}

/// The SSE/JSON view of one server event.
nlohmann::json server_event_view(const ServerEventRecord& event);

}  // namespace berth
