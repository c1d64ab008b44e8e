// Walks the whole route table and calls every route as anonymous, as a member of another
// team, as each team role, as an API key and as an instance administrator, asserting what the
// route's declared role implies. Routes added later are covered without touching this file.

#include <gtest/gtest.h>

#include <memory>

#include "api/access_gate.hpp"
#include "api/routes.hpp"
#include "api/services.hpp"
#include "core/ids.hpp"
#include "domain/identity/accounts.hpp"
#include "http/dispatch.hpp"
#include "http/site_sources.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

using http::Method;

enum class Caller { anonymous, outsider, viewer, member, admin, owner, viewer_key, instance_admin };

constexpr Caller kCallers[] = {Caller::anonymous,  Caller::outsider,      Caller::viewer,
                               Caller::member,     Caller::admin,         Caller::owner,
                               Caller::viewer_key, Caller::instance_admin};

const char* name_of(Caller caller) {
  switch (caller) {
    case Caller::anonymous:
      return "anonymous";
    case Caller::outsider:
      return "outsider";
    case Caller::viewer:
      return "viewer";
    case Caller::member:
      return "member";
    case Caller::admin:
      return "admin";
    case Caller::owner:
      return "owner";
    case Caller::viewer_key:
      return "viewer API key";
    case Caller::instance_admin:
      return "instance admin";
  }
  return "?";
}

// A fresh instance per call: handlers that are allowed through really run (and may delete
// the team), so no call may depend on what an earlier one did.
class Instance {
 public:
  explicit Instance(const http::SiteSource* web = nullptr)
      : store_(open_store(dir_)),
        services_{.store = *store_,
                  .clock = clock_,
                  .random = random_,
                  .ids = ids_,
                  .session_key = crypto::Key{},
                  .master_key = crypto::Key{},
                  .public_url = "http://berth.test"},
        built_(services_, api::ServiceSettings{.deploy_workers = 1}),
        gate_(built_.access, clock_,
              api::RateLimits{
                  .per_second = 0, .burst = 1, .sign_in_per_minute = 0, .sign_in_burst = 1}),
        context_(built_.api_context("test")) {
    context_.web = web;
    api::register_routes(router_, context_);
    router_.set_access_gate(&gate_);
    populate();
  }

  const http::Router& router() const { return router_; }
  const std::string& team_id() const { return team_id_; }

  /// The bearer token of a caller ("" for anonymous).
  std::string token_of(Caller caller) const { return tokens_.at(static_cast<int>(caller)); }

 private:
  static std::unique_ptr<Store> open_store(const testing::TempDir& dir) {
    auto opened = SqliteStore::open({.path = dir.file("berth.db")});
    if (!opened) {
      throw std::runtime_error("store: " + opened.error().message);
    }
    return std::move(*opened);
  }

  // Users and credentials are written straight to the store: Argon2id for eight users per
  // route would make this test slow without testing anything more.
  void populate() {
    tokens_.assign(8, "");
    auto done = store_->write([&](Tx& tx) -> Result<void> {
      auto owner = create(tx, "owner@example.com", false);
      team_id_ = owner.personal_team_id;
      // The shared team is a non-personal one, so deleting it is allowed.
      const TeamRecord team{
          .id = ids_.next("team"), .name = "shared", .personal = false, .created_at = clock_.now()};
      check(tx.create_team(team));
      team_id_ = team.id;
      check(tx.put_membership({.team_id = team.id,
                               .user_id = owner.id,
                               .role = Role::owner,
                               .created_at = clock_.now()}));
      issue(tx, Caller::owner, owner.id);
      for (auto [caller, role] :
           {std::pair{Caller::viewer, Role::viewer}, std::pair{Caller::member, Role::member},
            std::pair{Caller::admin, Role::admin}}) {
        auto user = create(tx, std::string(name_of(caller)) + "@example.com", false);
        check(tx.put_membership(
            {.team_id = team.id, .user_id = user.id, .role = role, .created_at = clock_.now()}));
        issue(tx, caller, user.id);
        if (caller == Caller::viewer) {
          const ApiKeyRecord key{.id = ids_.next("key"),
                                 .team_id = team.id,
                                 .name = "ci",
                                 .role = Role::viewer,
                                 .token_hash = crypto::sha256_hex("bk_viewer_key_for_tests"),
                                 .preview = "for_tests",
                                 .created_by = user.id,
                                 .created_at = clock_.now()};
          check(tx.create_api_key(key));
          tokens_[static_cast<int>(Caller::viewer_key)] = "bk_viewer_key_for_tests";
        }
      }
      auto outsider = create(tx, "outsider@example.com", false);
      issue(tx, Caller::outsider, outsider.id);
      auto root = create(tx, "root@example.com", true);
      issue(tx, Caller::instance_admin, root.id);
      return {};
    });
    if (!done) {
      throw std::runtime_error("populate: " + done.error().message + done.error().internal_detail);
    }
  }

