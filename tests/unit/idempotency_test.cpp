// Idempotency-Key through the real route table, store and services: a repeat gets the first
// answer instead of acting twice, per caller, for 24 hours of the injected clock; a reused or
// malformed key is refused; a key whose first request still runs is 409.

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include "api/access_gate.hpp"
#include "api/idempotency_gate.hpp"
#include "api/routes.hpp"
#include "api/services.hpp"
#include "core/ids.hpp"
#include "domain/identity/accounts.hpp"
#include "http/dispatch.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth {
namespace {

using namespace std::chrono_literals;
using http::Method;

constexpr std::string_view kApiKeyToken = "bk_admin_key_for_idempotency_tests";

crypto::Key key_filled_with(std::uint8_t byte) {
  crypto::Key key{};
  key.fill(byte);
  return key;
}

// One instance: an admin team with two users (alice, bob) and an admin API key, every route
// registered, the IdentityGate and the IdempotencyGate in place.
class Instance {
 public:
  Instance()
      : store_(open_store(dir_)),
        services_{.store = *store_,
                  .clock = clock_,
                  .random = random_,
                  .ids = ids_,
                  .session_key = key_filled_with(1),
                  .master_key = key_filled_with(2),
                  .public_url = "http://berth.test"},
        built_(services_, api::ServiceSettings{.deploy_workers = 1}),
        gate_(built_.access, clock_,
              api::RateLimits{
                  .per_second = 0, .burst = 1, .sign_in_per_minute = 0, .sign_in_burst = 1}),
        replay_guard_(built_.idempotency),
        context_(built_.api_context("test")) {
    api::register_routes(router_, context_);
    router_.set_access_gate(&gate_);
    router_.set_replay_guard(&replay_guard_);
    populate();
  }

  http::Router& router() { return router_; }
  http::AccessGate& access_gate() { return gate_; }
  http::ReplayGuard& replay_guard() { return replay_guard_; }
  testing::ManualClock& clock() { return clock_; }
  Store& store() { return *store_; }
  IdempotencyService& idempotency() { return built_.idempotency; }
  const std::string& team_id() const { return team_id_; }

  struct Call {
    Method method = Method::post;
    std::string path;
    std::string body = "{}";
    std::string token = "bat_alice";
    std::vector<std::string> keys = {};  // Idempotency-Key headers, in order
  };

  http::Response send(const Call& call) { return send_to(router_, call); }

  http::Response send_to(const http::Router& router, const Call& call) {
    http::Request request;
    request.method = call.method;
    request.path = call.path;
    request.request_id = "req-idempotency";
    request.remote_address = "127.0.0.1";
    request.headers.emplace_back("content-type", "application/json");
    request.headers.emplace_back("x-team-id", team_id_);
    if (!call.token.empty()) {
      request.headers.emplace_back("authorization", "Bearer " + call.token);
    }
    for (const auto& key : call.keys) {
      request.headers.emplace_back("idempotency-key", key);
    }
    if (call.method != Method::get) {
      request.body = call.body;
    }
    return http::dispatch(router.match(request.method, request.path), request);
  }

  std::int64_t project_count() {
    auto listed = read_value<std::int64_t>(*store_, [&](Tx& tx) -> Result<std::int64_t> {
      auto page = tx.list_projects(team_id_, 1, 100);
      if (!page) {
        return fail(std::move(page.error()));
      }
      return page->total;
    });
    return listed.value_or(-1);
  }

 private:
  static std::unique_ptr<Store> open_store(const testing::TempDir& dir) {
    auto opened = SqliteStore::open({.path = dir.file("berth.db")});
    if (!opened) {
      throw std::runtime_error("store: " + opened.error().message);
    }
    return std::move(*opened);
  }

  static void check(const Result<void>& result) {
    if (!result) {
      throw std::runtime_error(result.error().message + result.error().internal_detail);
    }
  }

