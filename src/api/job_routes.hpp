#pragma once
/// Jobs: submitting one to a server, listing a server's jobs, reading one, its output stream
/// (SSE, resumable with Last-Event-ID) and canceling it.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/api_context.hpp"
#include "core/principal.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_job_routes(http::Router& router, const ApiContext& context);

/// A job's output as SSE: stored chunks after `after_seq`, then live ones, then `done`.
/// `on_end` runs when the stream ends (the logs route cancels its job then).
http::Response job_output_response(const ApiContext& context, const Principal& who,
                                   std::string team_id, std::string job_id, std::int64_t after_seq,
                                   std::function<void()> on_end = {});

/// "?tail=N" of a logs route (an app's or a service's): -1 (every line) when absent;
/// Error::validation when not 0..10000.
Result<std::int64_t> logs_tail(const http::Request& request);
/// A logs route's query parameters (tail, follow), for its OpenAPI entry.
std::vector<http::QueryParam> logs_query();

}  // namespace berth::api
