// ProjectService: names, descriptions, roles, other teams, and deletion refused while the
// project has apps.

#include <gtest/gtest.h>

#include "apps/apps_fixture.hpp"

namespace berth {
namespace {

class ProjectServiceTest : public AppsTest {};

TEST_F(ProjectServiceTest, CreateReadRenameDelete) {
  auto created =
      projects_.create(as(member_), team_, {.name = "shop", .description = "the store"}, client());
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(projects_.get(as(viewer_), team_, created->id)->description, "the store");
  auto renamed = projects_.update(as(member_), team_, created->id,
                                  {.name = std::string("shop-2"), .description = {}}, client());
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->name, "shop-2");
  EXPECT_EQ(renamed->description, "the store");
  auto listed = projects_.list(as(viewer_), team_, {});
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->total, 1);
  ASSERT_TRUE(projects_.remove(as(member_), team_, created->id, client()).has_value());
  EXPECT_EQ(projects_.get(as(viewer_), team_, created->id).error().kind, ErrorKind::not_found);
  EXPECT_EQ(audit("project.create").size(), 1U);
  EXPECT_EQ(audit("project.update").size(), 1U);
  EXPECT_EQ(audit("project.delete").size(), 1U);
}

TEST_F(ProjectServiceTest, NamesAndDescriptionsAreChecked) {
  for (const char* bad : {"", "Shop", "-shop", "shop;id", "shop shop"}) {
    auto created = projects_.create(as(member_), team_, {.name = bad}, client());
    ASSERT_FALSE(created.has_value()) << bad;
    EXPECT_EQ(created.error().details["field"], "name");
  }
  auto long_text = projects_.create(as(member_), team_,
                                    {.name = "a", .description = std::string(1001, 'x')}, client());
  ASSERT_FALSE(long_text.has_value());
  EXPECT_EQ(long_text.error().details["field"], "description");
  ASSERT_TRUE(projects_.create(as(member_), team_, {.name = "a"}, client()).has_value());
  auto again = projects_.create(as(member_), team_, {.name = "a"}, client());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "project_name_taken");
}

TEST_F(ProjectServiceTest, ADeleteIsRefusedWhileTheProjectHasApps) {
  auto project = projects_.create(as(member_), team_, {.name = "shop"}, client());
  ASSERT_TRUE(project.has_value());
  const AppRecord app = image_app("web", project->id);
  auto refused = projects_.remove(as(member_), team_, project->id, client());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::conflict);
  EXPECT_EQ(refused.error().code, "project_not_empty");
  ASSERT_TRUE(apps_.remove(as(member_), team_, app.id, client()).has_value());
  EXPECT_TRUE(projects_.remove(as(member_), team_, project->id, client()).has_value());
}

TEST_F(ProjectServiceTest, ViewersReadOnlyAndOtherTeamsSeeNothing) {
  auto by_viewer = projects_.create(as(viewer_), team_, {.name = "x"}, client());
  ASSERT_FALSE(by_viewer.has_value());
  EXPECT_EQ(by_viewer.error().kind, ErrorKind::forbidden);
  auto project = projects_.create(as(member_), team_, {.name = "shop"}, client());
  ASSERT_TRUE(project.has_value());
  auto foreign = projects_.get(as(stranger_), stranger_.personal_team_id, project->id);
  ASSERT_FALSE(foreign.has_value());
  EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace berth
