#include "api/server_routes.hpp"

#include "api/event_stream.hpp"
#include "api/fleet_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/fleet/adoption_service.hpp"
#include "domain/fleet/agent_upgrades.hpp"
#include "domain/fleet/enrolment_service.hpp"
#include "domain/fleet/server_book.hpp"
#include "domain/fleet/server_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::int64_t kReplayLimit = 1000;

json credentials_schema() {
  return schema::object({{"password", schema::string(1, 4096)},
                         {"private_key", schema::string(1, 16384)},
                         {"passphrase", schema::string(0, 4096)}});
}

SshCredentials credentials_of(const json& auth) {
  return SshCredentials{.password = auth.value("password", ""),
                        .private_key = auth.value("private_key", ""),
                        .passphrase = auth.value("passphrase", "")};
}

json adoption_json(const AdoptionStarted& started, std::string_view version) {
  return {{"server", server_json(started.server, version)}, {"job", job_json(started.job)}};
}

json agent_upgrade_json(const AgentUpgradeStarted& started, std::string_view version) {
  return {{"server_id", started.server_id},
          {"server_name", started.server_name},
          {"from_version", started.from_version},
          {"to_version", std::string(version)},
          {"job", job_json(started.job)}};
}

json agent_upgrade_schema() {
  return schema::object({{"server_id", schema::string()},
                         {"server_name", schema::string()},
                         {"from_version", schema::string()},
                         {"to_version", schema::string()},
                         {"job", job_schema()}});
}

json adoption_schema() {
  return {{"type", "object"}, {"properties", {{"server", server_schema()}, {"job", job_schema()}}}};
}

ServerPatch patch_of(const Request& request) {
  ServerPatch patch;
  if (request.json.contains("name")) {
    patch.name = body_string(request, "name");
  }
  if (request.json.contains("address")) {
    patch.address = body_string(request, "address");
  }
  if (request.json.contains("labels")) {
    std::map<std::string, std::string> labels;
    for (const auto& [key, value] : request.json["labels"].items()) {
      labels[key] = value.get<std::string>();
    }
    patch.labels = std::move(labels);
  }
  return patch;
}

auto server_view(const ApiContext& ctx) {
  return [&ctx](const ServerRecord& server) { return server_json(server, ctx.version); };
}

auto adoption_view(const ApiContext& ctx) {
  return [&ctx](const AdoptionStarted& started) { return adoption_json(started, ctx.version); };
}

// Handlers of the form "admin does X to server {id}" share this shape.
template <class Action>
http::Handler on_server(Action action) {
  return [action](Request& request) -> Result<Response> {
    auto id = path_id(request, "id", "srv");
    if (!id) {
      return fail(std::move(id.error()));
    }
    return action(request, *id);
  };
}

void add_scheduling_route(http::Router& router, const ApiContext& ctx, const std::string& verb,
                          const std::string& scheduling, std::string summary) {
  router.post(
      "/api/v1/servers/{id}/" + verb,
      {.summary = std::move(summary), .role = Role::admin, .response_schema = server_schema},
      on_server([&ctx, scheduling](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.servers->set_scheduling(caller(request), team_of(request), id,
                                                   scheduling, client_info(request)),
                       server_view(ctx));
      }));
}

}  // namespace

