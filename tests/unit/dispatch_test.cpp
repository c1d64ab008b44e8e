#include "http/dispatch.hpp"

#include <gtest/gtest.h>

#include "core/json_schema.hpp"

namespace berth::http {
namespace {

using nlohmann::json;

// Lets every caller through as the owner of one team: these tests are about the body path and
// the envelope; authorization has its own walk over the real route table.
class AdmitAll final : public AccessGate {
 public:
  Result<void> throttle(const Route&, const Request&) override { return {}; }
  Result<Principal> identify(const Request&) override {
    return Principal{
        .user_id = "usr_test", .email = "t@example.com", .personal_team_id = "team_test"};
  }
  Result<std::optional<Role>> team_role(const Principal&, std::string_view) override {
    return std::optional<Role>(Role::owner);
  }
};

class DispatchTest : public ::testing::Test {
 protected:
  DispatchTest() {
    router_.set_access_gate(&gate_);
    router_.post("/api/v1/things",
                 {.summary = "Create a thing",
                  .role = Role::admin,
                  .request_schema = schema::object({{"name", schema::string(1, 63)}}, {"name"}),
                  .success_status = 201},
                 [](Request& request) -> Result<Response> {
                   return Response::json(201, {{"name", request.json["name"]}});
                 });
    router_.post("/api/v1/things/{id}/poke", {.summary = "Poke", .role = Role::member},
                 [](Request& request) -> Result<Response> {
                   return Response::json(200, {{"poked", request.params.at("id")}});
                 });
    router_.post(
        "/api/v1/signed",
        {.summary = "Signed",
         .role = Role::member,
         .request_schema = json{{"type", "object"}, {"additionalProperties", true}},
         .raw_body = true},
        [](Request& request) -> Result<Response> {
          return Response::json(200, {{"raw", request.body}, {"parsed", !request.json.is_null()}});
        });
    router_.get("/api/v1/search",
                {.summary = "Search", .role = Role::viewer, .query = {{.name = "q"}}},
                [](Request& request) -> Result<Response> {
                  return Response::json(200, {{"q", request.query_param("q").value_or("")}});
                });
    router_.get("/api/v1/sloppy",
                {.summary = "Reads an undeclared parameter", .role = Role::viewer},
                [](Request& request) -> Result<Response> {
                  return Response::json(200, {{"q", request.query_param("q").value_or("")}});
                });
    router_.get("/api/v1/boom", {.summary = "Throws", .role = Role::viewer},
                [](Request&) -> Result<Response> { throw std::runtime_error("secret detail"); });
    router_.get(
        "/api/v1/conflict", {.summary = "Fails", .role = Role::viewer},
        [](Request&) -> Result<Response> { return fail(Error::conflict("already there")); });
  }

  Response send(Method method, std::string path, std::string body = {},
                std::string content_type = "application/json") {
    Request request;
    request.method = method;
    request.path = std::move(path);
    request.body = std::move(body);
    request.request_id = "req-test";
    if (!content_type.empty()) {
      request.headers.emplace_back("content-type", content_type);
    }
    return dispatch(router_.match(request.method, request.path), request);
  }

  static json envelope(const Response& response) {
    const json body = json::parse(response.body);
    EXPECT_TRUE(body.contains("error")) << response.body;
    EXPECT_TRUE(body["error"].contains("code"));
    EXPECT_TRUE(body["error"].contains("message"));
    EXPECT_TRUE(body["error"]["details"].is_object());
    return body["error"];
  }

