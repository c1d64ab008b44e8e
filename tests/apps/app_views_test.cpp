// The app's JSON view: url through the server's proxy, out_of_date, nulls for absent ids.

#include "api/app_views.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

AppRecord app() {
  return AppRecord{
      .id = "app_1", .name = "web", .server_id = "srv_1", .hostname = "web.example.com"};
}

TEST(AppViews, UrlFollowsTheProxySettings) {
  const auto url = [](const ProxySettingsRecord& proxy) {
    return api::app_json(app(), proxy)["url"].get<std::string>();
  };
  EXPECT_EQ(url({}), "http://web.example.com");
  EXPECT_EQ(url({.http_port = 8080}), "http://web.example.com:8080");
  EXPECT_EQ(url({.tls = "internal"}), "https://web.example.com");
  EXPECT_EQ(url({.http_port = 8080, .https_port = 8443, .tls = "acme"}),
            "https://web.example.com:8443");
}

TEST(AppViews, OutOfDateOnlyAfterAFirstDeployment) {
  AppRecord record = app();
  EXPECT_FALSE(api::app_json(record, {})["out_of_date"].get<bool>());  // never deployed
  record.deployed_config_version = 1;
  EXPECT_FALSE(api::app_json(record, {})["out_of_date"].get<bool>());
  record.config_version = 2;
  EXPECT_TRUE(api::app_json(record, {})["out_of_date"].get<bool>());
}

TEST(AppViews, AbsentIdsAreNullAndSecretsAbsent) {
  AppRecord record = app();
  record.webhook_secret_sealed = "sealed";
  const auto view = api::app_json(record, {});
  EXPECT_TRUE(view["project_id"].is_null());
  EXPECT_TRUE(view["current_deployment_id"].is_null());
  EXPECT_TRUE(view["webhook_configured"].get<bool>());
  EXPECT_EQ(view.dump().find("sealed\""), std::string::npos);
}

}  // namespace
}  // namespace berth
