#include "domain/fleet/server_book.hpp"

#include "core/time_format.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

Result<ServerRecord> team_server(Tx& tx, const Principal& who, std::string_view team_id,
                                 std::string_view server_id, Role needed) {
  if (auto role = require_team_role(tx, who, team_id, needed); !role) {
    return fail(std::move(role.error()));
  }
  auto found = tx.get_server(team_id, server_id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such server"));
  }
  return std::move(**found);
}

nlohmann::json server_event_view(const ServerEventRecord& event) {
  return {{"seq", event.seq},
          {"kind", event.kind},
          {"at", format_rfc3339(event.at)},
          {"details", event.details}};
}

Result<void> ServerBook::set_status_many(const std::vector<std::string>& server_ids,
                                         const std::string& status, const std::string& reason) {
  std::vector<std::pair<std::string, ServerEventRecord>> events;  // with the server's team
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    for (const auto& id : server_ids) {
      auto found = tx.get_server("", id);
      if (!found) {
        return fail(std::move(found.error()));
      }
      if (!*found || ((*found)->status == status && (*found)->status_reason == reason)) {
        continue;
      }
      ServerRecord server = std::move(**found);
      ServerEventRecord event{
          .seq = 0,
          .server_id = server.id,
          .at = ctx_.clock().now(),
          .kind = "status_changed",
          .details = {{"from", server.status}, {"to", status}, {"reason", reason}}};
      server.status = status;
      server.status_reason = reason;
      server.updated_at = event.at;
      if (auto updated = tx.update_server(server); !updated) {
        return updated;
      }
      auto seq = tx.append_server_event(event);
      if (!seq) {
        return fail(std::move(seq.error()));
      }
      event.seq = *seq;
      events.emplace_back(server.team_id, std::move(event));
    }
    return {};
  });
  if (!done) {
    return done;
  }
  for (const auto& [team_id, event] : events) {
    publish(team_id, event);
  }
  return {};
}

Result<ServerRecord> ServerBook::update(std::string_view server_id,
                                        const std::function<void(ServerRecord&)>& change) {
  std::optional<ServerRecord> out;
  std::optional<ServerEventRecord> status_event;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_server("", server_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (!*found) {
      return fail(Error::not_found("no such server"));
    }
    ServerRecord server = std::move(**found);
    const std::string before = server.status;
    const std::string before_reason = server.status_reason;
    change(server);
    server.updated_at = ctx_.clock().now();
    if (auto updated = tx.update_server(server); !updated) {
      return updated;
    }
    if (server.status != before || server.status_reason != before_reason) {
      ServerEventRecord event{
          .seq = 0,
          .server_id = server.id,
          .at = server.updated_at,
          .kind = "status_changed",
          .details = {{"from", before}, {"to", server.status}, {"reason", server.status_reason}}};
      auto seq = tx.append_server_event(event);
      if (!seq) {
        return fail(std::move(seq.error()));
      }
      event.seq = *seq;
      status_event = std::move(event);
    }
    out = std::move(server);
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  if (status_event) {
    publish(out->team_id, *status_event);
  }
  return std::move(*out);
}

Result<ServerRecord> ServerBook::set_status(std::string_view server_id, std::string status,
                                            std::string reason) {
  return update(server_id, [&](ServerRecord& server) {
    server.status = std::move(status);
    server.status_reason = std::move(reason);
  });
}

Result<void> ServerBook::record(std::string_view server_id, std::string kind,
                                nlohmann::json details) {
  ServerEventRecord event{.seq = 0,
                          .server_id = std::string(server_id),
                          .at = ctx_.clock().now(),
                          .kind = std::move(kind),
                          .details = std::move(details)};
  std::string team_id;
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto found = tx.get_server("", server_id);
    if (!found) {
      return fail(std::move(found.error()));
    }
    if (*found) {
      team_id = (*found)->team_id;
    }
    auto seq = tx.append_server_event(event);
    if (!seq) {
      return fail(std::move(seq.error()));
    }
    event.seq = *seq;
    return {};
  });
  if (!done) {
    return fail(std::move(done.error()));
  }
  publish(team_id, event);
  return {};
}

void ServerBook::publish(const std::string& team_id, const ServerEventRecord& event) {
  nlohmann::json view = server_event_view(event);
  events_.publish(EventHub::server_topic(event.server_id),
                  HubMessage{.event = event.kind, .id = event.seq, .data = view});
  if (!team_id.empty()) {
    // The team stream is live only (no replay, so no ids): a list refetches on reconnect.
    view["server_id"] = event.server_id;
    events_.publish(EventHub::team_topic(team_id),
                    HubMessage{.event = event.kind, .id = 0, .data = std::move(view)});
  }
}

}  // namespace berth
