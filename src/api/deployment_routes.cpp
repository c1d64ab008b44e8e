#include "api/deployment_routes.hpp"

#include "api/deploy_views.hpp"
#include "api/event_stream.hpp"
#include "api/job_routes.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/deploy/deployment_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::int64_t kReplayBatch = 500;
// Handlers of the form "member does X to app {id}" share this shape.
template <class Action>
http::Handler on_app(Action action) {
  return [action](Request& request) -> Result<Response> {
    auto id = path_id(request, "id", "app");
    if (!id) {
      return fail(std::move(id.error()));
    }
    return action(request, *id);
  };
}

template <class Action>
http::Handler on_deployment(Action action) {
  return [action](Request& request) -> Result<Response> {
    auto id = path_id(request, "id", "dep");
    if (!id) {
      return fail(std::move(id.error()));
    }
    return action(request, *id);
  };
}

void add_app_action_route(http::Router& router, const ApiContext& ctx, const std::string& action,
                          std::string summary, std::string description) {
  router.post("/api/v1/apps/{id}/" + action,
              {.summary = std::move(summary),
               .role = Role::member,
               .response_schema = deployment_schema,
               .success_status = 202,
               .description = std::move(description)},
              on_app([&ctx, action](Request& request, const std::string& id) {
                return json_or(202,
                               ctx.deployments->app_action(caller(request), team_of(request), id,
                                                           action, client_info(request)),
                               deployment_json);
              }));
}

Response deployment_events_response(const ApiContext& ctx, std::string deployment_id,
                                    std::int64_t after) {
  return event_stream_response(EventStreamSpec{
      .hub = ctx.events,
      .topic = DeployLog::topic(deployment_id),
      .after_id = after,
      .replay = replay_in_batches(
          kReplayBatch,
          [&ctx, deployment_id](std::int64_t seq, std::int64_t limit) {
            return ctx.deployments->events(deployment_id, seq, limit);
          },
          deployment_event_message),
      // Every deployment's log ends with `done`: from the replay, or live when it comes.
      .ended = {},
      .is_final = [](const HubMessage& message) { return message.event == "done"; },
      .on_end = {}});
}

}  // namespace

