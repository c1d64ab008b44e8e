// Idempotency-Key against the real binary: a retried POST with a dashboard session gets the
// first answer and acts once, and the kept answer survives a restart of berthd.

#include "integration/berthd_test_base.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

class IdempotencyKeyTest : public BerthdTest {
 protected:
  void SetUp() override {
    start({.args = {"--sign-in-rate-limit", "0", "--rate-limit", "0"}});
    client_ = std::make_unique<IdentityClient>(port());
    client_->setup(setup_token(), "ada@example.com", kPassword);
  }

  HttpResponse create(const std::string& name, const std::string& key) {
    return client_->post("/api/v1/projects", {{"name", name}}, true, {{"Idempotency-Key", key}});
  }

  std::int64_t projects() {
    const HttpResponse listed = client_->get("/api/v1/projects");
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.json().value("total", -1);
  }

  std::unique_ptr<IdentityClient> client_;
};

TEST_F(IdempotencyKeyTest, ARetryGetsTheFirstAnswerAndActsOnce) {
  const HttpResponse first = create("web", "3f0c9a4e-create-web");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotency-replayed"), "");

  const HttpResponse retry = create("web", "3f0c9a4e-create-web");
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("content-type"), first.header("content-type"));
  EXPECT_EQ(retry.header("idempotency-replayed"), "true");
  EXPECT_FALSE(retry.header("x-request-id").empty());
  EXPECT_EQ(projects(), 1);

  const HttpResponse reused = create("api", "3f0c9a4e-create-web");
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(reused.json()["error"]["code"], "idempotency_key_reused");

  const HttpResponse malformed = create("api", std::string(256, 'k'));
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_EQ(malformed.json()["error"]["code"], "idempotency_key_invalid");
  EXPECT_EQ(projects(), 1);
}

TEST_F(IdempotencyKeyTest, AKeptAnswerSurvivesARestart) {
  const HttpResponse first = create("web", "before-restart");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::filesystem::path data = berthd_->data_dir();
  berthd_->stop();
  start({.args = {"--sign-in-rate-limit", "0", "--rate-limit", "0"}, .data_dir = data});
  client_ = std::make_unique<IdentityClient>(port());
  ASSERT_EQ(client_->login("ada@example.com", kPassword).status, 200);

  const HttpResponse retry = create("web", "before-restart");
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("idempotency-replayed"), "true");
  EXPECT_EQ(projects(), 1);
}

}  // namespace
}  // namespace berth::testing