  static void check(const Result<void>& result) {
    if (!result) {
      throw std::runtime_error(result.error().message + result.error().internal_detail);
    }
  }

  UserRecord create(Tx& tx, const std::string& email, bool instance_admin) {
    auto user = create_account(built_.identity, tx,
                               {.email = email,
                                .password_hash = "unused",
                                .display_name = email,
                                .is_instance_admin = instance_admin});
    if (!user) {
      throw std::runtime_error(user.error().message);
    }
    return *user;
  }

  void issue(Tx& tx, Caller caller, const std::string& user_id) {
    const std::string token = "bat_token_of_" + std::string(name_of(caller));
    const SessionRecord session{.id = ids_.next("ses"),
                                .token_hash = token_hash(built_.identity, token),
                                .user_id = user_id,
                                .kind = SessionKind::access_token,
                                .refresh_chain_id = "chn_test",
                                .created_at = clock_.now(),
                                .last_seen_at = clock_.now(),
                                .expires_at = clock_.now() + std::chrono::hours(1)};
    check(tx.create_session(session));
    tokens_[static_cast<int>(caller)] = token;
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  testing::CountingRandom random_;
  IdGenerator ids_{clock_, random_};
  std::unique_ptr<Store> store_;
  ServiceContext services_;
  api::Services built_;
  api::IdentityGate gate_;
  api::ApiContext context_;
  http::Router router_;
  std::string team_id_;
  std::vector<std::string> tokens_;
};

// Fills every path parameter: the route's team parameter with the shared team, others with
// a well-formed id of no resource.
std::string concrete_path(const http::Route& route, const std::string& team_id) {
  std::string path;
  std::size_t pos = 0;
  while (pos < route.pattern.size()) {
    const auto open = route.pattern.find('{', pos);
    if (open == std::string::npos) {
      path += route.pattern.substr(pos);
      break;
    }
    const auto close = route.pattern.find('}', open);
    path += route.pattern.substr(pos, open - pos);
    const std::string name = route.pattern.substr(open + 1, close - open - 1);
    path += name == route.spec.team_param ? team_id : "zzz_01JD7Q8M3X4V9T2K5R6W8Y0ZAB";
    pos = close + 1;
  }
  return path;
}

http::Response call(const Instance& instance, const http::Route& route, Caller caller,
                    bool other_team_header) {
  http::Request request;
  request.method = route.method;
  request.path = concrete_path(route, instance.team_id());
  request.request_id = "req-walk";
  request.remote_address = "127.0.0.1";
  request.headers.emplace_back("content-type", "application/json");
  request.headers.emplace_back("host", "berth.test");
  if (route.method != Method::get) {
    request.body = "{}";
  }
  if (const std::string token = instance.token_of(caller); !token.empty()) {
    request.headers.emplace_back("authorization", "Bearer " + token);
  }
  if (route.spec.team_param.empty() && !other_team_header && caller != Caller::viewer_key) {
    request.headers.emplace_back("x-team-id", instance.team_id());
  }
  return http::dispatch(instance.router().match(request.method, request.path), request);
}

std::string code_of(const http::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
}

// What the declaration says about one caller: let through, or refused with which status.
struct Expectation {
  bool admitted;
  unsigned status;  // when refused
};

Expectation expected(Role needed, Caller caller) {
  if (needed == Role::anyone) {
    return {true, 0};
  }
  if (caller == Caller::anonymous) {
    return {false, 401};
  }
  if (needed == Role::user) {
    return {true, 0};
  }
  if (needed == Role::instance_admin) {
    return caller == Caller::instance_admin ? Expectation{true, 0} : Expectation{false, 403};
  }
  Role held = Role::viewer;
  switch (caller) {
    case Caller::outsider:
    case Caller::instance_admin:
      return {false, 404};  // not a member: the team does not exist for them
    case Caller::viewer:
    case Caller::viewer_key:
      held = Role::viewer;
      break;
    case Caller::member:
      held = Role::member;
      break;
    case Caller::admin:
      held = Role::admin;
      break;
    default:
      held = Role::owner;
      break;
  }
  return role_includes(held, needed) ? Expectation{true, 0} : Expectation{false, 403};
}

// The walk builds an instance for every route and caller (one per GET route), which takes
// minutes under the sanitizers: it runs as eight shards, each an eighth of the routes, so
// ctest spreads them over the cores, none comes near the per-test timeout, and none is long
// enough to run alone at the end of a run.
constexpr int kWalkShards = 8;

class AuthorizationWalk : public ::testing::TestWithParam<int> {};

TEST_P(AuthorizationWalk, EveryRouteAdmitsExactlyWhatItsRoleDeclares) {
  const api::ApiContext context{.version = "test"};
  http::Router table;
  api::register_routes(table, context);
  ASSERT_GT(table.routes().size(), 10U);
  int index = -1;
  for (const auto& route : table.routes()) {
    if (++index % kWalkShards != GetParam()) {
      continue;
    }
    // A read leaves the instance as it found it, so one instance serves every caller of a
    // GET; anything else may change it (delete the team) and gets a fresh one per caller.
    std::unique_ptr<Instance> shared;
    for (Caller caller : kCallers) {
      if (!shared || route->method != Method::get) {
        shared = std::make_unique<Instance>();
      }
      const Instance& instance = *shared;
      const http::Route* live =
          instance.router().match(route->method, concrete_path(*route, instance.team_id())).route;
      ASSERT_NE(live, nullptr) << route->pattern;
      const http::Response response = call(instance, *live, caller, false);
      const Expectation want = expected(route->spec.role.value, caller);
      const std::string where = std::string(http::method_name(route->method)) + " " +
                                route->pattern + " as " + name_of(caller) + " -> " +
                                std::to_string(response.status) + " " + response.body;
      if (want.admitted) {
        EXPECT_NE(response.status, 401U) << where;
        EXPECT_NE(code_of(response), "insufficient_role") << where;
        EXPECT_NE(code_of(response), "csrf_failed") << where;
        EXPECT_NE(response.status, 500U) << where;
      } else {
        EXPECT_EQ(response.status, want.status) << where;
        if (want.status == 403) {
          EXPECT_EQ(code_of(response), "insufficient_role") << where;
          const auto details = nlohmann::json::parse(response.body)["error"]["details"];
          EXPECT_EQ(details["required_role"], role_name(route->spec.role.value)) << where;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, AuthorizationWalk, ::testing::Range(0, kWalkShards));

// The dashboard's routes are public and serve files only: whoever calls, with or without a
// team, they answer the page (or a plain 404), never JSON that could hold a team's data.
TEST(Authorization, TheDashboardsRoutesArePublicAndCarryNoData) {
  static constexpr std::string_view kIndex = "<!doctype html><div id=root></div>";
  static const http::EmbeddedFile kFiles[] = {
      {.path = "index.html",
       .identity = {.data = kIndex.data(), .size = kIndex.size(), .etag = "e"}}};
  const http::EmbeddedSite site(kFiles);
  Instance instance(&site);
  std::size_t dashboard_routes = 0;
  for (const auto& route : instance.router().routes()) {
    if (route->spec.in_openapi) {
      continue;
    }
    ++dashboard_routes;
    EXPECT_EQ(route->spec.role.value, Role::anyone) << route->pattern;
    for (Caller caller : kCallers) {
      const http::Response response = call(instance, *route, caller, caller == Caller::outsider);
      EXPECT_EQ(response.status, 200U) << route->pattern << " as " << name_of(caller);
      EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << route->pattern;
      EXPECT_EQ(response.body_bytes(), kIndex) << route->pattern << " as " << name_of(caller);
    }
  }
  EXPECT_EQ(dashboard_routes, 2U);
}

TEST(Authorization, AnotherTeamsIdIsNotFoundOnEveryTeamRoute) {
  const api::ApiContext context{.version = "test"};
  http::Router table;
  api::register_routes(table, context);
  for (const auto& route : table.routes()) {
    if (!is_team_role(route->spec.role.value)) {
      continue;
    }
    Instance instance;
    // The outsider names the shared team (in the path or in X-Team-ID): it must not exist for them.
    http::Request request;
    request.method = route->method;
    request.path = concrete_path(*route, instance.team_id());
    request.request_id = "req-walk";
    request.headers = {{"content-type", "application/json"},
                       {"authorization", "Bearer " + instance.token_of(Caller::outsider)},
                       {"x-team-id", instance.team_id()}};
    request.body = route->method == Method::get ? "" : "{}";
    const http::Response response =
        http::dispatch(instance.router().match(request.method, request.path), request);
    EXPECT_EQ(response.status, 404U) << route->pattern << " " << response.body;
  }
}

TEST(Authorization, AnApiKeyCannotNameAnotherTeam) {
  Instance instance;
  http::Request request;
  request.method = Method::get;
  request.path = "/api/v1/api-keys";
  request.request_id = "req-walk";
  request.headers = {{"authorization", "Bearer " + instance.token_of(Caller::viewer_key)},
                     {"x-team-id", "team_01JD7Q8M3X4V9T2K5R6W8Y0ZAB"}};
  const http::Response response =
      http::dispatch(instance.router().match(request.method, request.path), request);
  EXPECT_EQ(response.status, 404U) << response.body;
}

}  // namespace
}  // namespace berth
