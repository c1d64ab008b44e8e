// The app spec's pure rules: names, hostnames, env keys, image refs, repository URLs,
// branches, paths, the completed source and settings, and the deploy policy. Anything that
// could reach a command line is refused when it carries shell syntax, whitespace or a
// leading '-'.

#include "domain/apps/app_spec.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

using nlohmann::json;

// What the injection tests throw at every field.
const std::vector<std::string> kHostile = {
    "a;rm -rf /", "$(reboot)", "`id`", "a\nb", "--upload-pack=touch /tmp/x",
    "a b",        "a|b",       "a&&b", "a>b",  "",
};

TEST(AppSpec, NamesAndHostnames) {
  EXPECT_TRUE(is_valid_app_name("web"));
  EXPECT_TRUE(is_valid_app_name("0-api-2"));
  EXPECT_TRUE(is_valid_app_name(std::string(63, 'a')));
  EXPECT_FALSE(is_valid_app_name(std::string(64, 'a')));
  for (const char* bad : {"", "-web", "Web", "web_1", "web.1", "web 1"}) {
    EXPECT_FALSE(is_valid_app_name(bad)) << bad;
  }
  for (const auto& bad : kHostile) {
    EXPECT_FALSE(is_valid_app_name(bad)) << bad;
    EXPECT_FALSE(is_valid_hostname(bad)) << bad;
  }
  EXPECT_TRUE(is_valid_hostname("web.example.com"));
  EXPECT_TRUE(is_valid_hostname("localhost"));
  EXPECT_TRUE(is_valid_hostname("web.203.0.113.7.sslip.io"));
  for (const char* bad : {"Web.example.com", "-web.example.com", "web-.example.com", "web..x",
                          ".web", "web.", "web_1.example.com"}) {
    EXPECT_FALSE(is_valid_hostname(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_hostname(std::string(64, 'a') + ".com"));
}

TEST(AppSpec, EnvKeys) {
  EXPECT_TRUE(is_valid_env_key("DATABASE_URL"));
  EXPECT_TRUE(is_valid_env_key("_x1"));
  for (const char* bad : {"1X", "A-B", "A B", "A=B", "A;B", "$(X)", ""}) {
    EXPECT_FALSE(is_valid_env_key(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_env_key(std::string(129, 'A')));
}

TEST(AppSpec, ImageReferences) {
  for (const char* good :
       {"nginx", "nginx:1.27", "library/nginx:latest", "ghcr.io/org/app:v1.2.3-rc_1",
        "localhost:5000/app", "registry.example.com:5000/team/app:Tag",
        "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    EXPECT_TRUE(is_valid_image_ref(good)) << good;
  }
  for (const char* bad :
       {"-nginx", "Nginx", "nginx:", "nginx:-x", "nginx@sha256:xyz", "a//b", "nginx/"}) {
    EXPECT_FALSE(is_valid_image_ref(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_image_ref(std::string(256, 'a')));
  for (const auto& bad : kHostile) {
    EXPECT_FALSE(is_valid_image_ref(bad)) << bad;
  }
}

TEST(AppSpec, RepositoryUrls) {
  for (const char* good :
       {"https://github.com/org/repo.git", "http://git.local/repo", "ssh://git@host:22/org/repo",
        "git@github.com:org/repo.git", "file:///srv/git/repo.git"}) {
    EXPECT_TRUE(is_valid_repository_url(good)) << good;
  }
  for (const char* bad :
       {"ext::sh -c touch% /tmp/x", "ext::sh", "-uhttps://x", "https://-oProxyCommand=x/repo",
        "git@-oProxyCommand=x:repo", "git@host:-repo", "ftp://host/repo", "/srv/git/repo",
        "file://relative", "https://host/repo name", "https://host/repo;id", "https://host/$(id)",
        "https://host/`id`", "https://host/a\nb", "fd::17"}) {
    EXPECT_FALSE(is_valid_repository_url(bad)) << bad;
  }
  for (const auto& bad : kHostile) {
    EXPECT_FALSE(is_valid_repository_url(bad)) << bad;
  }
}

TEST(AppSpec, BranchesAndPaths) {
  EXPECT_TRUE(is_valid_branch("main"));
  EXPECT_TRUE(is_valid_branch("release/1.2_rc-3"));
  for (const char* bad : {"-main", "--force", "a..b", "main/", "a b", "a~1", "a^", "a:b"}) {
    EXPECT_FALSE(is_valid_branch(bad)) << bad;
  }
  for (const auto& bad : kHostile) {
    EXPECT_FALSE(is_valid_branch(bad)) << bad;
    EXPECT_FALSE(is_valid_relative_path(bad)) << bad;
  }
  EXPECT_TRUE(is_valid_relative_path("."));
  EXPECT_TRUE(is_valid_relative_path("docker/Dockerfile.prod"));
  for (const char* bad : {"/etc/passwd", "../x", "a/../../b", "-f"}) {
    EXPECT_FALSE(is_valid_relative_path(bad)) << bad;
  }
}

TEST(AppSpec, GitSourcesGetTheirDefaults) {
  auto source = normalize_source({{"type", "git"}, {"repository", "https://example.com/r.git"}});
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ(*source, json({{"type", "git"},
                           {"repository", "https://example.com/r.git"},
                           {"branch", "main"},
                           {"dockerfile", "Dockerfile"},
                           {"context", "."},
                           {"build_args", json::object()}}));
}

TEST(AppSpec, SourceErrorsNameTheField) {
  const auto field_of = [](const json& source) {
    auto checked = normalize_source(source);
    return checked ? std::string("ok") : checked.error().details.value("field", "");
  };
  EXPECT_EQ(field_of({{"type", "image"}, {"image", "nginx;id"}}), "source.image");
  EXPECT_EQ(field_of({{"type", "image"}, {"image", "nginx"}, {"branch", "main"}}), "source.branch");
  EXPECT_EQ(field_of({{"type", "ftp"}}), "source.type");
  EXPECT_EQ(field_of({{"type", "git"}, {"repository", "https://h/r"}, {"branch", "$(id)"}}),
            "source.branch");
  EXPECT_EQ(field_of({{"type", "git"}, {"repository", "https://h/r"}, {"context", "../.."}}),
            "source.context");
  EXPECT_EQ(
      field_of({{"type", "git"}, {"repository", "https://h/r"}, {"build_args", {{"A B", "x"}}}}),
      "source.build_args.A B");
  EXPECT_EQ(field_of({{"type", "git"}, {"repository", "ext::sh -c id"}}), "source.repository");
}

TEST(AppSpec, WorkflowSteps) {
  auto source = normalize_source(
      {{"type", "workflow"},
       {"steps",
        {{{"name", "migrate"}, {"run", {"./manage.py", "migrate", "$(not expanded)"}}},
         {{"name", "build"}, {"shell", "make && make install"}, {"timeout_s", 60}}}}});
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_EQ((*source)["steps"][0]["timeout_s"], 600);
  EXPECT_EQ((*source)["steps"][0]["continue_on_error"], false);
  EXPECT_EQ((*source)["steps"][0]["env"], json::object());
  EXPECT_EQ((*source)["steps"][1]["timeout_s"], 60);

  const auto fails = [](const json& steps) {
    return !normalize_source({{"type", "workflow"}, {"steps", steps}}).has_value();
  };
  EXPECT_TRUE(fails(json::array()));
  EXPECT_TRUE(fails({{{"name", "both"}, {"run", {"true"}}, {"shell", "true"}}}));
  EXPECT_TRUE(fails({{{"name", "neither"}}}));
  EXPECT_TRUE(fails({{{"name", "empty argv"}, {"run", json::array()}}}));
  EXPECT_TRUE(fails({{{"name", "bad\nname"}, {"run", {"true"}}}}));
  EXPECT_TRUE(fails({{{"name", "nul"}, {"run", {std::string("a\0b", 3)}}}}));
  EXPECT_TRUE(fails({{{"name", "env"}, {"run", {"true"}}, {"env", {{"1X", "v"}}}}}));
  EXPECT_TRUE(fails({{{"name", "big"}, {"shell", std::string(64 * 1024 + 1, 'x')}}}));
  json many = json::array();
  for (int i = 0; i < 51; ++i) {
    many.push_back({{"name", "s"}, {"run", {"true"}}});
  }
  EXPECT_TRUE(fails(many));
}

TEST(AppSpec, HealthSecondsMayBeFractionalAndStayAsGiven) {
  auto settings = normalize_settings(
      {{"port", 8080}, {"health", {{"interval_s", 0.25}, {"timeout_s", 0.5}}}}, "image");
  ASSERT_TRUE(settings.has_value()) << settings.error().message;
  EXPECT_EQ((*settings)["health"]["interval_s"], 0.25);
  EXPECT_EQ((*settings)["health"]["timeout_s"], 0.5);
  EXPECT_FALSE(normalize_settings({{"port", 8080}, {"health", {{"interval_s", 0.01}}}}, "image"));
  EXPECT_FALSE(normalize_settings({{"port", 8080}, {"pull_policy", "sometimes"}}, "image"));
}

TEST(AppSpec, SettingsAreCompleted) {
  auto settings = normalize_settings({{"port", 8080}}, "image");
  ASSERT_TRUE(settings.has_value()) << settings.error().message;
  EXPECT_EQ(*settings, json({{"port", 8080},
                             {"health",
                              {{"path", "/"},
                               {"interval_s", 2},
                               {"timeout_s", 2},
                               {"retries", 15},
                               {"start_period_s", 0}}},
                             {"resources", {{"cpus", 0}, {"memory_mb", 0}}},
                             {"volumes", json::array()},
                             {"privileged", false},
                             {"network_mode", "bridge"},
                             {"drain_grace_s", 5},
                             {"pull_policy", "always"}}));
  EXPECT_TRUE(normalize_settings(json::object(), "workflow").has_value());
  EXPECT_FALSE(normalize_settings(json::object(), "git").has_value());
  auto fractional = normalize_settings({{"port", 1}, {"resources", {{"cpus", 0.5}}}}, "image");
  ASSERT_TRUE(fractional.has_value());
  EXPECT_EQ((*fractional)["resources"]["cpus"], 0.5);
}

TEST(AppSpec, SettingsErrors) {
  const auto field_of = [](const json& settings) {
    auto checked = normalize_settings(settings, "image");
    return checked ? std::string("ok") : checked.error().details.value("field", "");
  };
  EXPECT_EQ(field_of({{"port", 0}}), "settings.port");
  EXPECT_EQ(field_of({{"port", 70000}}), "settings.port");
  EXPECT_EQ(field_of({{"port", 80}, {"resources", {{"cpus", 65}}}}), "settings.resources.cpus");
  EXPECT_EQ(field_of({{"port", 80}, {"drain_grace_s", 301}}), "settings.drain_grace_s");
  EXPECT_EQ(field_of({{"port", 80}, {"health", {{"path", "no-slash"}}}}), "settings.health.path");
  EXPECT_EQ(field_of({{"port", 80}, {"network_mode", "none"}}), "settings.network_mode");
  EXPECT_EQ(field_of({{"port", 80}, {"volumes", {{{"source", "data"}, {"target", "rel"}}}}}),
            "settings.volumes[0].target");
  EXPECT_EQ(field_of({{"port", 80}, {"volumes", {{{"source", "a;b"}, {"target", "/d"}}}}}),
            "settings.volumes[0].source");
  EXPECT_EQ(field_of({{"port", 80}, {"command", json::array()}}), "settings.command");
  EXPECT_EQ(field_of({{"port", 80}, {"unknown", 1}}), "settings.unknown");
}

TEST(AppSpec, AppHostnamesHaveTwoLabelsAndAreNoAddresses) {
  EXPECT_TRUE(is_valid_app_hostname("web.example.com"));
  EXPECT_TRUE(is_valid_app_hostname("web.localhost"));
  EXPECT_TRUE(is_valid_app_hostname("api.198.51.100.4.sslip.io"));
  EXPECT_FALSE(is_valid_app_hostname("localhost"));
  EXPECT_FALSE(is_valid_app_hostname("vm"));
  EXPECT_FALSE(is_valid_app_hostname("127.0.0.1"));
  EXPECT_FALSE(is_valid_app_hostname("10.0.0.1"));
  EXPECT_FALSE(is_valid_app_hostname("Web.Example.com"));
}

TEST(AppSpec, HostPortsOfTheServersOwnServicesAreRefused) {
  const auto port_error = [](std::int64_t port, std::string_view type, const char* mode) {
    auto settings = normalize_settings({{"port", port}, {"network_mode", mode}}, type);
    return settings ? std::string("ok") : settings.error().details.value("field", "");
  };
  EXPECT_EQ(port_error(2019, "workflow", "bridge"), "settings.port");  // Caddy's admin API
  EXPECT_EQ(port_error(22, "image", "host"), "settings.port");
  EXPECT_EQ(port_error(2375, "workflow", "bridge"), "settings.port");
  EXPECT_EQ(port_error(8080, "workflow", "bridge"), "ok");
  // Inside a container on the bridge the port is the container's own.
  EXPECT_EQ(port_error(80, "image", "bridge"), "ok");
}

TEST(AppSpec, RepositoryUrlsCarryNoCredentials) {
  const auto field_of = [](const std::string& repository) {
    auto source = normalize_source({{"type", "git"}, {"repository", repository}});
    return source ? std::string("ok") : source.error().details.value("field", "");
  };
  EXPECT_EQ(field_of("https://user:token@github.com/a/b.git"), "source.repository");
  EXPECT_EQ(field_of("https://ghp_abc@github.com/a/b.git"), "source.repository");
  EXPECT_EQ(field_of("https://github.com/a/b.git"), "ok");
  EXPECT_EQ(field_of("git@github.com:a/b.git"), "ok");
  EXPECT_EQ(field_of("ssh://git@github.com/a/b.git"), "ok");
}

TEST(AppSpec, SecretBuildArgsNameEnvVars) {
  auto source = normalize_source({{"type", "git"},
                                  {"repository", "https://github.com/a/b.git"},
                                  {"secret_build_args", {"NPM_TOKEN"}}});
  ASSERT_TRUE(source.has_value());
  EXPECT_EQ((*source)["secret_build_args"], json::array({"NPM_TOKEN"}));
  EXPECT_FALSE(normalize_source({{"type", "git"}, {"repository", "https://h/r"}})
                   ->contains("secret_build_args"));
  auto bad = normalize_source(
      {{"type", "git"}, {"repository", "https://h/r"}, {"secret_build_args", {"A-B"}}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().details["field"], "source.secret_build_args[0]");
  auto twice = normalize_source({{"type", "git"},
                                 {"repository", "https://h/r"},
                                 {"build_args", {{"TOKEN", "x"}}},
                                 {"secret_build_args", {"TOKEN"}}});
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(image_repository("ghcr.io/a/b:1@sha256:abc"), "ghcr.io/a/b");
  EXPECT_EQ(image_repository("localhost:5000/app"), "localhost:5000/app");
  EXPECT_EQ(image_repository("nginx:1.27"), "nginx");
}

}  // namespace
}  // namespace berth
