#include "api/job_routes.hpp"

#include <charconv>

#include "api/event_stream.hpp"
#include "api/fleet_views.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/fleet/job_service.hpp"
#include "store/job_state.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::int64_t kReplayBatch = 500;

json seen_by(const Request& request, const JobRecord& job) {
  return job_json_for(job, caller(request), request_team(request).role);
}

HubMessage output_message(const JobOutputChunk& chunk) {
  return HubMessage{.event = "output",
                    .id = chunk.seq,
                    .data = {{"seq", chunk.seq},
                             {"stream", chunk.stream},
                             {"text", chunk.text},
                             {"at", format_rfc3339(chunk.at)}}};
}

}  // namespace

http::Response job_output_response(const ApiContext& ctx, const Principal& who, std::string team_id,
                                   std::string job_id, std::int64_t after_seq,
                                   std::function<void()> on_end) {
  return event_stream_response(
      EventStreamSpec{.hub = ctx.events,
                      .topic = EventHub::job_topic(job_id),
                      .after_id = after_seq,
                      .replay = replay_in_batches(
                          kReplayBatch,
                          [&ctx, job_id](std::int64_t from, std::int64_t limit) {
                            return ctx.jobs->output(job_id, from, limit);
                          },
                          output_message),
                      .ended = [&ctx, who, team_id, job_id]() -> std::optional<HubMessage> {
                        auto job = ctx.jobs->get(who, team_id, job_id);
                        if (job && job_state::is_terminal(job->state)) {
                          return HubMessage{.event = "done", .id = 0, .data = job_json(*job)};
                        }
                        return std::nullopt;
                      },
                      .is_final = [](const HubMessage& message) { return message.event == "done"; },
                      .on_end = std::move(on_end)});
}

void add_job_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/servers/{id}/jobs",
      {.summary = "Run a job on a server",
       .role = Role::admin,
       .request_schema =
           schema::object({{"kind", schema::string(1, 64)},
                           {"args", {{"type", "object"}, {"additionalProperties", true}}},
                           {"timeout_ms", schema::integer(1000, 86400000)}},
                          {"kind"}),
       .response_schema = job_schema,
       .success_status = 202,
       .description = "kind exec runs args.argv (an array, never a shell string) with optional "
                      "env, cwd and stdin; docker.list|inspect|pull|run|stop|remove|logs drive "
                      "the Docker Engine. The job is queued and sent at once when the agent is "
                      "connected, else when it returns (failing after the queue deadline). "
                      "Audited."},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "srv");
        if (!id) {
          return fail(std::move(id.error()));
        }
        NewJob job{.kind = body_string(request, "kind"),
                   .args = request.json.value("args", json::object()),
                   .timeout_ms = {}};
        if (request.json.contains("timeout_ms")) {
          job.timeout_ms = request.json["timeout_ms"].get<std::int64_t>();
        }
        return json_or(
            202,
            ctx.jobs->submit(caller(request), team_of(request), *id, job, client_info(request)),
            job_json);
      });

  router.get("/api/v1/servers/{id}/jobs",
             {.summary = "List a server's jobs",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(job_schema()); },
              .query = paging_query(),
              .description = "Newest first; ?page=, ?per_page=."},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "srv");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.jobs->list(caller(request), team_of(request), *id, paging);
                   },
                   [&request](const JobRecord& job) { return seen_by(request, job); });
             });

  router.get("/api/v1/jobs/{id}",
             {.summary = "Read a job",
              .role = Role::viewer,
              .response_schema = job_schema,
              .description = "Below admin, another user's exec or Docker job shows details_hidden "
                             "true, with empty args and result."},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "job");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               return json_or(200, ctx.jobs->get(caller(request), team_of(request), *id),
                              [&request](const JobRecord& job) { return seen_by(request, job); });
             });

  router.post("/api/v1/jobs/{id}/cancel",
              {.summary = "Cancel a job",
               .role = Role::admin,
               .response_schema = job_schema,
               .success_status = 202,
               .description = "A queued job is canceled at once; a running one when its agent "
                              "has killed the process group. 409 job_finished when it ended."},
              [&ctx](Request& request) -> Result<Response> {
                auto id = path_id(request, "id", "job");
                if (!id) {
                  return fail(std::move(id.error()));
                }
                return json_or(
                    202,
                    ctx.jobs->cancel(caller(request), team_of(request), *id, client_info(request)),
                    job_json);
              });

  router.get(
      "/api/v1/jobs/{id}/output",
      {.summary = "A job's output as Server-Sent Events",
       .role = Role::viewer,
       .query = stream_query(),
       .response_type = "text/event-stream",
       .description = "`output` events (id = seq; data: seq, stream, text, at) in order, then "
                      "one `done` event with the job when it ends, and the stream closes. "
                      "Last-Event-ID (or ?after=) resumes after that seq; a finished job "
                      "replays from storage. 403 below admin for another user's exec or "
                      "Docker job (deployment jobs and your own app-log jobs are readable)."},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "job");
        if (!id) {
          return fail(std::move(id.error()));
        }
        // Access is checked here, once; the stream then reads by id.
        if (auto job = ctx.jobs->readable(caller(request), team_of(request), *id); !job) {
          return fail(std::move(job.error()));
        }
        return job_output_response(ctx, caller(request), team_of(request), *id,
                                   last_event_id(request));
      });
}

Result<std::int64_t> logs_tail(const http::Request& request) {
  constexpr std::int64_t kMaxTail = 10'000;
  auto text = request.query_param("tail");
  if (!text) {
    return std::int64_t{-1};
  }
  std::int64_t value = -1;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size() || value < 0 || value > kMaxTail) {
    return fail(Error::validation("tail", "tail must be 0 to 10000"));
  }
  return value;
}

std::vector<http::QueryParam> logs_query() {
  return {{.name = "tail",
           .description = "Start with the last N lines (default: all)",
           .schema = {{"type", "integer"}, {"minimum", 0}, {"maximum", 10'000}}},
          {.name = "follow",
           .description = "Keep streaming until the container stops (at most an hour)",
           .schema = {{"type", "string"}, {"enum", {"true", "false"}}}}};
}

}  // namespace berth::api
