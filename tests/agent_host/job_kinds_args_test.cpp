// The argument parsers of git.fetch, http.probe and proxy.apply, and the Caddy config built
// from a route table. Injection attempts must be refused before anything runs.

#include <gtest/gtest.h>

#include "agent/host/caddy_config.hpp"
#include "agent/host/git_job.hpp"
#include "agent/host/http_probe.hpp"
#include "support/pem_certificate.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;

const std::vector<std::string> kInjections = {"main;id",
                                              "$(id)",
                                              "`id`",
                                              "main\nid",
                                              "--upload-pack=touch /tmp/x",
                                              "-u",
                                              "main branch",
                                              "a|b",
                                              "a&b",
                                              "a>b",
                                              "x\tmain",
                                              "",
                                              "ext::sh -c id",
                                              "a'b",
                                              "a\"b"};

json git_args(const std::string& key, const std::string& value) {
  json args = {{"repository", "https://git.example/app.git"}, {"ref", "main"}, {"dir", "app-1"}};
  args[key] = value;
  return args;
}

TEST(GitFetchArgs, Accepts) {
  for (const char* url : {"https://git.example/team/app.git", "http://127.0.0.1:8080/app.git",
                          "ssh://git@git.example:2222/team/app.git", "file:///srv/git/app.git",
                          "git@github.com:team/app.git"}) {
    EXPECT_TRUE(parse_git_fetch_args(git_args("repository", url))) << url;
  }
  for (const char* ref : {"main", "v1.2.3", "feature/login-form", "release_2",
                          "0123456789abcdef0123456789abcdef01234567"}) {
    EXPECT_TRUE(parse_git_fetch_args(git_args("ref", ref))) << ref;
  }
  auto with_key = git_args("dir", "web");
  with_key["deploy_key"] =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
  auto parsed = parse_git_fetch_args(with_key);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->deploy_key.has_value());
}

TEST(GitFetchArgs, RefusesInjections) {
  for (const auto& bad : kInjections) {
    for (const char* field : {"repository", "ref", "dir"}) {
      const auto refused = parse_git_fetch_args(git_args(field, bad));
      ASSERT_FALSE(refused) << field << " " << bad;
      EXPECT_EQ(refused.error().code, "invalid_args");
      EXPECT_EQ(refused.error().details["field"], field);
    }
  }
  for (const char* url : {"ext::sh -c touch% /tmp/x", "fd::17", "file://relative",
                          "/srv/git/app.git", "git.example:app", "-oProxyCommand=id@host:x",
                          "user@host:-x", "https://", "ftp://git.example/app"}) {
    EXPECT_FALSE(parse_git_fetch_args(git_args("repository", url))) << url;
  }
  for (const std::string& ref :
       {std::string("a..b"), std::string("main@{1}"), std::string("/main"), std::string(".hidden"),
        std::string("-main"), std::string(201, 'a')}) {
    EXPECT_FALSE(parse_git_fetch_args(git_args("ref", ref))) << ref;
  }
  for (const char* dir : {"App", "../x", "a/b", "_a", "-a"}) {
    EXPECT_FALSE(parse_git_fetch_args(git_args("dir", dir))) << dir;
  }
  auto extra = git_args("ref", "main");
  extra["depth"] = 1;
  EXPECT_EQ(parse_git_fetch_args(extra).error().details["field"], "depth");
  EXPECT_FALSE(parse_git_fetch_args(git_args("deploy_key", "not a key")));
}

TEST(ProbeArgs, DefaultsAndBounds) {
  auto probe = parse_probe_args(json{{"port", 8080}});
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->path, "/");
  EXPECT_EQ(probe->retries, 10);
  auto full = parse_probe_args(json{{"port", 8080},
                                    {"path", "/healthz?full=1"},
                                    {"interval_ms", 200},
                                    {"timeout_ms", 100},
                                    {"retries", 3},
                                    {"start_period_ms", 0}});
  ASSERT_TRUE(full);
  EXPECT_EQ(full->retries, 3);
  EXPECT_EQ(full->interval.count(), 200);
  for (const json& port : {json(0), json(65536), json("80"), json(nullptr)}) {
    EXPECT_FALSE(parse_probe_args(json{{"port", port}})) << port;
  }
  for (const char* path : {"health", "/a b", "/a\nb", "/$(id)\n", "", "/\x7f"}) {
    const auto refused = parse_probe_args(json{{"port", 80}, {"path", path}});
    ASSERT_FALSE(refused) << path;
    EXPECT_EQ(refused.error().details["field"], "path");
  }
  EXPECT_FALSE(parse_probe_args(json{{"port", 80}, {"retries", 0}}));
  EXPECT_FALSE(parse_probe_args(json{{"port", 80}, {"host", "10.0.0.1"}}));
  EXPECT_FALSE(parse_probe_args(json{{"port", 80}, {"timeout_ms", -1}}));
}

