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
  std::vector<ServerEventRecord> events;
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
      events.push_back(std::move(event));
    }
    return {};
  });
  if (!done) {
    return done;
  }
  for (const auto& event : events) {
    publish(event);
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
    publish(*status_event);
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
  auto done = ctx_.store().write([&](Tx& tx) -> Result<void> {
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
  publish(event);
  return {};
}

void ServerBook::publish(const ServerEventRecord& event) {
  events_.publish(
      EventHub::server_topic(event.server_id),
      HubMessage{.event = event.kind, .id = event.seq, .data = server_event_view(event)});
}

}  // namespace berth
