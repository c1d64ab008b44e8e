#pragma once
/// Jobs: submitting one to a server, listing a server's jobs, reading one, its output stream
/// (SSE, resumable with Last-Event-ID) and canceling it.

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth::api {

void add_job_routes(http::Router& router, const ApiContext& context);

}  // namespace berth::api