void add_server_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/servers/install-tokens",
      {.summary = "Mint a one-time install token for enrolling a server",
       .role = Role::admin,
       .request_schema = schema::object({{"ttl_seconds", schema::integer(60, 604800)}}),
       .response_schema =
           [] {
             return nlohmann::json{{"type", "object"},
                                   {"properties",
                                    {{"id", schema::string()},
                                     {"token", schema::string()},
                                     {"expires_at", schema::string()},
                                     {"install_command", schema::string()}}}};
           },
       .success_status = 201,
       .description = "Bound to the team, one use, expires after ttl_seconds (default 3600). "
                      "Run install_command on the server as root."},
      [&ctx](Request& request) -> Result<Response> {
        std::optional<std::chrono::seconds> ttl;
        if (request.json.contains("ttl_seconds")) {
          ttl = std::chrono::seconds(request.json["ttl_seconds"].get<std::int64_t>());
        }
        auto minted =
            ctx.enrolment->mint(caller(request), team_of(request), ttl, client_info(request));
        if (!minted) {
          return fail(std::move(minted.error()));
        }
        return Response::json(201, {{"id", minted->record.id},
                                    {"token", minted->token},
                                    {"expires_at", format_rfc3339(minted->record.expires_at)},
                                    {"install_command", minted->install_command}});
      });

  router.get("/api/v1/servers",
             {.summary = "List the team's servers",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(server_schema()); },
              .query = paging_query({search_param("name or address")}),
              .description = "Ordered by name; ?q= filters by name or address; ?page=, "
                             "?per_page=."},
             [&ctx](Request& request) -> Result<Response> {
               const std::string q = request.query_param("q").value_or("");
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.servers->list(caller(request), team_of(request), q, paging);
                   },
                   server_view(ctx));
             });

  router.post(
      "/api/v1/servers",
      {.summary = "Adopt a server over SSH",
       .role = Role::admin,
       .request_schema = schema::object({{"name", schema::string(1, 63)},
                                         {"host", schema::string(1, 253)},
                                         {"port", schema::integer(1, 65535)},
                                         {"username", schema::string(1, 32)},
                                         {"auth", credentials_schema()},
                                         {"keep_credentials", schema::boolean()},
                                         {"install_dir", schema::string(1, 255)},
                                         {"host_key", schema::string(1, 64)}},
                                        {"name", "host", "username", "auth"}),
       .response_schema = adoption_schema,
       .success_status = 202,
       .description = "Answers at once with the new server (status adopting) and the ssh.adopt "
                      "job whose output shows the progress: connect, check the host key (trusted "
                      "on first use and shown), copy and enrol berth-agent, start it. The "
                      "credentials are forgotten afterwards unless keep_credentials is true "
                      "(then sealed at rest). host_key, the fingerprint POST "
                      "/servers/ssh-host-key reported and a person confirmed, makes the job "
                      "refuse any other key before a credential is sent (host_key_changed)."},
      [&ctx](Request& request) -> Result<Response> {
        AdoptionRequest adoption{
            .name = body_string(request, "name"),
            .host = body_string(request, "host"),
            .port = request.json.value("port", std::int64_t{22}),
            .username = body_string(request, "username"),
            .auth = credentials_of(request.json["auth"]),
            .keep_credentials = request.json.value("keep_credentials", false),
            .install_dir = request.json.value("install_dir", std::string("/opt/berth")),
            .host_key = request.json.value("host_key", std::string())};
        return json_or(
            202,
            ctx.adoption->adopt(caller(request), team_of(request), adoption, client_info(request)),
            adoption_view(ctx));
      });

  router.post(
      "/api/v1/servers/ssh-host-key",
      {.summary = "Read a server's SSH host key before adopting it",
       .role = Role::admin,
       .request_schema = schema::object(
           {{"host", schema::string(1, 253)}, {"port", schema::integer(1, 65535)}}, {"host"}),
       .response_schema =
           [] {
             return schema::object({{"host", schema::string()},
                                    {"port", schema::integer()},
                                    {"host_key", schema::string()},
                                    {"host_key_type", schema::string()}});
           },
       .description = "berthd connects to host:port (22 by default), completes the key exchange "
                      "and answers with the host key's fingerprint; no credential is sent. Show "
                      "it to the person adopting the server and pass it as host_key to POST "
                      "/servers. 503 ssh_unreachable when nothing answers within 10 s."},
      [&ctx](Request& request) -> Result<Response> {
        const std::string host = body_string(request, "host");
        const std::int64_t port = request.json.value("port", std::int64_t{22});
        return json_or(200,
                       ctx.adoption->probe_host_key(caller(request), team_of(request), host, port),
                       [&](const HostKeyProbe& key) {
                         return json{{"host", host},
                                     {"port", port},
                                     {"host_key", key.fingerprint},
                                     {"host_key_type", key.type}};
                       });
      });

  router.get("/api/v1/servers/{id}",
             {.summary = "Read a server", .role = Role::viewer, .response_schema = server_schema},
             on_server([&ctx](Request& request, const std::string& id) {
               return json_or(200, ctx.servers->get(caller(request), team_of(request), id),
                              server_view(ctx));
             }));

  router.patch(
      "/api/v1/servers/{id}",
      {.summary = "Rename a server, change its address or labels",
       .role = Role::admin,
       .request_schema = schema::object(
           {{"name", schema::string(1, 63)},
            {"address", schema::string(0, 253)},
            {"labels", {{"type", "object"}, {"additionalProperties", schema::string(0, 255)}}}}),
       .response_schema = server_schema},
      on_server([&ctx](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.servers->update(caller(request), team_of(request), id, patch_of(request),
                                           client_info(request)),
                       server_view(ctx));
      }));

  router.del("/api/v1/servers/{id}",
             {.summary = "Delete a server with its jobs, metrics and events",
              .role = Role::admin,
              .success_status = 204,
              .description = "Its agent is disconnected at once (close code 4003) and its "
                             "token stops working. Nothing is removed from the machine."},
             on_server([&ctx](Request& request, const std::string& id) {
               return no_content_or(ctx.servers->remove(caller(request), team_of(request), id,
                                                        client_info(request)));
             }));

  add_scheduling_route(router, ctx, "cordon", "cordoned",
                       "Cordon a server: no new deployments are placed on it");
  add_scheduling_route(router, ctx, "uncordon", "active", "Make a cordoned server schedulable");
  add_scheduling_route(router, ctx, "drain", "draining",
                       "Drain a server: cordon it and cancel its queued jobs");

  router.post(
      "/api/v1/servers/{id}/upgrade",
      {.summary = "Upgrade the server's agent to the version berthd serves",
       .role = Role::admin,
       .response_schema = agent_upgrade_schema,
       .success_status = 202,
       .description =
           "Admin only: the agent replaces a binary that runs as root on the host. Sends an "
           "agent.upgrade job (queued while the agent is offline): the agent downloads "
           "/api/v1/agent/download from this berthd, checks its SHA-256, replaces itself and "
           "starts again, then reports the new agent_version. A wrong checksum fails the job and "
           "keeps the old binary. 409 agent_current when the agent already runs this version or "
           "a newer one; 422 agent_not_enrolled; 503 no_agent_binary."},
      on_server([&ctx](Request& request, const std::string& id) {
        return json_or(202,
                       ctx.agent_upgrades->upgrade(caller(request), team_of(request), id,
                                                   client_info(request)),
                       [&ctx](const AgentUpgradeStarted& started) {
                         return agent_upgrade_json(started, ctx.version);
                       });
      }));

  router.post(
      "/api/v1/servers/upgrade",
      {.summary = "Upgrade every agent of the team that is older than berthd",
       .role = Role::admin,
       .response_schema =
           [] {
             return schema::object({{"data", schema::array_of(agent_upgrade_schema())},
                                    {"version", schema::string()}});
           },
       .success_status = 202,
       .description = "Admin only. One agent.upgrade job per enrolled server whose "
                      "agent_update_available is true (never a downgrade); the others are left "
                      "alone. data lists the jobs started (empty when every agent is current)."},
      [&ctx](Request& request) -> Result<Response> {
        return json_or(202,
                       ctx.agent_upgrades->upgrade_outdated(caller(request), team_of(request),
                                                            client_info(request)),
                       [&ctx](const std::vector<AgentUpgradeStarted>& started) {
                         json data = json::array();
                         for (const auto& one : started) {
                           data.push_back(agent_upgrade_json(one, ctx.version));
                         }
                         return json{{"data", std::move(data)}, {"version", ctx.version}};
                       });
      });

  router.post("/api/v1/servers/{id}/revoke-agent",
              {.summary = "Revoke the server's agent token and disconnect it",
               .role = Role::admin,
               .success_status = 204,
               .description = "The live connection closes at once (4001); the server must be "
                              "enrolled again with a new install token."},
              on_server([&ctx](Request& request, const std::string& id) {
                return no_content_or(ctx.enrolment->revoke_agent(caller(request), team_of(request),
                                                                 id, client_info(request)));
              }));

  router.post("/api/v1/servers/{id}/adopt",
              {.summary = "Adopt a server over SSH again (the recorded host key must match)",
               .role = Role::admin,
               .request_schema = schema::object({{"auth", credentials_schema()}}),
               .response_schema = adoption_schema,
               .success_status = 202,
               .description = "Without auth, the credentials kept at the first adoption are "
                              "used. A host key that differs from the recorded one is refused "
                              "(the job fails with host_key_changed)."},
              on_server([&ctx](Request& request, const std::string& id) {
                std::optional<SshCredentials> auth;
                if (request.json.contains("auth")) {
                  auth = credentials_of(request.json["auth"]);
                }
                return json_or(202,
                               ctx.adoption->readopt(caller(request), team_of(request), id, auth,
                                                     client_info(request)),
                               adoption_view(ctx));
              }));

  router.get("/api/v1/servers/{id}/metrics",
             {.summary = "A server's metrics over a time range",
              .role = Role::viewer,
              .response_schema = metric_series_schema,
              .query = {{.name = "range",
                         .description = "The time range (default 1h)",
                         .schema = {{"type", "string"},
                                    {"enum", {"1h", "6h", "24h", "7d"}},
                                    {"default", "1h"}}}},
              .description = "?range=1h|6h|24h|7d (default 1h): 1-minute points for 1h and 6h, "
                             "15-minute for 24h, hourly for 7d; each point is the mean of the "
                             "heartbeats in it."},
             on_server([&ctx](Request& request, const std::string& id) -> Result<Response> {
               if (auto server = ctx.servers->get(caller(request), team_of(request), id); !server) {
                 return fail(std::move(server.error()));
               }
               const std::string range = request.query_param("range").value_or("1h");
               return json_or(200, ctx.metrics->series(id, range), metric_series_json);
             }));

  router.get(
      "/api/v1/servers/{id}/events",
      {.summary = "A server's events as Server-Sent Events",
       .role = Role::viewer,
       .query = stream_query(),
       .response_type = "text/event-stream",
       .description = "Status changes and events from the agent, live. With Last-Event-ID (or "
                      "?after=) the stored events after it are replayed first; without, the "
                      "stream starts with a `snapshot` event holding the server."},
      on_server([&ctx](Request& request, const std::string& id) -> Result<Response> {
        auto server = ctx.servers->get(caller(request), team_of(request), id);
        if (!server) {
          return fail(std::move(server.error()));
        }
        const std::int64_t after = last_event_id(request);
        const Principal who = caller(request);
        const std::string team = team_of(request);
        return event_stream_response(EventStreamSpec{
            .hub = ctx.events,
            .topic = EventHub::server_topic(id),
            .after_id = after,
            .replay = [&ctx, who, team, id, after, snapshot = server_json(*server, ctx.version)](
                          std::int64_t after_seq) -> Result<ReplayPage> {
              ReplayPage out;
              if (after == 0) {
                out.messages.push_back(HubMessage{.event = "snapshot", .id = 0, .data = snapshot});
                return out;
              }
              auto events = ctx.servers->events(who, team, id, after_seq, kReplayLimit);
              if (!events) {
                return fail(std::move(events.error()));
              }
              for (const auto& event : *events) {
                out.messages.push_back(HubMessage{
                    .event = event.kind, .id = event.seq, .data = server_event_view(event)});
              }
              return out;
            },
            .ended = {},
            .is_final = {}});
      }));

  router.get("/api/v1/servers/{id}/deploy-key",
             {.summary = "The server's git deploy key (ed25519 public key)",
              .role = Role::member,
              .response_schema =
                  [] {
                    return nlohmann::json{{"type", "object"},
                                          {"properties", {{"public_key", schema::string()}}}};
                  },
              .description = "Generated on first use; add it to a repository as a read-only "
                             "deploy key. The private half never leaves berthd unsealed."},
             on_server([&ctx](Request& request, const std::string& id) -> Result<Response> {
               auto key = ctx.servers->deploy_key(caller(request), team_of(request), id,
                                                  client_info(request));
               if (!key) {
                 return fail(std::move(key.error()));
               }
               return Response::json(200, {{"public_key", *key}});
             }));
}

}  // namespace berth::api