  // Written straight to the store, as tests/unit/authorization_test.cpp does.
  void populate() {
    check(store_->write([&](Tx& tx) -> Result<void> {
      const TeamRecord team{
          .id = ids_.next("team"), .name = "shared", .personal = false, .created_at = clock_.now()};
      check(tx.create_team(team));
      team_id_ = team.id;
      std::string alice_id;
      for (const std::string name : {"alice", "bob"}) {
        auto user = create_account(built_.identity, tx,
                                   {.email = name + "@example.com",
                                    .password_hash = "unused",
                                    .display_name = name,
                                    .is_instance_admin = false});
        if (!user) {
          return fail(std::move(user.error()));
        }
        check(tx.put_membership({.team_id = team.id,
                                 .user_id = user->id,
                                 .role = Role::admin,
                                 .created_at = clock_.now()}));
        const std::string token = "bat_" + name;
        check(tx.create_session({.id = ids_.next("ses"),
                                 .token_hash = token_hash(built_.identity, token),
                                 .user_id = user->id,
                                 .kind = SessionKind::access_token,
                                 .refresh_chain_id = "chn_" + name,
                                 .created_at = clock_.now(),
                                 .last_seen_at = clock_.now(),
                                 .expires_at = clock_.now() + 72h}));
        if (alice_id.empty()) {
          alice_id = user->id;
        }
      }
      check(tx.create_api_key({.id = ids_.next("key"),
                               .team_id = team.id,
                               .name = "ci",
                               .role = Role::admin,
                               .token_hash = crypto::sha256_hex(kApiKeyToken),
                               .preview = "for_tests",
                               .created_by = alice_id,
                               .created_at = clock_.now()}));
      return {};
    }));
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  testing::CountingRandom random_;
  IdGenerator ids_{clock_, random_};
  std::unique_ptr<Store> store_;
  ServiceContext services_;
  api::Services built_;
  api::IdentityGate gate_;
  api::IdempotencyGate replay_guard_;
  api::ApiContext context_;
  http::Router router_;
  std::string team_id_;
};

std::string code_of(const http::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
}

std::optional<std::string> header_of(const http::Response& response, std::string_view name) {
  for (const auto& [header, value] : response.headers) {
    if (header == name) {
      return value;
    }
  }
  return std::nullopt;
}

Instance::Call create_project(std::string name, std::string key, std::string token = "bat_alice") {
  return {.path = "/api/v1/projects",
          .body = R"({"name":")" + name + R"("})",
          .token = std::move(token),
          .keys = {std::move(key)}};
}

TEST(Idempotency, ARepeatGetsTheFirstAnswerAndCreatesOneProject) {
  Instance instance;
  const auto first = instance.send(create_project("web", "retry-1"));
  ASSERT_EQ(first.status, 201u) << first.body;
  EXPECT_EQ(header_of(first, "Idempotency-Replayed"), std::nullopt);

  const auto repeat = instance.send(create_project("web", "retry-1"));
  EXPECT_EQ(repeat.status, 201u) << repeat.body;
  EXPECT_EQ(repeat.body, first.body);
  EXPECT_EQ(repeat.content_type, first.content_type);
  EXPECT_EQ(header_of(repeat, "Idempotency-Replayed"), "true");
  EXPECT_EQ(instance.project_count(), 1);

  // Without the key the same request acts again (and the name is taken).
  const auto unkeyed = instance.send({.path = "/api/v1/projects", .body = R"({"name":"web"})"});
  EXPECT_EQ(unkeyed.status, 409u) << unkeyed.body;
}

TEST(Idempotency, AnErrorAnswerOfTheHandlerIsKeptToo) {
  Instance instance;
  ASSERT_EQ(instance.send(create_project("web", "first")).status, 201u);
  const auto taken = instance.send(create_project("web", "second"));
  ASSERT_EQ(taken.status, 409u) << taken.body;
  // The key's answer is the 409, even once the name is free again.
  auto project = nlohmann::json::parse(instance.send(create_project("web", "first")).body);
  ASSERT_EQ(instance
                .send({.method = Method::delete_,
                       .path = "/api/v1/projects/" + project["id"].get<std::string>()})
                .status,
            204u);
  const auto replay = instance.send(create_project("web", "second"));
  EXPECT_EQ(replay.status, 409u);
  EXPECT_EQ(replay.body, taken.body);
  EXPECT_EQ(header_of(replay, "Idempotency-Replayed"), "true");
  EXPECT_EQ(instance.project_count(), 0);
}

TEST(Idempotency, TheSameKeyForAnotherRequestIs422) {
  Instance instance;
  ASSERT_EQ(instance.send(create_project("web", "retry-1")).status, 201u);
  const auto other_body = instance.send(create_project("api", "retry-1"));
  EXPECT_EQ(other_body.status, 422u) << other_body.body;
  EXPECT_EQ(code_of(other_body), "idempotency_key_reused");
  const auto other_path =
      instance.send({.path = "/api/v1/teams", .body = R"({"name":"web"})", .keys = {"retry-1"}});
  EXPECT_EQ(other_path.status, 422u) << other_path.body;
  EXPECT_EQ(code_of(other_path), "idempotency_key_reused");
  EXPECT_EQ(instance.project_count(), 1);
}

TEST(Idempotency, EachCallerHasItsOwnKeys) {
  Instance instance;
  ASSERT_EQ(instance.send(create_project("web", "retry-1", "bat_alice")).status, 201u);
  // Another user, and an API key, with the same key: their own requests, run and answered.
  const auto bob = instance.send(create_project("api", "retry-1", "bat_bob"));
  EXPECT_EQ(bob.status, 201u) << bob.body;
  EXPECT_EQ(header_of(bob, "Idempotency-Replayed"), std::nullopt);
  const auto key = instance.send(create_project("web", "retry-1", std::string(kApiKeyToken)));
  EXPECT_EQ(key.status, 409u) << key.body;  // it ran: the name is taken
  EXPECT_EQ(code_of(key), "project_name_taken");
  EXPECT_EQ(instance.project_count(), 2);
}

TEST(Idempotency, AKeyIsKeptFor24Hours) {
  Instance instance;
  ASSERT_EQ(instance.send(create_project("web", "retry-1")).status, 201u);
  instance.clock().advance(24h - 1s);
  EXPECT_EQ(instance.send(create_project("api", "retry-1")).status, 422u);
  const auto kept = instance.send(create_project("web", "retry-1"));
  EXPECT_EQ(kept.status, 201u);
  EXPECT_EQ(header_of(kept, "Idempotency-Replayed"), "true");
  instance.clock().advance(1s);
  const auto fresh = instance.send(create_project("api", "retry-1"));
  EXPECT_EQ(fresh.status, 201u) << fresh.body;
  EXPECT_EQ(header_of(fresh, "Idempotency-Replayed"), std::nullopt);
  EXPECT_EQ(instance.project_count(), 2);
}

TEST(Idempotency, OldKeysArePruned) {
  Instance instance;
  ASSERT_EQ(instance.send(create_project("web", "retry-1")).status, 201u);
  instance.clock().advance(25h);
  auto pruned = instance.idempotency().prune();
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(*pruned, 1);
}

TEST(Idempotency, AMalformedKeyIs400AndActsNot) {
  Instance instance;
  for (const std::vector<std::string>& keys : std::vector<std::vector<std::string>>{
           {""}, {std::string(256, 'k')}, {"caf\xc3\xa9"}, {"tab\there"}, {"one", "two"}}) {
    const auto refused =
        instance.send({.path = "/api/v1/projects", .body = R"({"name":"web"})", .keys = keys});
    EXPECT_EQ(refused.status, 400u) << keys.front();
    EXPECT_EQ(code_of(refused), "idempotency_key_invalid") << keys.front();
  }
  EXPECT_EQ(instance.project_count(), 0);
  const auto longest = instance.send(create_project("web", std::string(255, '~')));
  EXPECT_EQ(longest.status, 201u) << longest.body;
}

TEST(Idempotency, PublicRoutesIgnoreTheHeader) {
  Instance instance;
  const auto login = instance.send({.path = "/api/v1/auth/login",
                                    .body = R"({"email":"alice@example.com","password":"wrong"})",
                                    .token = "",
                                    .keys = {""}});
  EXPECT_NE(code_of(login), "idempotency_key_invalid");
  EXPECT_EQ(login.status, 401u) << login.body;
}

TEST(Idempotency, AKeptAnswerHoldingASecretIsSealed) {
  Instance instance;
  const Instance::Call create_key{.path = "/api/v1/api-keys",
                                  .body = R"({"name":"deploy","role":"member"})",
                                  .keys = {"key-once"}};
  const auto first = instance.send(create_key);
  ASSERT_EQ(first.status, 201u) << first.body;
  const auto raw_key = nlohmann::json::parse(first.body)["raw_key"].get<std::string>();
  const auto repeat = instance.send(create_key);
  EXPECT_EQ(repeat.body, first.body);
  auto row = read_value<std::optional<IdempotencyRecord>>(instance.store(), [&](Tx& tx) {
    return tx.get_idempotency_key(
        [&] {
          auto found = tx.find_user_by_email("alice@example.com");
          return found && *found ? (*found)->id : std::string{};
        }(),
        "key-once");
  });
  ASSERT_TRUE(row.has_value() && row->has_value());
  EXPECT_EQ((*row)->answer_sealed.find(raw_key), std::string::npos);
  EXPECT_EQ((*row)->answer_sealed.find("deploy"), std::string::npos);
  EXPECT_EQ((*row)->fingerprint.find("deploy"), std::string::npos);
  // One key was made, not two.
  const auto listed = instance.send({.method = Method::get, .path = "/api/v1/api-keys"});
  EXPECT_EQ(nlohmann::json::parse(listed.body)["total"], 2);  // the fixture's and this one
}

// A route of this test's own beside the real gates: it blocks until released, or fails.
class SlowRoute {
 public:
  explicit SlowRoute(Instance& instance) {
    router_.set_access_gate(&instance.access_gate());
    router_.set_replay_guard(&instance.replay_guard());
    router_.post("/api/v1/slow", {.summary = "slow", .role = Role::user},
                 [this](http::Request&) -> Result<http::Response> {
                   ++runs_;
                   if (block_) {
                     entered_.set_value();
                     release_.get_future().wait();
                   }
                   if (fail_next_) {
                     fail_next_ = false;
                     return fail(Error::internal("broken on purpose"));
                   }
                   return http::Response::json(201, {{"runs", runs_.load()}});
                 });
  }

