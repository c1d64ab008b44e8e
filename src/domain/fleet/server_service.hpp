#pragma once
/// A team's servers: listing, reading, renaming and labelling, cordoning and draining,
/// deleting, the git deploy key, metrics and the event history. Every method re-checks the
/// caller's role inside its transaction; changes are audited. Blocking (store). Thread-safe.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/identity/team_teardown.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"

namespace berth {

struct ServerPatch {
  std::optional<std::string> name = {};
  std::optional<std::string> address = {};
  std::optional<std::map<std::string, std::string>> labels = {};
};

class ServerService : public TeamTeardown {
 public:
  ServerService(FleetContext& ctx, AgentHub& hub) : ctx_(ctx), hub_(hub) {}

  Result<Page<ServerRecord>> list(const Principal& who, std::string_view team_id,
                                  std::string_view q, const PageRequest& page);
  /// Error::not_found for an unknown server or another team's.
  Result<ServerRecord> get(const Principal& who, std::string_view team_id,
                           std::string_view server_id);
  /// Admin. Error::validation for a bad name, address or label; conflict `server_name_taken`.
  Result<ServerRecord> update(const Principal& who, std::string_view team_id,
                              std::string_view server_id, const ServerPatch& patch,
                              const ClientInfo& client);
  /// Admin. Closes the agent's connection (4003) and deletes the server with its jobs,
  /// metrics and events.
  Result<void> remove(const Principal& who, std::string_view team_id, std::string_view server_id,
                      const ClientInfo& client);
  /// Admin. active | cordoned | draining. Draining also cancels the server's queued jobs.
  Result<ServerRecord> set_scheduling(const Principal& who, std::string_view team_id,
                                      std::string_view server_id, std::string_view scheduling,
                                      const ClientInfo& client);
  /// Member. The server's ed25519 deploy key ("ssh-ed25519 AAAA… berth-<id>"), generated on
  /// first use (the private half sealed with the master key).
  Result<std::string> deploy_key(const Principal& who, std::string_view team_id,
                                 std::string_view server_id, const ClientInfo& client);
  /// Events after `after_seq`, oldest first.
  Result<std::vector<ServerEventRecord>> events(const Principal& who, std::string_view team_id,
                                                std::string_view server_id, std::int64_t after_seq,
                                                std::int64_t limit);

  /// A deleted team's servers: their agents are closed (4003) and their metrics forgotten.
  void servers_removed(const std::vector<std::string>& server_ids) override;

  /// True when the server answers right now (its agent is connected and greeted).
  bool connected(std::string_view server_id) const { return hub_.connected(server_id); }

 private:
  void disconnect(std::string_view server_id, std::string_view reason);
  Result<ServerRecord> change(const Principal& who, std::string_view team_id,
                              std::string_view server_id, std::string action,
                              nlohmann::json details, const ClientInfo& client,
                              const std::function<Result<void>(Tx&, ServerRecord&)>& apply);

  FleetContext& ctx_;
  AgentHub& hub_;
};

/// The OpenSSH public key line for an ed25519 public key.
std::string openssh_ed25519_public_key(const unsigned char* key32, std::string_view comment);

}  // namespace berth
