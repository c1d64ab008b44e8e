#include "domain/fleet/agent_upgrades.hpp"

#include <charconv>

#include "domain/fleet/server_book.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {
namespace {

// The agent replaces a binary of tens of megabytes: ten minutes is plenty even on a slow link.
constexpr std::int64_t kUpgradeTimeoutMs = 10 * 60 * 1000;

struct ParsedVersion {
  std::vector<std::uint64_t> numbers;
  std::string pre_release;  // after '-' (or '+'), "" for a release
};

ParsedVersion parse_version(std::string_view text) {
  ParsedVersion out;
  if (text.starts_with('v')) {
    text.remove_prefix(1);
  }
  const auto suffix = text.find_first_of("-+");
  if (suffix != std::string_view::npos) {
    out.pre_release = std::string(text.substr(suffix + 1));
    text = text.substr(0, suffix);
  }
  while (!text.empty()) {
    const auto dot = text.find('.');
    const auto part = text.substr(0, dot);
    std::uint64_t number = 0;
    std::from_chars(part.data(), part.data() + part.size(), number);
    out.numbers.push_back(number);
    if (dot == std::string_view::npos) {
      break;
    }
    text.remove_prefix(dot + 1);
  }
  return out;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  const auto left = parse_version(a);
  const auto right = parse_version(b);
  const std::size_t parts = std::max(left.numbers.size(), right.numbers.size());
  for (std::size_t i = 0; i < parts; ++i) {
    const std::uint64_t x = i < left.numbers.size() ? left.numbers[i] : 0;
    const std::uint64_t y = i < right.numbers.size() ? right.numbers[i] : 0;
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  if (left.pre_release.empty() != right.pre_release.empty()) {
    return left.pre_release.empty() ? 1 : -1;
  }
  return left.pre_release.compare(right.pre_release) < 0   ? -1
         : left.pre_release.compare(right.pre_release) > 0 ? 1
                                                           : 0;
}

bool agent_outdated(std::string_view agent_version, std::string_view latest) {
  return !agent_version.empty() && !latest.empty() && compare_versions(agent_version, latest) < 0;
}

std::string AgentUpgrades::latest_version() const {
  auto release = release_();
  return release ? release->version : std::string();
}

Result<AgentUpgradeStarted> AgentUpgrades::upgrade(const Principal& who, std::string_view team_id,
                                                   std::string_view server_id,
                                                   const ClientInfo& client) {
  auto server = read_value<ServerRecord>(
      ctx_.store(), [&](Tx& tx) { return admin_server(tx, who, team_id, server_id); });
  if (!server) {
    return fail(std::move(server.error()));
  }
  if (server->agent_token_hash.empty()) {
    Error error = Error::unprocessable("the server has no enrolled agent to upgrade");
    error.code = "agent_not_enrolled";
    return fail(std::move(error));
  }
  auto release = release_();
  if (!release) {
    return fail(std::move(release.error()));
  }
  if (!server->agent_version.empty() &&
      compare_versions(server->agent_version, release->version) >= 0) {
    Error error = Error::conflict("the agent already runs " + server->agent_version +
                                  " (berthd serves " + release->version + ")");
    error.code = "agent_current";
    return fail(std::move(error));
  }
  return start(who, *server, *release, client);
}

Result<std::vector<AgentUpgradeStarted>> AgentUpgrades::upgrade_outdated(const Principal& who,
                                                                         std::string_view team_id,
                                                                         const ClientInfo& client) {
  constexpr std::int64_t kPage = 100;
  auto servers = read_value<std::vector<ServerRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<ServerRecord>> {
        if (auto role = require_team_role(tx, who, team_id, Role::admin); !role) {
          return fail(std::move(role.error()));
        }
        std::vector<ServerRecord> all;
        for (std::int64_t page = 1;; ++page) {
          auto listed = tx.list_servers(team_id, "", page, kPage);
          if (!listed) {
            return fail(std::move(listed.error()));
          }
          all.insert(all.end(), listed->items.begin(), listed->items.end());
          if (static_cast<std::int64_t>(listed->items.size()) < kPage) {
            return all;
          }
        }
      });
  if (!servers) {
    return fail(std::move(servers.error()));
  }
  auto release = release_();
  if (!release) {
    return fail(std::move(release.error()));
  }
  std::vector<AgentUpgradeStarted> started;
  for (const auto& server : *servers) {
    if (server.agent_token_hash.empty() ||
        !agent_outdated(server.agent_version, release->version)) {
      continue;
    }
    auto one = start(who, server, *release, client);
    if (!one) {
      return fail(std::move(one.error()));
    }
    started.push_back(std::move(*one));
  }
  return started;
}

Result<AgentUpgradeStarted> AgentUpgrades::start(const Principal& who, const ServerRecord& server,
                                                 const AgentRelease& release,
                                                 const ClientInfo& client) {
  const NewJob job{.kind = "agent.upgrade",
                   .args = {{"path", release.download_path},
                            {"sha256", release.sha256},
                            {"version", release.version}},
                   .timeout_ms = kUpgradeTimeoutMs};
  auto submitted = jobs_.submit_system(ctx_.ids().next("job"), server.team_id, server.id, job,
                                       principal_id(who));
  if (!submitted) {
    return fail(std::move(submitted.error()));
  }
  // Replacing a root binary on a host: always in the audit log, with both versions.
  (void)ctx_.store().write([&](Tx& tx) {
    return tx.append_audit(make_audit(ctx_, actor_of(who, client), "server.agent_upgrade",
                                      server.id, server.team_id,
                                      {{"job_id", submitted->id},
                                       {"from_version", server.agent_version},
                                       {"to_version", release.version},
                                       {"sha256", release.sha256}}));
  });
  return AgentUpgradeStarted{.server_id = server.id,
                             .server_name = server.name,
                             .from_version = server.agent_version,
                             .job = std::move(*submitted)};
}

}  // namespace berth
