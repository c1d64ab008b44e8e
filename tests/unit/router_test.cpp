#include "http/router.hpp"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

Handler answer(std::string body) {
  return [body](Request&) -> Result<Response> { return Response::json(200, body); };
}

RouteSpec spec(std::string summary) {
  return {.summary = std::move(summary), .role = Role::viewer};
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router router;
  router.get("/api/v1/servers", spec("list"), answer("list"));
  router.get("/api/v1/servers/{id}", spec("get"), answer("get"));
  router.post("/api/v1/servers/{id}/cordon", spec("cordon"), answer("cordon"));

  const Match list = router.match(Method::get, "/api/v1/servers");
  ASSERT_NE(list.route, nullptr);
  EXPECT_EQ(list.route->spec.summary, "list");

  const Match one = router.match(Method::get, "/api/v1/servers/srv_1");
  ASSERT_NE(one.route, nullptr);
  EXPECT_EQ(one.params.at("id"), "srv_1");

  const Match cordon = router.match(Method::post, "/api/v1/servers/srv%5F2/cordon");
  ASSERT_NE(cordon.route, nullptr);
  EXPECT_EQ(cordon.params.at("id"), "srv_2");
}

TEST(Router, LiteralWinsOverParameter) {
  Router router;
  router.get("/api/v1/servers/{id}", spec("get"), answer("get"));
  router.post("/api/v1/servers/install-tokens", spec("token"), answer("token"));
  const Match token = router.match(Method::post, "/api/v1/servers/install-tokens");
  ASSERT_NE(token.route, nullptr);
  EXPECT_EQ(token.route->spec.summary, "token");
  // The literal node has no GET; the parameter route does.
  const Match get = router.match(Method::get, "/api/v1/servers/install-tokens");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->spec.summary, "get");
}

TEST(Router, ReportsAllowedMethodsForAKnownPath) {
  Router router;
  router.get("/api/v1/things", spec("list"), answer(""));
  router.post("/api/v1/things", spec("create"), answer(""));
  const Match match = router.match(Method::delete_, "/api/v1/things");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed(), (std::vector<Method>{Method::get, Method::post}));
}

TEST(Router, UnknownPathsMatchNothing) {
  Router router;
  router.get("/api/v1/things", spec("list"), answer(""));
  for (const char* path : {"/api/v1/things/", "/api/v1//things", "", "api/v1/things",
                           "/api/v1/thing", "/api/v1/things/x/y"}) {
    const Match match = router.match(Method::get, path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed().empty()) << path;
  }
}

TEST(Router, MalformedEscapeIsFlagged) {
  Router router;
  router.get("/api/v1/things/{id}", spec("get"), answer(""));
  EXPECT_TRUE(router.match(Method::get, "/api/v1/things/%zz").malformed);
  EXPECT_TRUE(router.match(Method::get, "/api/v1/things/a%00b").malformed);
}

TEST(Router, RejectsDuplicateAndAmbiguousRoutesAtStartUp) {
  Router router;
  router.get("/api/v1/things/{id}", spec("get"), answer(""));
  EXPECT_THROW(router.get("/api/v1/things/{id}", spec("again"), answer("")), std::logic_error);
  EXPECT_THROW(router.post("/api/v1/things/{thing_id}", spec("other name"), answer("")),
               std::logic_error);
  EXPECT_THROW(router.get("/api/v1/bad{x", spec("bad"), answer("")), std::logic_error);
  EXPECT_THROW(router.get("no-slash", spec("bad"), answer("")), std::logic_error);
  EXPECT_THROW(router.add(Method::other, "/x", spec("bad"), answer("")), std::logic_error);
  EXPECT_THROW(
      router.get("/api/v1/fast",
                 {.summary = "Blocks", .role = Role::viewer, .execution = Execution::io_thread},
                 answer("")),
      std::logic_error);
}

}  // namespace
}  // namespace berth::http
