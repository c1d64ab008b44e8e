#include "domain/fleet/server_service.hpp"

#include <sodium.h>

#include <array>
#include <cstring>

#include "core/crypto.hpp"
#include "domain/fleet/enrolment_service.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "store/job_state.hpp"

namespace berth {

namespace {

constexpr std::size_t kMaxLabels = 32;
constexpr std::size_t kMaxLabelKey = 63;
constexpr std::size_t kMaxLabelValue = 255;
constexpr std::size_t kMaxAddress = 253;

Error no_such_server() { return Error::not_found("no such server"); }

bool printable(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return false;
    }
  }
  return true;
}

Result<void> check_patch(const ServerPatch& patch) {
  if (patch.name && !is_valid_server_name(*patch.name)) {
    return fail(Error::validation(
        "name",
        "name must be 1-63 characters of letters, digits, '.', '_' or '-', starting "
        "with a letter or digit"));
  }
  if (patch.address && (patch.address->size() > kMaxAddress || !printable(*patch.address))) {
    return fail(Error::validation("address", "address must be at most 253 printable characters"));
  }
  if (patch.labels) {
    if (patch.labels->size() > kMaxLabels) {
      return fail(Error::validation("labels", "at most 32 labels"));
    }
    for (const auto& [key, value] : *patch.labels) {
      if (!is_valid_server_name(key) || key.size() > kMaxLabelKey ||
          value.size() > kMaxLabelValue || !printable(value)) {
        return fail(
            Error::validation("labels",
                              "label keys are 1-63 of [A-Za-z0-9._-]; values at most 255 printable "
                              "characters"));
      }
    }
  }
  return {};
}

void append_ssh_string(std::string& out, std::string_view data) {
  const auto size = static_cast<std::uint32_t>(data.size());
  out.push_back(static_cast<char>((size >> 24U) & 0xFFU));
  out.push_back(static_cast<char>((size >> 16U) & 0xFFU));
  out.push_back(static_cast<char>((size >> 8U) & 0xFFU));
  out.push_back(static_cast<char>(size & 0xFFU));
  out.append(data);
}

std::string base64_standard(std::string_view data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

std::string openssh_ed25519_public_key(const unsigned char* key32, std::string_view comment) {
  // RFC 8709: string "ssh-ed25519", string key.
  std::string blob;
  append_ssh_string(blob, "ssh-ed25519");
  append_ssh_string(blob, std::string_view(reinterpret_cast<const char*>(key32), 32));
  return "ssh-ed25519 " + base64_standard(blob) + " " + std::string(comment);
}

Result<Page<ServerRecord>> ServerService::list(const Principal& who, std::string_view team_id,
                                               std::string_view q, const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  return read_value<Page<ServerRecord>>(ctx_.store(), [&](Tx& tx) -> Result<Page<ServerRecord>> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    return tx.list_servers(team_id, q, page.page, page.per_page);
  });
}

Result<ServerRecord> ServerService::get(const Principal& who, std::string_view team_id,
                                        std::string_view server_id) {
  return read_value<ServerRecord>(ctx_.store(), [&](Tx& tx) -> Result<ServerRecord> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.get_server(team_id, server_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(no_such_server());
    }
    return std::move(**found);
  });
}

Result<ServerRecord> ServerService::change(
    const Principal& who, std::string_view team_id, std::string_view server_id, std::string action,
    nlohmann::json details, const ClientInfo& client,
    const std::function<Result<void>(Tx&, ServerRecord&)>& apply) {
  std::optional<ServerRecord> out;
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), std::move(action),
                               std::string(server_id), std::string(team_id), std::move(details)),
                    [&](Tx& tx) -> Result<void> {
                      auto found = admin_server(tx, who, team_id, server_id);
                      if (!found) {
                        return fail(std::move(found.error()));
                      }
                      ServerRecord server = std::move(*found);
                      if (auto applied = apply(tx, server); !applied) {
                        return applied;
                      }
                      server.updated_at = ctx_.clock().now();
                      if (auto updated = tx.update_server(server); !updated) {
                        return updated;
                      }
                      out = std::move(server);
                      return {};
                    });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return std::move(*out);
}

Result<ServerRecord> ServerService::update(const Principal& who, std::string_view team_id,
                                           std::string_view server_id, const ServerPatch& patch,
                                           const ClientInfo& client) {
  if (auto ok = check_patch(patch); !ok) {
    return fail(std::move(ok.error()));
  }
  nlohmann::json details = nlohmann::json::object();
  if (patch.name) {
    details["name"] = *patch.name;
  }
  if (patch.address) {
    details["address"] = *patch.address;
  }
  if (patch.labels) {
    details["labels"] = *patch.labels;
  }
  return change(who, team_id, server_id, "server.update", details, client,
                [&](Tx&, ServerRecord& server) -> Result<void> {
                  if (patch.name) {
                    server.name = *patch.name;
                  }
                  if (patch.address) {
                    server.address = *patch.address;
                  }
                  if (patch.labels) {
                    server.labels = *patch.labels;
                  }
                  return {};
                });
}