json proxy_args(json routes, const char* tls = "off") {
  return {{"http_port", 8080}, {"https_port", 8443}, {"tls", tls}, {"routes", std::move(routes)}};
}

TEST(ProxyArgs, RefusesBadRoutes) {
  EXPECT_TRUE(parse_proxy_args(proxy_args(json::array())));
  EXPECT_TRUE(parse_proxy_args(
      proxy_args({{{"host", "web.apps.example"}, {"upstream", "127.0.0.1:49153"}}})));
  for (const char* host : {"Web.example", "web example", "web.example;id", "$(id).example",
                           "-web.example", "web..example", "", "*.example", "web.example\n"}) {
    EXPECT_FALSE(parse_proxy_args(proxy_args({{{"host", host}, {"upstream", "127.0.0.1:80"}}})))
        << host;
  }
  // 232 characters at most: "<host>.route.berth.internal" must stay a DNS name (253).
  const std::string label(56, 'a');
  const std::string longest = label + "." + label + "." + label + "." + label + ".test";
  ASSERT_EQ(longest.size(), 232u);
  EXPECT_TRUE(parse_proxy_args(proxy_args({{{"host", longest}, {"upstream", "127.0.0.1:80"}}})));
  EXPECT_FALSE(
      parse_proxy_args(proxy_args({{{"host", "a" + longest}, {"upstream", "127.0.0.1:80"}}})));
  for (const char* upstream : {"10.0.0.1:80", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                               "127.0.0.1:80/x", "localhost:80", "127.0.0.1:080"}) {
    EXPECT_FALSE(parse_proxy_args(proxy_args({{{"host", "a.example"}, {"upstream", upstream}}})))
        << upstream;
  }
  EXPECT_FALSE(
      parse_proxy_args(proxy_args({{{"host", "a.example"}, {"upstream", "127.0.0.1:1"}},
                                   {{"host", "a.example"}, {"upstream", "127.0.0.1:2"}}})));
  EXPECT_FALSE(parse_proxy_args(proxy_args(json::array(), "on")));
  EXPECT_FALSE(parse_proxy_args(json{{"routes", json::array()}, {"admin", "0.0.0.0:2019"}}));
  EXPECT_FALSE(parse_proxy_args(json{{"http_port", 80}}));  // routes are required
}

TEST(CaddyConfig, PlainHttp) {
  auto table = parse_proxy_args(
      proxy_args({{{"host", "web.test"}, {"upstream", "127.0.0.1:49153"}}}, "off"));
  ASSERT_TRUE(table);
  const json config = caddy_config(*table, "127.0.0.1:2999", "127.0.0.1:5353");
  EXPECT_EQ(config["admin"]["listen"], "127.0.0.1:2999");
  const json server = config["apps"]["http"]["servers"]["berth"];
  EXPECT_EQ(server["listen"], json({":8080"}));
  EXPECT_EQ(server["automatic_https"], json({{"disable", true}}));
  // The upstream port is in the agent's DNS table, not in Caddy's config.
  EXPECT_EQ(server["routes"], json::parse(R"([{"match":[{"host":["web.test"]}],
      "handle":[{"handler":"headers","response":{"delete":["Server"]}},
        {"handler":"reverse_proxy",
        "dynamic_upstreams":{"source":"srv","name":"web.test.route.berth.internal.",
          "refresh":"250ms","resolver":{"addresses":["udp/127.0.0.1:5353"]}},
        "transport":{"protocol":"http","resolver":{"addresses":["udp/127.0.0.1:5353"]},
          "dial_timeout":"100ms"},
        "load_balancing":{"try_duration":"5s","try_interval":"10ms"}}],
      "terminal":true}])"));
  EXPECT_EQ(upstream_services(*table),
            UpstreamServices({{"web.test.route.berth.internal", 49153},
                              {edge_upstream_name(table->routes[0]), 49153}}));
  auto moved = parse_proxy_args(
      proxy_args({{{"host", "web.test"}, {"upstream", "127.0.0.1:49154"}}}, "off"));
  ASSERT_TRUE(moved);
  EXPECT_EQ(caddy_config(*moved, "127.0.0.1:2999", "127.0.0.1:5353"), config);
  EXPECT_EQ(upstream_services(*moved).at("web.test.route.berth.internal"), 49154);
  EXPECT_FALSE(config["apps"].contains("tls"));
  EXPECT_EQ(proxy_args_json(*table)["routes"][0]["host"], "web.test");
}

