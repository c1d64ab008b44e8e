#include "api/service_routes.hpp"

#include "api/apps_handlers.hpp"
#include "api/job_routes.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/services/managed_services.hpp"
#include "domain/services/service_spec.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

const std::vector<std::string> kEngines = {"postgres", "mysql", "mariadb", "redis", "valkey"};

json publish_schema() {
  return {{"type", {"object", "null"}},
          {"properties",
           {{"host_ip", schema::string(1, 64)}, {"host_port", schema::integer(1, 65535)}}},
          {"additionalProperties", false}};
}

json service_body_schema(bool create) {
  json properties = {{"version", {{"type", {"string", "integer"}}}},
                     {"image", schema::string(1, 512)},
                     {"memory_bytes", schema::integer(0)},
                     {"nano_cpus", schema::integer(0)},
                     {"publish", publish_schema()}};
  if (!create) {
    return schema::object(properties);
  }
  properties["name"] = schema::string(1, 64);
  properties["engine"] = schema::one_of_strings(kEngines);
  properties["project_id"] = schema::string(1, 64);
  properties["server_id"] = schema::string(1, 64);
  return schema::object(properties, {"name", "engine", "project_id", "server_id"});
}

json link_json(const ServiceLinkView& view) {
  return {
      {"app_id", view.link.app_id},         {"app_name", view.app_name},
      {"service_id", view.link.service_id}, {"service_name", view.service_name},
      {"engine", view.service_engine},      {"env_prefix", view.link.env_prefix},
      {"env_keys", view.link.env_keys},     {"created_at", format_rfc3339(view.link.created_at)}};
}

json link_schema() {
  return schema::object({{"app_id", schema::string()},
                         {"app_name", schema::string()},
                         {"service_id", schema::string()},
                         {"service_name", schema::string()},
                         {"engine", schema::one_of_strings(kEngines)},
                         {"env_prefix", schema::string()},
                         {"env_keys", schema::array_of(schema::string())},
                         {"created_at", schema::string()}});
}

json service_json(const ServiceView& view) {
  const ServiceRecord& s = view.service;
  const ServiceEngine* engine = find_service_engine(s.engine);
  const json publish = s.spec.value("publish", json());
  json warnings = json::array();
  if (publish.is_object()) {
    warnings.push_back("the service's port is published on the server at " +
                       publish.value("host_ip", "") + ":" +
                       std::to_string(publish.value("host_port", 0)) +
                       ": anything that reaches that address can try its password");
  }
  json links = json::array();
  for (const auto& link : view.links) {
    links.push_back(link_json(link));
  }
  return {{"id", s.id},
          {"name", s.name},
          {"engine", s.engine},
          {"version", s.spec.value("version", "")},
          {"image", s.spec.value("image", "")},
          {"memory_bytes", s.spec.value("memory_bytes", std::int64_t{0})},
          {"nano_cpus", s.spec.value("nano_cpus", std::int64_t{0})},
          {"publish", publish},
          {"project_id", s.project_id},
          {"server_id", s.server_id},
          {"status", s.status},
          {"status_message", s.status_message.empty() ? json(nullptr) : json(s.status_message)},
          {"host", s.name},
          {"port", engine != nullptr ? engine->port : 0},
          {"network", project_network_name(s.project_id)},
          {"container", s.container_name},
          {"volume", s.volume_name},
          {"links", links},
          {"warnings", warnings},
          {"created_at", format_rfc3339(s.created_at)},
          {"updated_at", format_rfc3339(s.updated_at)}};
}

json service_schema() {
  return schema::object(
      {{"id", schema::string()},
       {"name", schema::string()},
       {"engine", schema::one_of_strings(kEngines)},
       {"version", schema::string()},
       {"image", schema::string()},
       {"memory_bytes", schema::integer(0)},
       {"nano_cpus", schema::integer(0)},
       {"publish", publish_schema()},
       {"project_id", schema::string()},
       {"server_id", schema::string()},
       {"status", schema::one_of_strings({"new", "deploying", "running", "stopping", "stopped",
                                          "failed", "deleting"})},
       {"status_message", {{"type", {"string", "null"}}}},
       {"host", schema::string()},
       {"port", schema::integer()},
       {"network", schema::string()},
       {"container", schema::string()},
       {"volume", schema::string()},
       {"links", schema::array_of(link_schema())},
       {"warnings", schema::array_of(schema::string())},
       {"created_at", schema::string()},
       {"updated_at", schema::string()}});
}

auto service_view = [](const ServiceView& view) { return service_json(view); };

const char* const kOperationNote =
    "The work on the server runs in the background: status is deploying, stopping or deleting "
    "until it ends running, stopped or failed (status_message says why); 409 service_busy "
    "while it runs.";

