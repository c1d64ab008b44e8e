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

// The dashboard's catch-all: it takes what no other route claims, and nothing under /api.
class WildcardRouter : public ::testing::Test {
 protected:
  WildcardRouter() {
    router_.get("/", spec("index"), answer(""));
    router_.get("/{path...}", spec("site"), answer(""));
    router_.get("/api/v1/servers/{id}", spec("server"), answer(""));
    router_.post("/api/v1/servers", spec("create"), answer(""));
  }
  Router router_;
};

TEST_F(WildcardRouter, TakesEveryRemainingSegmentDecoded) {
  const Match deep = router_.match(Method::get, "/servers/srv_1/metrics");
  ASSERT_NE(deep.route, nullptr);
  EXPECT_EQ(deep.route->spec.summary, "site");
  EXPECT_EQ(deep.params.at("path"), "servers/srv_1/metrics");
  const Match escaped = router_.match(Method::get, "/assets/a%20b.js");
  ASSERT_NE(escaped.route, nullptr);
  EXPECT_EQ(escaped.params.at("path"), "assets/a b.js");
  const Match root = router_.match(Method::get, "/");
  ASSERT_NE(root.route, nullptr);
  EXPECT_EQ(root.route->spec.summary, "index");
}

TEST_F(WildcardRouter, LiteralsAndTheApiSubtreeAlwaysWin) {
  const Match server = router_.match(Method::get, "/api/v1/servers/srv_1");
  ASSERT_NE(server.route, nullptr);
  EXPECT_EQ(server.route->spec.summary, "server");
  for (const char* path : {"/api", "/api/unknown", "/api/v1/nothing/here", "/api/v1/servers/a/b"}) {
    const Match match = router_.match(Method::get, path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allowed().empty()) << path;
  }
  // A known API path with another method stays that path's 405, not the site's GET.
  const Match wrong = router_.match(Method::get, "/api/v1/servers");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed(), (std::vector<Method>{Method::post}));
}

TEST_F(WildcardRouter, OtherMethodsOnSitePathsAreNotAllowed) {
  const Match post = router_.match(Method::post, "/servers/srv_1");
  EXPECT_EQ(post.route, nullptr);
  EXPECT_EQ(post.allowed(), (std::vector<Method>{Method::get}));
}

TEST_F(WildcardRouter, AnEncodedSlashOrNulIsMalformed) {
  EXPECT_TRUE(router_.match(Method::get, "/assets/..%2F..%2Fetc").malformed);
  EXPECT_TRUE(router_.match(Method::get, "/assets/a%2fb").malformed);
  EXPECT_TRUE(router_.match(Method::get, "/a%00b").malformed);
}

TEST(Router, RejectsMisplacedOrConflictingWildcards) {
  Router router;
  EXPECT_THROW(router.get("/{path...}/x", spec("bad"), answer("")), std::logic_error);
  EXPECT_THROW(router.get("/a/{...}", spec("bad"), answer("")), std::logic_error);
  EXPECT_THROW(router.get("/a/{x.y}", spec("bad"), answer("")), std::logic_error);
  router.get("/files/{path...}", spec("files"), answer(""));
  EXPECT_THROW(router.post("/files/{rest...}", spec("other name"), answer("")), std::logic_error);
  EXPECT_THROW(router.get("/files/{path...}", spec("again"), answer("")), std::logic_error);
}

}  // namespace
}  // namespace berth::http