TEST(CaddyConfig, InternalTls) {
  auto table = parse_proxy_args(proxy_args({{{"host", "a.test"}, {"upstream", "127.0.0.1:1"}},
                                            {{"host", "b.test"}, {"upstream", "127.0.0.1:2"}}},
                                           "internal"));
  ASSERT_TRUE(table);
  const json config = caddy_config(*table, "127.0.0.1:2019", "127.0.0.1:5353");
  EXPECT_EQ(config["apps"]["http"]["servers"]["berth"]["listen"], json({":8080", ":8443"}));
  // Caddy's own redirects are off: each domain's route does it (it may be switched off).
  EXPECT_EQ(config["apps"]["http"]["servers"]["berth"]["automatic_https"],
            json({{"disable_redirects", true}}));
  EXPECT_EQ(config["apps"]["tls"]["automation"]["policies"],
            json::parse(R"([{"subjects":["a.test","b.test"],"issuers":[{"module":"internal"}]}])"));
  const json acme = caddy_config(
      *parse_proxy_args(proxy_args({{{"host", "a.test"}, {"upstream", "127.0.0.1:1"}}}, "acme")),
      "127.0.0.1:2019", "127.0.0.1:5353");
  EXPECT_FALSE(acme["apps"].contains("tls"));
}

json route(json fields) {
  json entry = {{"host", "a.example"}, {"upstream", "127.0.0.1:80"}};
  entry.merge_patch(fields);
  return entry;
}

TEST(ProxyArgs, DomainFieldsAreCheckedAgain) {
  for (const json& good :
       {route({{"path_prefix", "/api/v1"}}),
        route({{"tls", "custom"},
               {"certificate",
                {{"chain", "-----BEGIN CERTIFICATE-----\nAB\n"},
                 {"key", "-----BEGIN PRIVATE KEY-----\n"}}}}),
        route({{"upstream", nullptr}, {"redirect_to", "https://b.example:8443"}}),
        route({{"host", "*.wild.example"}, {"tls", "internal"}}),
        route({{"https_redirect", false}, {"hsts", true}, {"tls", "off"}})}) {
    EXPECT_TRUE(parse_proxy_args(proxy_args(json::array({good})))) << good.dump();
  }
  // Hostile or malformed values: none may reach Caddy, whose placeholders expand {...}.
  for (const json& bad : {
           route({{"path_prefix", "/{env.HOME}"}}),
           route({{"path_prefix", "/a/../b"}}),
           route({{"path_prefix", "/a\r\nb"}}),
           route({{"path_prefix", "api"}}),
           route({{"path_prefix", "/" + std::string(300, 'a')}}),
           route({{"upstream", nullptr}, {"redirect_to", "https://b.example/{file./etc/passwd}"}}),
           route({{"upstream", nullptr}, {"redirect_to", "https://b.example\r\nX: y"}}),
           route({{"upstream", nullptr}, {"redirect_to", "javascript:alert(1)"}}),
           route({{"upstream", nullptr}, {"redirect_to", "https://{http.request.host}"}}),
           route({{"redirect_to", "https://b.example"}}),  // both
           route({{"upstream", nullptr}}),                 // neither
           route({{"host", "*.example"}, {"tls", "internal"}}),
           route({{"host", "*.wild.example"}, {"tls", "acme"}}),
           route({{"host", "a.*.example"}}),
           route({{"host", "{env.X}.example"}}),
           route({{"tls", "on"}}),
           route({{"tls", "custom"}}),
           route({{"certificate", {{"chain", "-----BEGIN X"}, {"key", "-----BEGIN Y"}}}}),
           route({{"tls", "custom"}, {"certificate", {{"chain", "{env.KEY}"}, {"key", "k"}}}}),
           route({{"tls", "custom"},
                  {"certificate", {{"chain", std::string("-----BEGIN \0", 12)}, {"key", "x"}}}}),
           route({{"hsts", "yes"}}),
           route({{"edge2", true}}),
       }) {
    EXPECT_FALSE(parse_proxy_args(proxy_args(json::array({bad})))) << bad.dump();
  }
  EXPECT_TRUE(
      parse_proxy_args(proxy_args({route(json::object()), route({{"path_prefix", "/api"}})})));
  EXPECT_FALSE(parse_proxy_args(
      proxy_args({route({{"path_prefix", "/api"}}), route({{"path_prefix", "/api"}})})));
}