void add_action(http::Router& router, const ApiContext& ctx, const std::string& action,
                std::string summary, std::string description) {
  router.post("/api/v1/services/{id}/" + action,
              {.summary = std::move(summary),
               .role = Role::member,
               .response_schema = service_schema,
               .success_status = 202,
               .description = std::move(description) + " " + kOperationNote},
              with_path_id("svc", [&ctx, action](Request& request, const std::string& id) {
                return json_or(202,
                               ctx.managed_services->act(caller(request), team_of_request(request),
                                                         id, action, client_info(request)),
                               service_view);
              }));
}

void add_link_routes(http::Router& router, const ApiContext& ctx) {
  router.get(
      "/api/v1/apps/{id}/links",
      {.summary = "List the services an app is linked to",
       .role = Role::viewer,
       .response_schema = [] { return schema::array_of(link_schema()); },
       .description = "Oldest first. env_keys names the secret env vars each link wrote "
                      "(their values are only in the app's env, masked)."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) -> Result<Response> {
        auto links = ctx.managed_services->links(caller(request), team_of_request(request), id);
        if (!links) {
          return fail(std::move(links.error()));
        }
        json out = json::array();
        for (const auto& link : *links) {
          out.push_back(link_json(link));
        }
        return Response::json(200, out);
      }));

  router.post(
      "/api/v1/apps/{id}/links",
      {.summary = "Link an app to a service",
       .role = Role::member,
       .request_schema = schema::object(
           {{"service_id", schema::string(1, 64)}, {"env_prefix", schema::string(0, 64)}},
           {"service_id"}),
       .response_schema = link_schema,
       .success_status = 201,
       .description =
           "Writes the service's URL (DATABASE_URL for PostgreSQL and MySQL/MariaDB, REDIS_URL "
           "for Redis and Valkey) and its parts (…_HOST, _PORT, _USER, _PASSWORD, _NAME) as the "
           "app's secret env vars, each prefixed with env_prefix (e.g. CACHE_), and marks the "
           "app out of date: its next deployment joins the project's private network, where "
           "the service answers at its name. The app and the service must share project and "
           "server, and the app must not use host networking (422). 409 env_key_taken when the "
           "app already has one of the vars. Linking again replaces the link."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) {
        return json_or(
            201,
            ctx.managed_services->link(caller(request), team_of_request(request), id,
                                       body_string(request, "service_id"),
                                       body_string(request, "env_prefix"), client_info(request)),
            link_json);
      }));

  router.del(
      "/api/v1/apps/{id}/links/{service_id}",
      {.summary = "Unlink an app from a service",
       .role = Role::member,
       .success_status = 204,
       .description = "Removes the env vars the link wrote; the app's next deployment "
                      "leaves the project's network when no link is left."},
      with_path_id("app", [&ctx](Request& request, const std::string& id) {
        auto service_id = path_id(request, "service_id", "svc");
        if (!service_id) {
          return Result<Response>(fail(std::move(service_id.error())));
        }
        return no_content_or(ctx.managed_services->unlink(caller(request), team_of_request(request),
                                                          id, *service_id, client_info(request)));
      }));
}

}  // namespace

