#include "domain/fleet/enrolment_service.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "core/url_host.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

namespace {

using namespace std::chrono_literals;
constexpr std::size_t kTokenRandomBytes = 32;
constexpr std::size_t kMaxNameLength = 63;

Error invalid_install_token() {
  Error error{.kind = ErrorKind::unauthenticated,
              .code = "invalid_install_token",
              .message = "the install token is unknown, used or expired; mint a new one",
              .details = nlohmann::json::object(),
              .internal_detail = {}};
  return error;
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

bool is_valid_server_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !name_char(name[0]) || name[0] == '.' ||
      name[0] == '_' || name[0] == '-') {
    return false;
  }
  for (const char c : name) {
    if (!name_char(c)) {
      return false;
    }
  }
  return true;
}

std::string server_name_from_hostname(std::string_view hostname) {
  std::string name;
  for (const char c : hostname) {
    if (name.size() == kMaxNameLength) {
      break;
    }
    if (name_char(c) && !(name.empty() && (c == '.' || c == '_' || c == '-'))) {
      name.push_back(c);
    }
  }
  return name.empty() ? std::string("server") : name;
}

bool is_insecure_enrolment_url(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  if (!url.starts_with(kHttp)) {
    return false;  // https:// (berthd accepts no other scheme)
  }
  const std::string host = url_host(url);
  if (host == "localhost" || host == "localhost.") {
    return false;
  }
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) != 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    const bool mapped_loopback = IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
    return !(IN6_IS_ADDR_LOOPBACK(&v6) || mapped_loopback);
  }
  return true;
}

Result<void> EnrolmentService::require_secure_enrolment() const {
  if (ctx_.policy.allow_insecure_enrolment ||
      !is_insecure_enrolment_url(ctx_.services.public_url)) {
    return {};
  }
  Error error = Error::unprocessable(
      "berthd's public URL is plain http:// to a non-loopback address, so install tokens, the "
      "install script and agent credentials would cross the network in clear; start berthd "
      "with an https:// --public-url (or, on a network you trust, --allow-insecure-enrolment)");
  error.code = "insecure_enrolment";
  error.details = {{"public_url", ctx_.services.public_url}};
  return fail(std::move(error));
}

std::string EnrolmentService::install_command(std::string_view token) const {
  return fmt::format("curl -fsSL {0}/api/v1/agent/install.sh | sudo sh -s -- --install-token {1}",
                     ctx_.services.public_url, token);
}

Result<MintedInstallToken> EnrolmentService::mint_record(std::string_view team_id,
                                                         std::string created_by,
                                                         std::string server_id,
                                                         std::chrono::seconds ttl) {
  const TimePoint now = ctx_.clock().now();
  MintedInstallToken out;
  out.token = "bit_" + crypto::random_token(ctx_.services.random, kTokenRandomBytes);
  out.record = InstallTokenRecord{.id = ctx_.ids().next("itk"),
                                  .team_id = std::string(team_id),
                                  .token_hash = crypto::sha256_hex(out.token),
                                  .created_by = std::move(created_by),
                                  .server_id = std::move(server_id),
                                  .created_at = now,
                                  .expires_at = now + ttl,
                                  .used_at = {}};
  out.install_command = install_command(out.token);
  return out;
}

Result<MintedInstallToken> EnrolmentService::mint(const Principal& who, std::string_view team_id,
                                                  std::optional<std::chrono::seconds> ttl,
                                                  const ClientInfo& client) {
  if (auto secure = require_secure_enrolment(); !secure) {
    return fail(std::move(secure.error()));
  }
  const auto lifetime = ttl.value_or(ctx_.policy.install_token_ttl);
  if (lifetime < 60s || lifetime > 7 * 24h) {
    return fail(Error::validation("ttl_seconds", "ttl_seconds must be 60 to 604800"));
  }
  auto minted = mint_record(team_id, who.user_id, {}, lifetime);
  if (!minted) {
    return minted;
  }
  auto done = write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "server.install_token.create", minted->record.id,
                 std::string(team_id), {{"expires_at", format_rfc3339(minted->record.expires_at)}}),
      [&](Tx& tx) -> Result<void> {
        if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
          return fail(std::move(role.error()));
        }
        return tx.create_install_token(minted->record);
      });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return minted;
}