TEST(CaddyConfig, DomainsRenderRedirectsPrefixesAndPerHostTls) {
  auto table = parse_proxy_args(proxy_args(
      {route({{"host", "shop.example"}, {"hsts", true}}),
       route({{"host", "shop.example"}, {"path_prefix", "/api"}, {"upstream", "127.0.0.1:81"}}),
       route({{"host", "shop.example"}, {"path_prefix", "/api/v2"}, {"upstream", "127.0.0.1:82"}}),
       route({{"host", "www.shop.example"},
              {"upstream", nullptr},
              {"redirect_to", "https://shop.example:8443"}}),
       route({{"host", "*.wild.example"}, {"tls", "internal"}, {"upstream", "127.0.0.1:83"}}),
       route({{"host", "plain.example"}, {"tls", "off"}, {"upstream", "127.0.0.1:84"}}),
       route({{"host", "own.example"},
              {"tls", "custom"},
              {"https_redirect", false},
              {"upstream", "127.0.0.1:85"},
              {"certificate", {{"chain", "-----BEGIN C"}, {"key", "-----BEGIN K"}}}})},
      "acme"));
  ASSERT_TRUE(table) << table.error().message;
  // Not const: a missing member then reads as null and fails an expectation, not an assert.
  json config = caddy_config(*table, "127.0.0.1:2019", "127.0.0.1:5353");
  json server = config["apps"]["http"]["servers"]["berth"];
  std::vector<std::string> order;
  for (auto& r : server["routes"]) {
    std::string text = r["match"][0]["host"][0].get<std::string>();
    if (r["match"][0].contains("path")) {
      text += r["match"][0]["path"][0].get<std::string>();
    }
    if (r["match"][0].contains("protocol")) {
      text += " (http)";
    }
    order.push_back(text + " " + r["handle"].back()["handler"].get<std::string>());
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "own.example reverse_proxy",
                       "plain.example reverse_proxy",
                       "shop.example/api/v2 (http) static_response",
                       "shop.example/api/v2 reverse_proxy",
                       "shop.example/api (http) static_response",
                       "shop.example/api reverse_proxy",
                       "shop.example (http) static_response",
                       "shop.example reverse_proxy",
                       "www.shop.example (http) static_response",
                       "www.shop.example static_response",
                       "*.wild.example (http) static_response",
                       "*.wild.example reverse_proxy",
                   }));
  const auto find = [&](const std::string& host, bool http) {
    for (auto& r : server["routes"]) {
      if (r["match"][0]["host"][0] == host && !r["match"][0].contains("path") &&
          r["match"][0].contains("protocol") == http) {
        return r;
      }
    }
    return json();
  };
  // Each route first takes out Caddy's own Server header (caddy_no_server_header).
  EXPECT_EQ(find("www.shop.example", false)["handle"][0], caddy_no_server_header());
  EXPECT_EQ(find("www.shop.example", false)["handle"][1],
            json::parse(R"({"handler":"static_response","status_code":308,
                "headers":{"Location":["https://shop.example:8443{http.request.uri}"]}})"));
  EXPECT_EQ(find("shop.example", true)["handle"][1]["headers"]["Location"][0],
            "https://shop.example:8443{http.request.uri}");
  EXPECT_EQ(find("*.wild.example", true)["handle"][1]["headers"]["Location"][0],
            "https://{http.request.host}:8443{http.request.uri}");
  EXPECT_EQ(
      find("shop.example", false)["handle"][1]["response"]["set"]["Strict-Transport-Security"][0],
      "max-age=31536000");
  EXPECT_EQ(find("shop.example", false)["handle"][2]["dynamic_upstreams"]["name"],
            "shop.example.route.berth.internal.");
  EXPECT_EQ(server["routes"][3]["match"][0]["path"], json({"/api/v2", "/api/v2/*"}));
  EXPECT_EQ(server["automatic_https"],
            json::parse(R"({"disable_redirects":true,"skip":["plain.example"],
                            "skip_certificates":["own.example"]})"));
  EXPECT_EQ(config["apps"]["tls"]["automation"]["policies"],
            json::parse(R"([{"subjects":["*.wild.example"],"issuers":[{"module":"internal"}]}])"));
  EXPECT_EQ(config["apps"]["tls"]["certificates"]["load_pem"][0]["certificate"], "-----BEGIN C");
  const std::string tag = config["apps"]["tls"]["certificates"]["load_pem"][0]["tags"][0];
  EXPECT_EQ(
      server["tls_connection_policies"],
      json::parse(R"([{"match":{"sni":["own.example"]},"certificate_selection":{"any_tag":[")" +
                  tag + R"("]}},{}])"));
  // Every serving route has its own SRV name, and one for an edge Caddy; redirects have none.
  const auto services = upstream_services(*table);
  EXPECT_EQ(services.size(), 12U);
  EXPECT_EQ(services.at("shop.example.route.berth.internal"), 80);
  // What the state dir keeps reads back as the same table.
  EXPECT_EQ(proxy_args_json(*parse_proxy_args(proxy_args_json(*table))), proxy_args_json(*table));
}