void add_deployment_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/apps/{id}/deployments",
      {.summary = "Deploy an app",
       .role = Role::member,
       .request_schema =
           schema::object({{"ref", schema::string(1, 200)}, {"image", schema::string(1, 255)}}),
       .response_schema = deployment_schema,
       .success_status = 202,
       .description = "Queues a deployment of the app's current source and settings (ref: a git "
                      "app's branch, tag or commit; image: another image for an image app). One "
                      "deployment per app runs at a time; a newer request supersedes a queued "
                      "one. Follow it with GET /deployments/{id}/events.",
       .body_optional = true},
      on_app([&ctx](Request& request, const std::string& id) {
        const DeployRequest wanted{.ref = body_string(request, "ref"),
                                   .image = body_string(request, "image")};
        return json_or(202,
                       ctx.deployments->deploy(caller(request), team_of(request), id, wanted,
                                               client_info(request)),
                       deployment_json);
      }));

  router.get("/api/v1/apps/{id}/deployments",
             {.summary = "List an app's deployments",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(deployment_schema()); },
              .query = paging_query(),
              .description = "Newest first; ?page=, ?per_page=."},
             on_app([&ctx](Request& request, const std::string& id) {
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.deployments->list(caller(request), team_of(request), id, paging);
                   },
                   deployment_json);
             }));

  router.get(
      "/api/v1/deployments/{id}",
      {.summary = "Read a deployment", .role = Role::viewer, .response_schema = deployment_schema},
      on_deployment([&ctx](Request& request, const std::string& id) {
        return json_or(200, ctx.deployments->get(caller(request), team_of(request), id),
                       deployment_json);
      }));

  router.post("/api/v1/deployments/{id}/cancel",
              {.summary = "Cancel a deployment",
               .role = Role::member,
               .response_schema = deployment_schema,
               .success_status = 202,
               .description = "A queued deployment is canceled at once; a running one stops "
                              "its current step unless the proxy already switched to it. 409 "
                              "deployment_finished when it has ended."},
              on_deployment([&ctx](Request& request, const std::string& id) {
                return json_or(202,
                               ctx.deployments->cancel(caller(request), team_of(request), id,
                                                       client_info(request)),
                               deployment_json);
              }));

  router.get(
      "/api/v1/deployments/{id}/events",
      {.summary = "A deployment's progress and output as Server-Sent Events",
       .role = Role::viewer,
       .query = stream_query(),
       .response_type = "text/event-stream",
       .description = "`state`, `step` (step, status started|succeeded|failed|skipped, job_id) "
                      "and `output` (step, stream, text) events, id = seq, then `done` with the "
                      "outcome, and the stream closes. Last-Event-ID (or ?after=) resumes; a "
                      "finished deployment replays from storage."},
      on_deployment([&ctx](Request& request, const std::string& id) -> Result<Response> {
        if (auto found = ctx.deployments->get(caller(request), team_of(request), id); !found) {
          return fail(std::move(found.error()));
        }
        return deployment_events_response(ctx, id, last_event_id(request));
      }));

  router.post(
      "/api/v1/apps/{id}/rollback",
      {.summary = "Roll an app back to an earlier deployment",
       .role = Role::member,
       .request_schema = schema::object({{"deployment_id", schema::string(1, 64)}}),
       .response_schema = deployment_schema,
       .success_status = 202,
       .description = "Deploys the artifact (image id or commit's image) and settings of "
                      "deployment_id, or of the last successful deployment before the current "
                      "one, without pulling or building. 409 no_previous_deployment.",
       .body_optional = true},
      on_app([&ctx](Request& request, const std::string& id) {
        return json_or(
            202,
            ctx.deployments->rollback(caller(request), team_of(request), id,
                                      body_string(request, "deployment_id"), client_info(request)),
            deployment_json);
      }));

  add_app_action_route(router, ctx, "restart", "Restart an app",
                       "A new container of the current artifact replaces the running one with "
                       "the same zero-downtime switch as a deployment.");
  add_app_action_route(router, ctx, "stop", "Stop an app",
                       "Removes its route from the proxy, then stops and removes its container.");
  add_app_action_route(router, ctx, "start", "Start a stopped app",
                       "Starts the current artifact again and routes the proxy to it.");

  router.get(
      "/api/v1/apps/{id}/logs",
      {.summary = "The running container's logs as Server-Sent Events",
       .role = Role::viewer,
       .query = logs_query(),
       .response_type = "text/event-stream",
       .description = "`output` events (stream stdout|stderr, text). ?tail=N starts with the "
                      "last N lines; ?follow=true keeps streaming until the container stops or "
                      "the client leaves (for at most an hour). 409 not_running; 429 rate_limited "
                      "when the caller already follows 4 log streams or the app has 8 open."},
      on_app([&ctx](Request& request, const std::string& id) -> Result<Response> {
        auto tail = logs_tail(request);
        if (!tail) {
          return fail(std::move(tail.error()));
        }
        const bool follow = request.query_param("follow").value_or("false") == "true";
        auto opened =
            ctx.deployments->open_logs(caller(request), team_of(request), id, follow, *tail);
        if (!opened) {
          return fail(std::move(opened.error()));
        }
        DeploymentService* deployments = ctx.deployments;
        const std::string job_id = opened->job.id;
        // The follow's slot lives as long as this callback: freed when the stream ends, or
        // with the response if its stream never starts.
        return job_output_response(ctx, caller(request), team_of(request), job_id, 0,
                                   [deployments, job_id, slot = std::move(opened->follow_slot)] {
                                     deployments->close_logs(job_id);
                                   });
      }));
}

}  // namespace berth::api