  http::Router router_;
  std::atomic<int> runs_{0};
  bool block_ = false;
  bool fail_next_ = false;
  std::promise<void> entered_;
  std::promise<void> release_;
};

TEST(Idempotency, ARepeatWhileTheFirstStillRunsIs409) {
  Instance instance;
  SlowRoute slow(instance);
  slow.block_ = true;
  const Instance::Call call{.path = "/api/v1/slow", .keys = {"slow-1"}};
  auto first = std::async(std::launch::async, [&] { return instance.send_to(slow.router_, call); });
  slow.entered_.get_future().wait();
  const auto during = instance.send_to(slow.router_, call);
  EXPECT_EQ(during.status, 409u) << during.body;
  EXPECT_EQ(code_of(during), "idempotency_in_progress");
  slow.release_.set_value();
  const auto answered = first.get();
  EXPECT_EQ(answered.status, 201u) << answered.body;
  slow.block_ = false;
  const auto after = instance.send_to(slow.router_, call);
  EXPECT_EQ(after.status, 201u);
  EXPECT_EQ(after.body, answered.body);
  EXPECT_EQ(slow.runs_.load(), 1);
}

TEST(Idempotency, A5xxFreesTheKeySoARetryRunsAgain) {
  Instance instance;
  SlowRoute slow(instance);
  slow.fail_next_ = true;
  const Instance::Call call{.path = "/api/v1/slow", .keys = {"flaky"}};
  EXPECT_EQ(instance.send_to(slow.router_, call).status, 500u);
  const auto retried = instance.send_to(slow.router_, call);
  EXPECT_EQ(retried.status, 201u) << retried.body;
  EXPECT_EQ(header_of(retried, "Idempotency-Replayed"), std::nullopt);
  EXPECT_EQ(slow.runs_.load(), 2);
}

TEST(Idempotency, AClaimLostForFiveMinutesIsTakenOver) {
  Instance instance;
  const KeyedRequest call{.scope = "usr_x", .key = "lost", .request = "POST /api/v1/slow"};
  auto first = instance.idempotency().begin(call);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->has_value());  // claimed; its request never finishes
  instance.clock().advance(4min);
  auto during = instance.idempotency().begin(call);
  ASSERT_FALSE(during.has_value());
  EXPECT_EQ(during.error().code, "idempotency_in_progress");
  instance.clock().advance(1min);
  auto taken = instance.idempotency().begin(call);
  ASSERT_TRUE(taken.has_value()) << taken.error().message;
  EXPECT_FALSE(taken->has_value());
}

}  // namespace
}  // namespace berth