std::string test_root_pem() { return testing::make_test_ca().chain; }

TEST(CaddyConfig, AcmeSettingsGoIntoTheAcmeHostsIssuer) {
  const std::string root = test_root_pem();
  json args = proxy_args(
      {route({{"host", "shop.example"}}), route({{"host", "in.example"}, {"tls", "internal"}}),
       route({{"host", "plain.example"}, {"tls", "off"}})},
      "acme");
  args["acme"] = {{"ca", "https://10.0.0.2:8443/acme/local/directory"},
                  {"ca_root", root},
                  {"email", "ops@example.com"}};
  auto table = parse_proxy_args(args);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->acme.email, "ops@example.com");
  const std::string file = "/var/lib/berth-agent/" + acme_root_file_name(table->acme);
  json config = caddy_config(*table, "127.0.0.1:2019", "127.0.0.1:5353", file);
  EXPECT_EQ(config["apps"]["tls"]["automation"]["policies"], json::parse(R"([
      {"subjects":["in.example"],"issuers":[{"module":"internal"}]},
      {"subjects":["shop.example"],"issuers":[{"module":"acme",
        "ca":"https://10.0.0.2:8443/acme/local/directory","acme_timeout":"30s",
        "email":"ops@example.com","trusted_roots_pem_files":[")" + file + R"("]}]}])"));
  // The PEM itself is not in Caddy's config, only the file; another root is another file.
  EXPECT_EQ(config.dump().find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_TRUE(acme_root_file_name(table->acme).starts_with("acme_ca_root-"));
  EXPECT_NE(acme_root_file_name(table->acme),
            acme_root_file_name({.ca = table->acme.ca, .ca_root = test_root_pem()}));
  // What the state dir keeps reads back with the settings.
  EXPECT_EQ(proxy_args_json(*parse_proxy_args(proxy_args_json(*table))), proxy_args_json(*table));
  EXPECT_EQ(proxy_args_json(*table)["acme"]["ca_root"], root);

  // An email alone keeps Caddy's default CAs (Let's Encrypt, then ZeroSSL), both told it.
  args["acme"] = {{"email", "ops@example.com"}};
  config = caddy_config(*parse_proxy_args(args), "127.0.0.1:2019", "127.0.0.1:5353");
  EXPECT_EQ(config["apps"]["tls"]["automation"]["policies"][1]["issuers"], json::parse(R"([
      {"module":"acme","email":"ops@example.com"},
      {"module":"zerossl","email":"ops@example.com"}])"));
  // No settings: no policy for acme hosts (Caddy's defaults), and no `acme` in the kept table.
  args.erase("acme");
  table = parse_proxy_args(args);
  config = caddy_config(*table, "127.0.0.1:2019", "127.0.0.1:5353");
  EXPECT_EQ(config["apps"]["tls"]["automation"]["policies"].size(), 1U);
  EXPECT_FALSE(proxy_args_json(*table).contains("acme"));
}

TEST(ProxyArgs, AcmeSettingsAreCheckedAgain) {
  const auto refused_field = [](const json& acme) {
    json args = proxy_args(json::array({route({{"host", "shop.example"}})}), "acme");
    args["acme"] = acme;
    auto table = parse_proxy_args(args);
    if (table) {
      return std::string("<accepted>");
    }
    EXPECT_EQ(table.error().code, "invalid_args");
    return table.error().details.value("field", std::string());
  };
  EXPECT_EQ(refused_field({{"ca", "https://ca.test/{env.HOME}"}}), "acme.ca");
  EXPECT_EQ(refused_field({{"ca", "http://ca.test/directory"}}), "acme.ca");
  EXPECT_EQ(refused_field({{"ca", "https://ca.test/\r\nX"}}), "acme.ca");
  EXPECT_EQ(refused_field({{"ca", "https://ca.test/d"}, {"ca_root", "{file./etc/passwd}"}}),
            "acme.ca_root");
  EXPECT_EQ(refused_field({{"email", std::string("a@b.c") + std::string(1, '\0')}}), "acme.email");
  EXPECT_EQ(refused_field({{"ca", "https://ca.test/d"}, {"extra", true}}), "acme");
  EXPECT_EQ(refused_field({{"ca", "https://ca.test/d"}}), "<accepted>");
}

}  // namespace
}  // namespace berth::agent::host
