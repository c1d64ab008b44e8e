// A request body as a client may send it: JSON parsing, schema validation and the handler,
// through the same dispatch berthd uses.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "http/dispatch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace berth;
  const http::Router& router = fuzz::fuzz_router();
  http::Request request;
  request.method = http::Method::post;
  request.path = "/fuzz/things/t1";
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  const http::Response response =
      http::dispatch(router.match(request.method, request.path), request);
  // Only 200 (valid) or a 400 envelope are acceptable answers to a body.
  if (response.status != 200 && response.status != 400) {
    __builtin_trap();
  }
  return 0;
}