void add_service_routes(http::Router& router, const ApiContext& ctx) {
  router.get(
      "/api/v1/services",
      {.summary = "List the team's services",
       .role = Role::viewer,
       .response_schema = [] { return page_schema(service_schema()); },
       .query = paging_query({filter_param("project_id", "project"),
                              filter_param("server_id", "server"),
                              {.name = "engine",
                               .description = "only services of this engine",
                               .schema = schema::one_of_strings(kEngines)},
                              search_param("name")}),
       .description = "Ordered by name; ?project_id=, ?server_id=, ?engine=, ?q= (a substring "
                      "of the name), ?page=, ?per_page=."},
      [&ctx](Request& request) -> Result<Response> {
        const ServiceFilter filter{.project_id = request.query_param("project_id").value_or(""),
                                   .server_id = request.query_param("server_id").value_or(""),
                                   .engine = request.query_param("engine").value_or(""),
                                   .q = request.query_param("q").value_or("")};
        return list_response(
            request,
            [&](const PageRequest& paging) {
              return ctx.managed_services->list(caller(request), team_of_request(request), filter,
                                                paging);
            },
            service_view);
      });

  router.post(
      "/api/v1/services",
      {.summary = "Create a service",
       .role = Role::member,
       .request_schema = service_body_schema(true),
       .response_schema = service_schema,
       .success_status = 201,
       .description =
           std::string(
               "A managed database or cache in a project on one of the team's servers: engine "
               "postgres (version 15, 16 or 17), mysql (8), mariadb (11), redis (7) or valkey "
               "(7, 8); the newest version by default. image defaults to the official image "
               "(postgres:17, …); any reference works, so a mirrored or offline image can be "
               "used. memory_bytes defaults to 512 MiB (0: no limit), nano_cpus to 0. Berth "
               "generates the credentials and keeps them sealed; apps get them by linking. The "
               "service sits only on the project's private network and publishes no port; "
               "publish {host_ip (default 127.0.0.1), host_port} is for team admins (403 "
               "admin_required) and shows as a warning. 409 service_name_taken. ") +
           kOperationNote},
      [&ctx](Request& request) -> Result<Response> {
        json spec = request.json;
        spec.erase("project_id");
        spec.erase("server_id");
        return json_or(201,
                       ctx.managed_services->create(
                           caller(request), team_of_request(request),
                           ServiceInput{.project_id = body_string(request, "project_id"),
                                        .server_id = body_string(request, "server_id"),
                                        .spec = std::move(spec)},
                           client_info(request)),
                       service_view);
      });

  router.get("/api/v1/services/{id}",
             {.summary = "Read a service", .role = Role::viewer, .response_schema = service_schema},
             with_path_id("svc", [&ctx](Request& request, const std::string& id) {
               return json_or(
                   200, ctx.managed_services->get(caller(request), team_of_request(request), id),
                   service_view);
             }));

  router.patch(
      "/api/v1/services/{id}",
      {.summary = "Change a service",
       .role = Role::member,
       .request_schema = service_body_schema(false),
       .response_schema = service_schema,
       .description =
           std::string("version, image, memory_bytes, nano_cpus and publish (team admins) may "
                       "change; name and engine may not. A new image or version within the "
                       "major version is the minor upgrade; a major version change is 422 (back "
                       "up, create a service on the new version and restore into it). A service "
                       "that is not stopped is redeployed on the same volume. ") +
           kOperationNote},
      with_path_id("svc", [&ctx](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.managed_services->update(caller(request), team_of_request(request), id,
                                                    request.json, client_info(request)),
                       service_view);
      }));

  router.del("/api/v1/services/{id}",
             {.summary = "Delete a service and its data",
              .role = Role::member,
              .response_schema = service_schema,
              .query = {{.name = "confirm",
                         .description = "the service's name, to confirm that its data goes",
                         .schema = schema::string(1, 64)}},
              .success_status = 202,
              .description = "?confirm=<the service's name> is required (422 confirm_required): "
                             "the service is answered with status deleting; its container and "
                             "its data volume are removed, then the service (404 after). "
                             "409 service_linked while apps are linked to it."},
             with_path_id("svc", [&ctx](Request& request, const std::string& id) {
               return json_or(
                   202,
                   ctx.managed_services->remove(caller(request), team_of_request(request), id,
                                                request.query_param("confirm").value_or(""),
                                                client_info(request)),
                   service_view);
             }));

  add_action(router, ctx, "start", "Start a service",
             "Starts a stopped or failed service again on its volume.");
  add_action(router, ctx, "stop", "Stop a service", "Stops its container; the data stays.");
  add_action(router, ctx, "restart", "Restart a service",
             "Replaces its container with a new one on the same volume.");

  router.get(
      "/api/v1/services/{id}/logs",
      {.summary = "The service's container logs as Server-Sent Events",
       .role = Role::viewer,
       .query = logs_query(),
       .response_type = "text/event-stream",
       .description = "`output` events (stream stdout|stderr, text). ?tail=N starts with the "
                      "last N lines; ?follow=true keeps streaming until the container stops or "
                      "the client leaves (at most an hour). 429 rate_limited when the caller "
                      "already follows 4 log streams or the service has 8 open."},
      with_path_id("svc", [&ctx](Request& request, const std::string& id) -> Result<Response> {
        auto tail = logs_tail(request);
        if (!tail) {
          return fail(std::move(tail.error()));
        }
        const bool follow = request.query_param("follow").value_or("false") == "true";
        auto opened = ctx.managed_services->open_logs(caller(request), team_of_request(request), id,
                                                      follow, *tail);
        if (!opened) {
          return fail(std::move(opened.error()));
        }
        ManagedServices* services = ctx.managed_services;
        const std::string job_id = opened->job.id;
        return job_output_response(ctx, caller(request), team_of_request(request), job_id, 0,
                                   [services, job_id, slot = std::move(opened->follow_slot)] {
                                     services->close_logs(job_id);
                                   });
      }));

  add_link_routes(router, ctx);
}

}  // namespace berth::api
