#include "http/openapi.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "api/routes.hpp"

namespace berth::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The real route table, as berthd registers it.
class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest() { api::register_routes(router_, context_); }
  const api::ApiContext context_{.version = "test"};
  Router router_;
};

TEST_F(OpenApiTest, DocumentsEveryRegisteredRoute) {
  const nlohmann::json doc = build_openapi(router_, "test");
  EXPECT_EQ(doc["openapi"], "3.1.0");
  ASSERT_FALSE(router_.routes().empty());
  for (const auto& route : router_.routes()) {
    if (!route->spec.in_openapi) {
      continue;
    }
    const std::string method = lower(method_name(route->method));
    ASSERT_TRUE(doc["paths"].contains(route->pattern)) << route->pattern;
    ASSERT_TRUE(doc["paths"][route->pattern].contains(method)) << method << " " << route->pattern;
    const auto& op = doc["paths"][route->pattern][method];
    EXPECT_EQ(op["summary"], route->spec.summary);
    EXPECT_EQ(op["x-required-role"], role_name(route->spec.role.value));
  }
}

TEST_F(OpenApiTest, DocumentsNothingThatIsNotRegistered) {
  const nlohmann::json doc = build_openapi(router_, "test");
  std::size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    operations += methods.size();
  }
  const auto documented = std::count_if(router_.routes().begin(), router_.routes().end(),
                                        [](const auto& route) { return route->spec.in_openapi; });
  EXPECT_EQ(operations, static_cast<std::size_t>(documented));
}

// The dashboard's files are served from the same table but are not API: a client generator
// must not see "/" or the catch-all.
TEST_F(OpenApiTest, LeavesOutTheDashboardsFiles) {
  const nlohmann::json doc = build_openapi(router_, "test");
  EXPECT_FALSE(doc["paths"].contains("/"));
  EXPECT_FALSE(doc["paths"].contains("/{path...}"));
  const auto undocumented =
      std::count_if(router_.routes().begin(), router_.routes().end(),
                    [](const auto& route) { return !route->spec.in_openapi; });
  EXPECT_EQ(undocumented, 2);
}

TEST_F(OpenApiTest, EveryRouteHasASummaryAndOperationIdsAreUnique) {
  const nlohmann::json doc = build_openapi(router_, "test");
  std::set<std::string> ids;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      EXPECT_FALSE(op["summary"].get<std::string>().empty()) << path;
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << path;
    }
  }
}

// What a typed client needs: every list names its paging, every stream and download says
// what it returns, and every 200 with a body says its shape.
TEST_F(OpenApiTest, ListsDeclareTheirPagingAndEverySuccessBodyIsDescribed) {
  const nlohmann::json doc = build_openapi(router_, "test");
  for (const auto& route : router_.routes()) {
    const auto& spec = route->spec;
    if (!spec.in_openapi) {
      continue;
    }
    const auto& op = doc["paths"][route->pattern][lower(method_name(route->method))];
    std::set<std::string> query;
    for (const auto& param : op.value("parameters", nlohmann::json::array())) {
      if (param["in"] == "query") {
        query.insert(param["name"].get<std::string>());
      }
    }
    const nlohmann::json response_schema = spec.response_schema.build();
    const bool paged = response_schema.is_object() && response_schema.contains("properties") &&
                       response_schema["properties"].contains("per_page");
    if (paged) {
      EXPECT_TRUE(query.contains("page") && query.contains("per_page")) << route->pattern;
    }
    if (spec.response_type == "text/event-stream") {
      // A stream resumes (after, tail) or says plainly that it cannot.
      const bool live_only = spec.description.starts_with("Live only");
      EXPECT_TRUE(query.contains("after") || query.contains("tail") || live_only) << route->pattern;
    }
    const auto& success = op["responses"][std::to_string(spec.success_status)];
    if (spec.success_status == 200 && route->method == Method::get) {
      EXPECT_TRUE(success.contains("content")) << "GET " << route->pattern;
    }
  }
}

}  // namespace
}  // namespace berth::http
