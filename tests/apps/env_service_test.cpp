// EnvService: the merged view (project vars inherited unless overridden), masking, sealing at
// rest, config_version bumps, reveal (admin, audited without the value) and the limits.

#include <gtest/gtest.h>

#include <set>

#include "apps/apps_fixture.hpp"

namespace berth {
namespace {

class EnvServiceTest : public AppsTest {
 protected:
  EnvServiceTest() {
    auto project = projects_.create(as(member_), team_, {.name = "shop"}, client());
    EXPECT_TRUE(project.has_value());
    project_ = project.value_or(ProjectRecord{}).id;
    app_ = image_app("web", project_).id;
  }

  EnvTarget app() const { return {.scope = EnvScope::app, .id = app_}; }
  EnvTarget project() const { return {.scope = EnvScope::project, .id = project_}; }

  Result<std::vector<EnvEntry>> set(const EnvTarget& target, std::vector<EnvInput> vars,
                                    const UserRecord* who = nullptr) {
    return env_.set(as(who != nullptr ? *who : member_), team_, target, vars, client());
  }

  std::vector<EnvVarRecord> rows(const std::string& scope, const std::string& id) {
    auto found = read_value<std::vector<EnvVarRecord>>(
        *store_, [&](Tx& tx) { return tx.list_env_vars(scope, id); });
    EXPECT_TRUE(found.has_value());
    return found.value_or(std::vector<EnvVarRecord>{});
  }

  std::map<std::string, std::string> resolved() {
    const AppRecord record = stored(app_);
    auto env = read_value<std::map<std::string, std::string>>(
        *store_, [&](Tx& tx) { return resolve_app_env(tx, ctx_.services.master_key, record); });
    EXPECT_TRUE(env.has_value());
    return env.value_or(std::map<std::string, std::string>{});
  }

  std::string project_;
  std::string app_;
};

TEST_F(EnvServiceTest, SecretsAreMaskedAndSealed) {
  auto listed = set(app(), {{.key = "PASSWORD", .value = "hunter2", .secret = true},
                            {.key = "MODE", .value = "prod", .secret = {}}});
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2U);
  EXPECT_EQ((*listed)[0].key, "MODE");
  EXPECT_EQ((*listed)[0].value, "prod");
  EXPECT_EQ((*listed)[1].value, kMaskedValue);
  EXPECT_TRUE((*listed)[1].secret);
  for (const auto& row : rows("app", app_)) {
    if (row.key == "PASSWORD") {
      EXPECT_EQ(row.value, "");
      EXPECT_NE(row.value_sealed, "");
      EXPECT_EQ(row.value_sealed.find("hunter2"), std::string::npos);
    }
  }
  EXPECT_EQ(resolved()["PASSWORD"], "hunter2");
  // Audit entries carry keys, never values.
  const auto entries = audit("env.set");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].details.dump().find("hunter2"), std::string::npos);
  EXPECT_EQ(entries[0].details["keys"], nlohmann::json({"PASSWORD", "MODE"}));
}

TEST_F(EnvServiceTest, AppsInheritProjectVarsAndMayOverrideThem) {
  ASSERT_TRUE(set(project(), {{.key = "REGION", .value = "eu", .secret = {}},
                              {.key = "TOKEN", .value = "p-secret", .secret = true}})
                  .has_value());
  ASSERT_TRUE(set(app(), {{.key = "REGION", .value = "us", .secret = {}}}).has_value());
  auto listed = env_.list(as(viewer_), team_, app());
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2U);
  EXPECT_EQ((*listed)[0].key, "REGION");
  EXPECT_EQ((*listed)[0].value, "us");
  EXPECT_EQ((*listed)[0].inherited_from, "");
  EXPECT_EQ((*listed)[1].key, "TOKEN");
  EXPECT_EQ((*listed)[1].value, kMaskedValue);
  EXPECT_EQ((*listed)[1].inherited_from, "project");
  const auto env = resolved();
  EXPECT_EQ(env.at("REGION"), "us");
  EXPECT_EQ(env.at("TOKEN"), "p-secret");
}

TEST_F(EnvServiceTest, OnAGuardedAppOrItsProjectOnlyAdminsChangeEnv) {
  // LD_PRELOAD and friends decide what a privileged container or a host command runs.
  auto guarded = apps_.create(as(admin_), team_,
                              {.name = "root",
                               .project_id = project_,
                               .server_id = server_,
                               .source = {{"type", "image"}, {"image", "nginx:1.27"}},
                               .settings = {{"port", 80}, {"privileged", true}},
                               .hostname = {}},
                              client());
  ASSERT_TRUE(guarded.has_value()) << guarded.error().message;
  const EnvTarget root{.scope = EnvScope::app, .id = guarded->app.id};
  auto by_member = set(root, {{.key = "LD_PRELOAD", .value = "/tmp/x.so", .secret = {}}});
  ASSERT_FALSE(by_member.has_value());
  EXPECT_EQ(by_member.error().code, "admin_required");
  EXPECT_EQ(
      set(project(), {{.key = "LD_PRELOAD", .value = "/tmp/x.so", .secret = {}}}).error().code,
      "admin_required");
  EXPECT_EQ(env_.remove(as(member_), team_, project(), "REGION", client()).error().code,
            "admin_required");
  EXPECT_TRUE(set(root, {{.key = "MODE", .value = "prod", .secret = {}}}, &admin_).has_value());
  // The ordinary app outside the project is still the members'.
  const EnvTarget other{.scope = EnvScope::app, .id = image_app("other").id};
  EXPECT_TRUE(set(other, {{.key = "MODE", .value = "prod", .secret = {}}}).has_value());
}