  AdmitAll gate_;
  Router router_;
};

TEST(DispatchWithoutGate, ProtectedRoutesAreDenied) {
  Router router;
  router.get("/api/v1/secret", {.summary = "Secret", .role = Role::viewer},
             [](Request&) -> Result<Response> {
               return Response::json(200, {{"secret", true}});
             });
  Request request;
  request.path = "/api/v1/secret";
  const Response response = dispatch(router.match(request.method, request.path), request);
  EXPECT_EQ(response.status, 500U);
  EXPECT_EQ(response.body.find("secret\":true"), std::string::npos);
}

TEST_F(DispatchTest, RunsTheHandlerWithTheValidatedBody) {
  const Response response = send(Method::post, "/api/v1/things", R"({"name":"web"})");
  EXPECT_EQ(response.status, 201U);
  EXPECT_EQ(json::parse(response.body)["name"], "web");
}

// A signed webhook is verified over its raw bytes before anything parses it: dispatch hands
// the body over untouched, even when it is not JSON at all.
TEST_F(DispatchTest, ARawBodyRouteGetsItsBytesUnparsed) {
  const Response response = send(Method::post, "/api/v1/signed", "{not json", "text/plain");
  EXPECT_EQ(response.status, 200U) << response.body;
  EXPECT_EQ(json::parse(response.body)["raw"], "{not json");
  EXPECT_EQ(json::parse(response.body)["parsed"], false);
}

// The route table is the one list of what a handler may read from the query: a parameter it
// did not declare (so the OpenAPI document would not show it) fails loudly in any test.
TEST_F(DispatchTest, AHandlerReadsOnlyTheQueryParametersItsRouteDeclares) {
  Request request;
  request.path = "/api/v1/search";
  request.query = "q=web";
  Response response = dispatch(router_.match(Method::get, request.path), request);
  EXPECT_EQ(response.status, 200U);
  EXPECT_EQ(json::parse(response.body)["q"], "web");
  Request sloppy;
  sloppy.path = "/api/v1/sloppy";
  sloppy.query = "q=web";
  response = dispatch(router_.match(Method::get, sloppy.path), sloppy);
  EXPECT_EQ(response.status, 500U);
}

TEST_F(DispatchTest, UnknownRouteIs404Envelope) {
  const Response response = send(Method::get, "/api/v1/nothing");
  EXPECT_EQ(response.status, 404U);
  EXPECT_EQ(envelope(response)["code"], "not_found");
}

TEST_F(DispatchTest, WrongMethodIs405WithAllow) {
  const Response response = send(Method::delete_, "/api/v1/things");
  EXPECT_EQ(response.status, 405U);
  EXPECT_EQ(envelope(response)["code"], "method_not_allowed");
  ASSERT_EQ(response.headers.size(), 1U);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

TEST_F(DispatchTest, WrongContentTypeIs415) {
  const Response response = send(Method::post, "/api/v1/things", R"({"name":"web"})", "text/plain");
  EXPECT_EQ(response.status, 415U);
  EXPECT_EQ(envelope(response)["code"], "unsupported_media_type");
  EXPECT_EQ(send(Method::post, "/api/v1/things", R"({"name":"web"})", "").status, 415U);
  EXPECT_EQ(
      send(Method::post, "/api/v1/things", R"({"name":"web"})", "Application/JSON; charset=utf-8")
          .status,
      201U);
}

TEST_F(DispatchTest, MalformedJsonIs400BadRequest) {
  for (const char* body : {"{", "{\"name\":}", "nul", "\xff\xfe", "{\"name\":\"a\"} trailing"}) {
    const Response response = send(Method::post, "/api/v1/things", body);
    EXPECT_EQ(response.status, 400U) << body;
    EXPECT_EQ(envelope(response)["code"], "bad_request") << body;
  }
  EXPECT_EQ(envelope(send(Method::post, "/api/v1/things", ""))["code"], "bad_request");
}

TEST_F(DispatchTest, UnknownFieldIs400ValidationFailed) {
  const Response response = send(Method::post, "/api/v1/things", R"({"name":"web","nmae":"x"})");
  EXPECT_EQ(response.status, 400U);
  const json error = envelope(response);
  EXPECT_EQ(error["code"], "validation_failed");
  EXPECT_EQ(error["details"]["field"], "nmae");
}

TEST_F(DispatchTest, RouteWithoutBodyRefusesFields) {
  EXPECT_EQ(send(Method::post, "/api/v1/things/t1/poke").status, 200U);
  EXPECT_EQ(send(Method::post, "/api/v1/things/t1/poke", "{}").status, 200U);
  EXPECT_EQ(send(Method::post, "/api/v1/things/t1/poke", R"({"x":1})").status, 400U);
}

TEST_F(DispatchTest, EscapedExceptionIs500WithoutDetail) {
  const Response response = send(Method::get, "/api/v1/boom");
  EXPECT_EQ(response.status, 500U);
  EXPECT_EQ(envelope(response)["code"], "internal");
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

TEST_F(DispatchTest, ErrorValuesMapToTheirStatus) {
  const Response response = send(Method::get, "/api/v1/conflict");
  EXPECT_EQ(response.status, 409U);
  EXPECT_EQ(envelope(response)["message"], "already there");
}

}  // namespace
}  // namespace berth::http