Result<void> ServerService::remove(const Principal& who, std::string_view team_id,
                                   std::string_view server_id, const ClientInfo& client) {
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "server.delete", std::string(server_id),
                               std::string(team_id)),
                    [&](Tx& tx) -> Result<void> {
                      auto found = admin_server(tx, who, team_id, server_id);
                      if (!found) {
                        return fail(std::move(found.error()));
                      }
                      auto apps = tx.count_server_apps(server_id);
                      if (!apps) {
                        return fail(std::move(apps.error()));
                      }
                      if (*apps > 0) {
                        // Deleting the server would strand its apps' containers and routes
                        // unmanaged.
                        return fail(with_code(
                            Error::conflict("the server still has apps: delete or move them first"),
                            "server_has_apps"));
                      }
                      return tx.delete_server(server_id);
                    });
  if (!done) {
    return done;
  }
  disconnect(server_id, "the server was deleted");
  return {};
}

void ServerService::servers_removed(const std::vector<std::string>& server_ids) {
  for (const auto& server_id : server_ids) {
    disconnect(server_id, "the server's team was deleted");
  }
}

void ServerService::disconnect(std::string_view server_id, std::string_view reason) {
  hub_.kick(server_id, agent_close::deleted, std::string(reason));
  hub_.metrics().forget(server_id);
}

Result<ServerRecord> ServerService::set_scheduling(const Principal& who, std::string_view team_id,
                                                   std::string_view server_id,
                                                   std::string_view scheduling,
                                                   const ClientInfo& client) {
  const std::string action = scheduling == "active"     ? "server.uncordon"
                             : scheduling == "cordoned" ? "server.cordon"
                                                        : "server.drain";
  std::vector<JobRecord> canceled;
  auto server = change(who, team_id, server_id, action, nlohmann::json::object(), client,
                       [&](Tx& tx, ServerRecord& record) -> Result<void> {
                         record.scheduling = std::string(scheduling);
                         if (scheduling != "draining") {
                           return {};
                         }
                         auto queued =
                             tx.list_jobs(JobQuery{.team_id = std::string(team_id),
                                                   .server_id = std::string(server_id),
                                                   .states = {std::string(job_state::queued)},
                                                   .page = 1,
                                                   .per_page = 1000});
                         if (!queued) {
                           return fail(std::move(queued.error()));
                         }
                         for (auto job : queued->items) {
                           job.state = job_state::canceled;
                           job.finished_at = ctx_.clock().now();
                           job.error_code = "server_draining";
                           job.error_message = "the server is being drained";
                           if (auto updated = tx.update_job(job); !updated) {
                             return updated;
                           }
                           canceled.push_back(job);
                         }
                         return {};
                       });
  if (!server) {
    return server;
  }
  for (const auto& job : canceled) {
    hub_.jobs().publish_state(job);
  }
  return server;
}

Result<std::string> ServerService::deploy_key(const Principal& who, std::string_view team_id,
                                              std::string_view server_id,
                                              const ClientInfo& client) {
  auto server = get(who, team_id, server_id);
  if (!server) {
    return fail(std::move(server.error()));
  }
  if (!server->deploy_public_key.empty()) {
    return server->deploy_public_key;
  }
  // Generated once; a concurrent first request that loses keeps the winner's key.
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};
  crypto_sign_keypair(public_key.data(), secret_key.data());
  const std::string line =
      openssh_ed25519_public_key(public_key.data(), "berth-" + std::string(server_id));
  const std::string sealed = crypto::seal(
      ctx_.services.master_key, ctx_.services.random,
      std::string_view(reinterpret_cast<const char*>(secret_key.data()), secret_key.size()));
  sodium_memzero(secret_key.data(), secret_key.size());
  std::string stored;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_server(team_id, server_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(no_such_server());
    }
    if (!(*found)->deploy_public_key.empty()) {
      stored = (*found)->deploy_public_key;
      return {};
    }
    (*found)->deploy_public_key = line;
    (*found)->deploy_private_sealed = sealed;
    stored = line;
    if (auto updated = tx.update_server(**found); !updated) {
      return updated;
    }
    return tx.append_audit(make_audit(ctx_, actor_of(who, client), "server.deploy_key.create",
                                      std::string(server_id), std::string(team_id)));
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return stored;
}

Result<std::vector<ServerEventRecord>> ServerService::events(const Principal& who,
                                                             std::string_view team_id,
                                                             std::string_view server_id,
                                                             std::int64_t after_seq,
                                                             std::int64_t limit) {
  if (auto server = get(who, team_id, server_id); !server) {
    return fail(std::move(server.error()));
  }
  return read_value<std::vector<ServerEventRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.list_server_events(server_id, after_seq, limit); });
}

}  // namespace berth