TEST_F(EnvServiceTest, EveryChangeBumpsTheAffectedApps) {
  const AppRecord other = image_app("api", project_);
  const AppRecord alone = image_app("solo");
  ASSERT_TRUE(set(app(), {{.key = "A", .value = "1", .secret = {}}}).has_value());
  EXPECT_EQ(stored(app_).config_version, 2);
  ASSERT_TRUE(set(project(), {{.key = "B", .value = "2", .secret = {}}}).has_value());
  EXPECT_EQ(stored(app_).config_version, 3);
  EXPECT_EQ(stored(other.id).config_version, 2);
  EXPECT_EQ(stored(alone.id).config_version, 1);
  ASSERT_TRUE(env_.remove(as(member_), team_, app(), "A", client()).has_value());
  EXPECT_EQ(stored(app_).config_version, 4);
}

TEST_F(EnvServiceTest, ReplaceDropsTheRestAndKeepsMaskedSecrets) {
  ASSERT_TRUE(set(app(), {{.key = "KEEP", .value = "s3cret", .secret = true},
                          {.key = "DROP", .value = "x", .secret = {}}})
                  .has_value());
  auto replaced = env_.replace(as(member_), team_, app(),
                               {{.key = "KEEP", .value = std::string(kMaskedValue), .secret = {}},
                                {.key = "NEW", .value = "n", .secret = {}}},
                               client());
  ASSERT_TRUE(replaced.has_value());
  ASSERT_EQ(replaced->size(), 2U);
  EXPECT_EQ((*replaced)[0].key, "KEEP");
  EXPECT_TRUE((*replaced)[0].secret);
  EXPECT_EQ((*replaced)[1].key, "NEW");
  EXPECT_EQ(resolved().at("KEEP"), "s3cret");
}

TEST_F(EnvServiceTest, RevealIsForAdminsAndAudited) {
  ASSERT_TRUE(set(project(), {{.key = "TOKEN", .value = "tok", .secret = true}}).has_value());
  auto denied = env_.reveal(as(member_), team_, app(), "TOKEN", client());
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().kind, ErrorKind::forbidden);
  auto shown = env_.reveal(as(admin_), team_, app(), "TOKEN", client());
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(*shown, "tok");
  auto missing = env_.reveal(as(admin_), team_, app(), "NOPE", client());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  const auto entries = audit("env.reveal");
  ASSERT_EQ(entries.size(), 3U);
  std::multiset<std::string> outcomes;
  for (const auto& entry : entries) {
    outcomes.insert(entry.outcome);
  }
  EXPECT_EQ(outcomes, (std::multiset<std::string>{"denied", "failure", "success"}));
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.details.dump().find("tok\""), std::string::npos);
    EXPECT_FALSE(entry.details.contains("value"));
  }
}

TEST_F(EnvServiceTest, KeysValuesAndLimitsAreChecked) {
  const auto field_of = [&](std::vector<EnvInput> vars) {
    auto done = set(app(), std::move(vars));
    return done ? std::string("ok") : done.error().details.value("field", "");
  };
  EXPECT_EQ(field_of({{.key = "1BAD", .value = "", .secret = {}}}), "vars[0].key");
  EXPECT_EQ(field_of({{.key = "A;B", .value = "", .secret = {}}}), "vars[0].key");
  EXPECT_EQ(field_of({{.key = "A B", .value = "", .secret = {}}}), "vars[0].key");
  EXPECT_EQ(field_of({{.key = "$(X)", .value = "", .secret = {}}}), "vars[0].key");
  EXPECT_EQ(
      field_of({{.key = "A", .value = "", .secret = {}}, {.key = "A", .value = "", .secret = {}}}),
      "vars[1].key");
  EXPECT_EQ(field_of({{.key = "A", .value = std::string(64 * 1024 + 1, 'x'), .secret = {}}}),
            "vars[0].value");
  EXPECT_EQ(field_of({{.key = "A", .value = std::string("a\0b", 3), .secret = {}}}),
            "vars[0].value");
  EXPECT_EQ(field_of({{.key = "A", .value = std::string(64 * 1024, 'x'), .secret = {}}}), "ok");
  std::vector<EnvInput> many;
  for (std::size_t i = 0; i <= kMaxEnvVars; ++i) {
    many.push_back({.key = "K" + std::to_string(i), .value = "v", .secret = {}});
  }
  EXPECT_EQ(field_of(many), "vars");
}

TEST_F(EnvServiceTest, DeletingAnAbsentKeyIsNotFoundAndOtherTeamsSeeNothing) {
  auto absent = env_.remove(as(member_), team_, app(), "NOPE", client());
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().kind, ErrorKind::not_found);
  auto foreign = env_.list(as(stranger_), stranger_.personal_team_id, app());
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
  auto viewer = set(app(), {{.key = "A", .value = "1", .secret = {}}}, &viewer_);
  ASSERT_FALSE(viewer.has_value());
  EXPECT_EQ(viewer.error().kind, ErrorKind::forbidden);
}

}  // namespace
}  // namespace berth