Result<MintedInstallToken> EnrolmentService::mint_for_system(
    std::string_view team_id, std::string_view server_id, std::optional<std::chrono::seconds> ttl) {
  auto minted = mint_record(team_id, "system", std::string(server_id),
                            ttl.value_or(ctx_.policy.install_token_ttl));
  if (!minted) {
    return minted;
  }
  if (auto done = ctx_.store().write(
          [&](Tx& tx) -> Result<void> { return tx.create_install_token(minted->record); });
      !done) {
    return fail(std::move(done.error()));
  }
  return minted;
}

Result<EnrolledAgent> EnrolmentService::register_agent(std::string_view install_token,
                                                       const nlohmann::json& facts,
                                                       const ClientInfo& client) {
  const TimePoint now = ctx_.clock().now();
  EnrolledAgent out{
      .server_id = {},
      .agent_token = "bat_" + crypto::random_token(ctx_.services.random, kTokenRandomBytes)};
  std::string team_id;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.find_install_token_by_hash(crypto::sha256_hex(install_token));
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found || (*found)->used_at || (*found)->expires_at <= now) {
      return fail(invalid_install_token());
    }
    const InstallTokenRecord token = **found;
    auto spent = tx.use_install_token(token.id, now);
    if (!spent) {
      return fail(std::move(spent.error()));
    }
    if (!*spent) {
      return fail(invalid_install_token());
    }
    team_id = token.team_id;
    if (!token.server_id.empty()) {
      // Adoption or the local agent: this server exists already.
      auto server = tx.get_server(token.team_id, token.server_id);
      if (!server) {
        return fail(std::move(server.error()));
      }
      if (!*server) {
        return fail(invalid_install_token());
      }
      (*server)->agent_token_hash = crypto::sha256_hex(out.agent_token);
      (*server)->facts = facts;
      (*server)->status = "offline";
      (*server)->status_reason = "enrolled; waiting for the agent to connect";
      (*server)->updated_at = now;
      out.server_id = (*server)->id;
      return tx.update_server(**server);
    }
    ServerRecord server{.id = ctx_.ids().next("srv"), .team_id = token.team_id};
    server.address = facts.is_object() ? facts.value("hostname", "") : "";
    const std::string hostname = server.address;
    if (token.created_by == "system") {
      // berthd's own machine (the local agent): its apps answer at <app>.localhost, whatever
      // the machine's hostname.
      server.address = "localhost";
    }
    server.facts = facts;
    server.status = "offline";
    server.status_reason = "enrolled; waiting for the agent to connect";
    server.agent_token_hash = crypto::sha256_hex(out.agent_token);
    server.created_at = now;
    server.updated_at = now;
    const std::string base = server_name_from_hostname(hostname);
    // Two machines may share a hostname: the second becomes web-2, and so on.
    for (int attempt = 1;; ++attempt) {
      server.name = attempt == 1 ? base : fmt::format("{}-{}", base.substr(0, 58), attempt);
      auto created = tx.create_server(server);
      if (created) {
        break;
      }
      if (created.error().kind != ErrorKind::conflict || attempt > 50) {
        return created;
      }
    }
    out.server_id = server.id;
    return tx.append_audit(make_audit(ctx_,
                                      Actor{.user_id = "system",
                                            .request_id = client.request_id,
                                            .source_address = client.source_address},
                                      "server.enrol", server.id, token.team_id,
                                      {{"name", server.name}, {"install_token_id", token.id}}));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  log::info("agent.enrolled", {{"server_id", out.server_id}, {"team_id", team_id}});
  return out;
}

Result<std::optional<ServerRecord>> EnrolmentService::authenticate_agent(
    std::string_view agent_token) {
  if (agent_token.empty()) {
    return std::optional<ServerRecord>{};
  }
  const std::string hash = crypto::sha256_hex(agent_token);
  return read_value<std::optional<ServerRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.find_server_by_agent_token_hash(hash); });
}

Result<void> EnrolmentService::revoke_agent(const Principal& who, std::string_view team_id,
                                            std::string_view server_id, const ClientInfo& client) {
  auto done = write_audited(ctx_.store(),
                            make_audit(ctx_, actor_of(who, client), "server.revoke_agent",
                                       std::string(server_id), std::string(team_id)),
                            [&](Tx& tx) -> Result<void> {
                              auto server = admin_server(tx, who, team_id, server_id);
                              if (!server) {
                                return fail(std::move(server.error()));
                              }
                              server->agent_token_hash.clear();
                              server->status = "offline";
                              server->status_reason = "agent token revoked; enrol the server again";
                              server->updated_at = ctx_.clock().now();
                              return tx.update_server(*server);
                            });
  if (!done) {
    return done;
  }
  hub_.kick(server_id, agent_close::revoked, "agent token revoked");
  return {};
}

}  // namespace berth
