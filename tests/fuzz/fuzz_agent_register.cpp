// libFuzzer: the body of POST /api/v1/agent/register, the one public route that takes a free
// JSON object (the machine's facts) from anyone on the network. The body goes through the
// route's own schema check and read_registration, then the facts are copied and dumped as the
// enrolment does: none of it may crash, whatever the nesting.
#include <cstddef>
#include <cstdint>

#include "api/agent_routes.hpp"
#include "fuzz/fuzz_support.hpp"
#include "http/dispatch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth;
  const http::Router& router = fuzz::fuzz_router();
  static const http::Route* route =
      router.match(http::Method::post, "/api/v1/agent/register").route;
  http::Request request;
  request.method = http::Method::post;
  request.path = "/api/v1/agent/register";
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  if (!http::read_json_body(route->spec, request)) {
    return 0;
  }
  auto registration = api::read_registration(request);
  if (registration) {
    const nlohmann::json stored = registration->facts;  // what the store keeps
    if (stored.dump().empty()) {
      __builtin_trap();
    }
  }
  return 0;
}
