#pragma once
/// How an agent comes to belong to a team: an admin mints a one-time install token (bound to
/// the team, expiring), the agent spends it at register for its server id and a long-lived
/// agent token (stored only as a SHA-256 hash), and an admin can revoke that token — the live
/// connection is closed at once and the old token refused. Blocking (store). Thread-safe.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/fleet_context.hpp"
#include "domain/kernel/actor.hpp"

namespace berth {

struct MintedInstallToken {
  InstallTokenRecord record;
  std::string token;            // "bit_…": shown once
  std::string install_command;  // the one line a user pastes on the server
};

struct EnrolledAgent {
  std::string server_id;
  std::string agent_token;  // "bat_…": shown once, to the agent
};

class EnrolmentService {
 public:
  EnrolmentService(FleetContext& ctx, AgentHub& hub) : ctx_(ctx), hub_(hub) {}

  /// Admin and up; audited. `ttl` defaults to the policy's (1 h); 1 minute to 7 days.
  /// Refused like require_secure_enrolment() over an insecure public URL.
  Result<MintedInstallToken> mint(const Principal& who, std::string_view team_id,
                                  std::optional<std::chrono::seconds> ttl,
                                  const ClientInfo& client);
  /// For berthd's own use (SSH adoption, the local agent): bound to an existing server when
  /// `server_id` is set, so registering enrols that server instead of creating one. `ttl`
  /// defaults to the policy's.
  Result<MintedInstallToken> mint_for_system(std::string_view team_id, std::string_view server_id,
                                             std::optional<std::chrono::seconds> ttl = {});

  /// Spends an install token. Error::unauthenticated `invalid_install_token` when it is
  /// unknown, used or expired (the same answer for each).
  Result<EnrolledAgent> register_agent(std::string_view install_token, const nlohmann::json& facts,
                                       const ClientInfo& client);

  /// The server whose agent token this is; nullopt when unknown or revoked.
  Result<std::optional<ServerRecord>> authenticate_agent(std::string_view agent_token);

  /// Admin and up; audited. The old token stops working and the live connection closes (4001).
  Result<void> revoke_agent(const Principal& who, std::string_view team_id,
                            std::string_view server_id, const ClientInfo& client);

  /// The one-line install command for a token.
  std::string install_command(std::string_view token) const;

  /// Error::unprocessable `insecure_enrolment` when the public URL is plain http:// to a
  /// non-loopback host and the policy does not allow it: what would carry install tokens,
  /// the install script and agent tokens in clear. Install tokens, the install script and SSH
  /// adoption ask this first.
  Result<void> require_secure_enrolment() const;

 private:
  Result<MintedInstallToken> mint_record(std::string_view team_id, std::string created_by,
                                         std::string server_id, std::chrono::seconds ttl);

  FleetContext& ctx_;
  AgentHub& hub_;
};

/// A server name made from a hostname: [A-Za-z0-9._-], 1-63 characters, "server" if nothing
/// usable is left.
std::string server_name_from_hostname(std::string_view hostname);
/// True for an http:// URL whose host is not loopback (127.0.0.0/8, ::1, localhost).
bool is_insecure_enrolment_url(std::string_view url);
/// True for 1-63 characters of [A-Za-z0-9._-] starting with a letter or digit.
bool is_valid_server_name(std::string_view name);

}  // namespace berth
