#include "api/team_event_routes.hpp"

#include "api/event_stream.hpp"
#include "api/request_helpers.hpp"

namespace berth::api {

using http::Request;
using http::Response;

void add_team_event_routes(http::Router& router, const ApiContext& ctx) {
  router.get(
      "/api/v1/events",
      {.summary = "The team's live events as Server-Sent Events",
       .role = Role::viewer,
       .response_type = "text/event-stream",
       .description =
           "Live only: starts with a `ready` event, then every event of the team's servers as it "
           "happens (named by its kind, e.g. `status_changed`, `agent_connected`, `agent_event`; "
           "data {server_id, seq, kind, at, details}) and a `metrics` event per stored heartbeat "
           "sample (data {server_id, at, metrics}). Nothing is replayed: after a reconnect, read "
           "the lists again. A server's own history is at /servers/{id}/events."},
      [&ctx](Request& request) -> Result<Response> {
        return event_stream_response(
            EventStreamSpec{.hub = ctx.events,
                            .topic = EventHub::team_topic(team_of(request)),
                            .after_id = 0,
                            .replay = [](std::int64_t) -> Result<ReplayPage> {
                              ReplayPage page;
                              page.messages.push_back(HubMessage{
                                  .event = "ready", .id = 0, .data = nlohmann::json::object()});
                              return page;
                            },
                            .ended = {},
                            .is_final = {}});
      });
}

}  // namespace berth::api
