#include "agent/host/docker_args.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;

TEST(DockerArgs, ContainerRefs) {
  EXPECT_TRUE(is_valid_container_ref("web"));
  EXPECT_TRUE(is_valid_container_ref("berth-test_1.a"));
  EXPECT_TRUE(is_valid_container_ref(std::string(64, 'a')));
  EXPECT_TRUE(is_valid_container_ref(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_container_ref(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_container_ref(""));
  EXPECT_FALSE(is_valid_container_ref("-web"));
  EXPECT_FALSE(is_valid_container_ref(".web"));
  EXPECT_FALSE(is_valid_container_ref("../etc"));
  EXPECT_FALSE(is_valid_container_ref("web/json"));
  EXPECT_FALSE(is_valid_container_ref("web?force=1"));
  EXPECT_FALSE(is_valid_container_ref("web name"));
}

TEST(DockerArgs, ImageRefs) {
  auto plain = parse_image_ref("nginx");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name, "nginx");
  EXPECT_EQ(plain->tag, "latest");
  EXPECT_EQ(plain->canonical, "nginx:latest");

  auto tagged = parse_image_ref("registry.example:5000/team/app:1.2-rc_1");
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->name, "registry.example:5000/team/app");
  EXPECT_EQ(tagged->tag, "1.2-rc_1");

  auto local = parse_image_ref("localhost/app");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->name, "localhost/app");

  const std::string digest = "sha256:" + std::string(64, 'a');
  auto pinned = parse_image_ref("berth-test/busybox@" + digest);
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->name, "berth-test/busybox");
  EXPECT_EQ(pinned->tag, "");
  EXPECT_EQ(pinned->digest, digest);
  EXPECT_EQ(pinned->canonical, "berth-test/busybox@" + digest);

  for (const char* bad : {"", "UPPER/case", "a//b", "-a", "a:", "a:b c", "a@sha256:xyz",
                          "a;rm -rf /", "a:$(id)", "/abs", "a/", "a/../b", "a:tag/with/slash"}) {
    auto refused = parse_image_ref(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, "invalid_args") << bad;
  }
  EXPECT_FALSE(parse_image_ref(std::string(256, 'a')));
}

TEST(DockerArgs, UnknownFieldsAndWrongTypesAreRefused) {
  EXPECT_FALSE(parse_list_args(json{{"all", true}, {"extra", 1}}));
  EXPECT_FALSE(parse_list_args(json{{"all", "yes"}}));
  EXPECT_FALSE(parse_list_args(json::array()));
  EXPECT_EQ(parse_list_args(json()).value(), false);
  EXPECT_EQ(parse_list_args(json{{"all", true}}).value(), true);

  EXPECT_FALSE(parse_inspect_args(json::object()));
  EXPECT_FALSE(parse_inspect_args(json{{"container", 5}}));
  EXPECT_EQ(parse_inspect_args(json{{"container", "web"}}).value(), "web");

  auto refused = parse_inspect_args(json{{"container", "a/b"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "invalid_args");
  EXPECT_EQ(refused.error().details["field"], "container");
}

TEST(DockerArgs, StopRemoveLogs) {
  EXPECT_EQ(parse_stop_args(json{{"container", "web"}})->timeout_seconds, 10);
  EXPECT_EQ(parse_stop_args(json{{"container", "web"}, {"timeout_seconds", 0}})->timeout_seconds,
            0);
  EXPECT_FALSE(parse_stop_args(json{{"container", "web"}, {"timeout_seconds", -1}}));
  EXPECT_FALSE(parse_stop_args(json{{"container", "web"}, {"timeout_seconds", 1.5}}));
  EXPECT_TRUE(parse_remove_args(json{{"container", "web"}, {"force", true}})->force);
  EXPECT_FALSE(parse_remove_args(json{{"container", "web"}, {"force", 1}}));
  EXPECT_FALSE(parse_logs_args(json{{"container", "web"}})->tail.has_value());
  EXPECT_EQ(parse_logs_args(json{{"container", "web"}, {"tail", 50}})->tail, 50);
  EXPECT_FALSE(parse_logs_args(json{{"container", "web"}, {"tail", "all"}}));
}

TEST(DockerArgs, RunWithEverything) {
  auto run = parse_run_args(
      json{{"image", "berth-test/busybox:1"},
           {"name", "berth-test-web"},
           {"cmd", {"httpd", "-f", "-p", "80"}},
           {"env", {{"A", "1"}, {"B", "two words"}}},
           {"labels", {{"berth.app", "web"}}},
           {"ports",
            {{{"container", 80}, {"host", 8080}},
             {{"container", 53}, {"host", 5353}, {"host_ip", "::1"}, {"protocol", "udp"}}}},
           {"restart", "unless-stopped"}});
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->ports[0].host_ip, "127.0.0.1");
  const json body = container_create_body(*run);
  EXPECT_EQ(body["Image"], "berth-test/busybox:1");
  EXPECT_EQ(body["Cmd"], json({"httpd", "-f", "-p", "80"}));
  EXPECT_EQ(body["Env"], json({"A=1", "B=two words"}));
  EXPECT_EQ(body["Labels"]["berth.app"], "web");
  EXPECT_TRUE(body["ExposedPorts"].contains("80/tcp"));
  EXPECT_EQ(body["HostConfig"]["PortBindings"]["80/tcp"],
            json::parse(R"([{"HostIp":"127.0.0.1","HostPort":"8080"}])"));
  EXPECT_EQ(body["HostConfig"]["PortBindings"]["53/udp"][0]["HostIp"], "::1");
  EXPECT_EQ(body["HostConfig"]["RestartPolicy"]["Name"], "unless-stopped");
}

TEST(DockerArgs, RunMinimalLeavesCmdToTheImage) {
  auto run = parse_run_args(json{{"image", "berth-test/busybox:1"}});
  ASSERT_TRUE(run);
  const json body = container_create_body(*run);
  EXPECT_FALSE(body.contains("Cmd"));
  EXPECT_EQ(body["HostConfig"]["RestartPolicy"]["Name"], "no");
}

TEST(DockerArgs, RunRefusals) {
  const json base = {{"image", "berth-test/busybox:1"}};
  const auto with = [&base](const char* key, json value) {
    json args = base;
    args[key] = std::move(value);
    return parse_run_args(args);
  };
  EXPECT_FALSE(parse_run_args(json{{"name", "x"}}));  // no image
  EXPECT_FALSE(with("name", "bad name"));
  EXPECT_FALSE(with("cmd", "sh -c 'id'"));  // a string is not argv
  EXPECT_FALSE(with("cmd", json::array()));
  EXPECT_FALSE(with("cmd", {"a", 1}));
  EXPECT_FALSE(with("env", {{"A=B", "x"}}));
  EXPECT_FALSE(with("env", {{"A", 1}}));
  EXPECT_FALSE(with("env", json::array()));
  EXPECT_FALSE(with("labels", {{"", "x"}}));
  EXPECT_FALSE(with("restart", "sometimes"));
  EXPECT_FALSE(with("ports", {{{"container", 0}, {"host", 80}}}));
  EXPECT_FALSE(with("ports", {{{"container", 80}, {"host", 65536}}}));
  EXPECT_FALSE(with("ports", {{{"container", 80}}}));
  EXPECT_FALSE(with("ports", {{{"container", "80"}, {"host", 80}}}));
  EXPECT_FALSE(with("ports", {{{"container", 80}, {"host", 80}, {"host_ip", "localhost"}}}));
  EXPECT_FALSE(with("ports", {{{"container", 80}, {"host", 80}, {"protocol", "sctp"}}}));
  EXPECT_FALSE(with("ports", {{{"container", 80}, {"host", 80}, {"extra", true}}}));
  EXPECT_FALSE(with("ports", {80}));
  EXPECT_FALSE(with("ports", {{{"container", 80}, {"host", 80}, {"host_port", 81}}}));
  EXPECT_FALSE(with("privileged", "yes"));
  EXPECT_FALSE(with("memory_bytes", -1));
  EXPECT_FALSE(with("memory_bytes", "1g"));
  EXPECT_FALSE(with("nano_cpus", -5));
  EXPECT_FALSE(with("network_mode", "container:other"));
  EXPECT_FALSE(with("network_mode", "host; id"));
  EXPECT_FALSE(with("volumes", {{{"source", "data"}}}));
  EXPECT_FALSE(with("volumes", {{{"source", "data"}, {"target", "relative"}}}));
  EXPECT_FALSE(with("volumes", {{{"source", "data"}, {"target", "/"}}}));
  EXPECT_FALSE(with("volumes", {{{"source", "data"}, {"target", "/d"}, {"read_only", 1}}}));
  EXPECT_FALSE(with("volumes", {{{"source", "data"}, {"target", "/d"}, {"mode", "rw"}}}));
  for (const char* source :
       {"-v", "$(id)", "a;b", "`id`", "a b", "a\nb", "../etc", "/etc/../x", "/a b", "data:/x"}) {
    const auto refused = with("volumes", {{{"source", source}, {"target", "/data"}}});
    ASSERT_FALSE(refused) << source;
    EXPECT_EQ(refused.error().code, "invalid_args");
    EXPECT_EQ(refused.error().details["field"], "volumes");
  }
  EXPECT_EQ(with("unknown", 1).error().details["field"], "unknown");
}

TEST(DockerArgs, RunHostConfig) {
  auto run = parse_run_args(
      json{{"image", "berth-test/busybox:1"},
           {"volumes",
            {{{"source", "app-data"}, {"target", "/data"}},
             {{"source", "/srv/config"}, {"target", "/etc/app"}, {"read_only", true}}}},
           {"memory_bytes", 268435456},
           {"nano_cpus", 500000000},
           {"privileged", true},
           {"network_mode", "host"},
           {"ports", {{{"container", 8080}, {"host_port", 0}}}}});
  ASSERT_TRUE(run) << run.error().message;
  const json host = container_create_body(*run)["HostConfig"];
  EXPECT_EQ(host["Mounts"], json::parse(R"([
      {"Type":"volume","Source":"app-data","Target":"/data","ReadOnly":false},
      {"Type":"bind","Source":"/srv/config","Target":"/etc/app","ReadOnly":true}])"));
  EXPECT_EQ(host["Memory"], 268435456);
  EXPECT_EQ(host["NanoCpus"], 500000000);
  EXPECT_EQ(host["Privileged"], true);
  EXPECT_EQ(host["NetworkMode"], "host");
  EXPECT_EQ(host["PortBindings"]["8080/tcp"],
            json::parse(R"([{"HostIp":"127.0.0.1","HostPort":""}])"));
}

TEST(DockerArgs, RunOnAProjectNetwork) {
  // A service: only on its project's network, found there as "db".
  auto service = parse_run_args(json{{"image", "berth-test/postgres:15"},
                                     {"network_mode", "berth-p1"},
                                     {"networks", {{{"name", "berth-p1"}, {"aliases", {"db"}}}}}});
  ASSERT_TRUE(service) << service.error().message;
  const json body = container_create_body(*service);
  EXPECT_EQ(body["HostConfig"]["NetworkMode"], "berth-p1");
  EXPECT_EQ(body["NetworkingConfig"],
            json::parse(R"({"EndpointsConfig":{"berth-p1":{"Aliases":["db"]}}})"));
  EXPECT_TRUE(networks_to_connect(*service).empty());

  // A linked app: on the bridge (its published port) and connected to two project networks.
  auto app = parse_run_args(json{{"image", "berth-test/busybox:1"},
                                 {"networks", {{{"name", "berth-p1"}}, {{"name", "berth-p2"}}}}});
  ASSERT_TRUE(app) << app.error().message;
  EXPECT_EQ(container_create_body(*app)["HostConfig"]["NetworkMode"], "bridge");
  EXPECT_FALSE(container_create_body(*app).contains("NetworkingConfig"));
  const auto connect = networks_to_connect(*app);
  ASSERT_EQ(connect.size(), 2u);
  EXPECT_EQ(connect[0].name, "berth-p1");
  EXPECT_EQ(connect[1].name, "berth-p2");
}

TEST(DockerArgs, NetworkRefusals) {
  const auto with = [](json networks, json mode = nullptr) {
    json args = {{"image", "berth-test/busybox:1"}, {"networks", std::move(networks)}};
    if (!mode.is_null()) {
      args["network_mode"] = std::move(mode);
    }
    return parse_run_args(args);
  };
  EXPECT_FALSE(with("berth-p1"));
  EXPECT_FALSE(with({"berth-p1"}));
  EXPECT_FALSE(with({{{"name", "bridge"}}}));
  EXPECT_FALSE(with({{{"name", "host"}}}));
  EXPECT_FALSE(with({{{"name", "a/b"}}}));
  EXPECT_FALSE(with({{{"name", "p"}}, {{"name", "p"}}}));
  EXPECT_FALSE(with({{{"name", "p"}, {"aliases", "db"}}}));
  EXPECT_FALSE(with({{{"name", "p"}, {"aliases", {"d b"}}}}));
  EXPECT_FALSE(with({{{"name", "p"}, {"aliases", {"-db"}}}}));
  EXPECT_FALSE(with({{{"name", "p"}, {"aliases", {std::string(64, 'a')}}}}));
  EXPECT_FALSE(with({{{"name", "p"}, {"extra", 1}}}));
  EXPECT_FALSE(with({{{"name", "p"}}}, "host"));   // host joins no other network
  EXPECT_FALSE(with({{{"name", "p"}}}, "other"));  // a mode outside networks
  const auto refused = with({{{"name", "p;id"}}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().details["field"], "networks");

  auto ensure = parse_network_args(
      json{{"action", "ensure"}, {"name", "berth-p1"}, {"labels", {{"berth.project", "p1"}}}});
  ASSERT_TRUE(ensure) << ensure.error().message;
  EXPECT_EQ(ensure->name, "berth-p1");
  EXPECT_EQ(ensure->labels.at("berth.project"), "p1");
  EXPECT_FALSE(ensure->internal);
  EXPECT_TRUE(parse_network_args(json{{"action", "remove"}, {"name", "p"}, {"internal", true}}));
  EXPECT_FALSE(parse_network_args(json{{"action", "prune"}, {"name", "p"}}));
  EXPECT_FALSE(parse_network_args(json{{"action", "ensure"}}));
  EXPECT_FALSE(parse_network_args(json{{"action", "ensure"}, {"name", "bridge"}}));
  EXPECT_FALSE(parse_network_args(json{{"action", "ensure"}, {"name", "../x"}}));
  EXPECT_FALSE(parse_network_args(json{{"action", "ensure"}, {"name", "p"}, {"driver", "host"}}));
}

TEST(DockerArgs, PublishedPortsFromInspect) {
  const auto inspect = json::parse(R"({"NetworkSettings":{"Ports":{
      "80/tcp":[{"HostIp":"127.0.0.1","HostPort":"49153"}],"443/tcp":null}}})");
  EXPECT_EQ(published_ports(inspect),
            json::parse(R"([{"container_port":80,"host_ip":"127.0.0.1","host_port":49153}])"));
  EXPECT_EQ(published_ports(json::object()), json::array());
}

TEST(DockerArgs, InspectedEnvKeepsNamesNotValues) {
  auto inspect = json::parse(R"({"Config":{"Env":["API_TOKEN=s3cret","PATH=/bin","EMPTY=","ODD"]},
                                 "Id":"abc"})");
  redact_env(inspect);
  EXPECT_EQ(
      inspect["Config"]["Env"],
      json::parse(R"(["API_TOKEN=********","PATH=********","EMPTY=********","ODD=********"])"));
  EXPECT_EQ(inspect["Id"], "abc");
  json odd = json::parse(R"({"Config":null})");
  redact_env(odd);  // shapes other than Docker's are left alone
  EXPECT_TRUE(odd["Config"].is_null());
}

TEST(DockerArgs, LogsFollow) {
  auto logs = parse_logs_args(json{{"container", "web"}, {"follow", true}});
  ASSERT_TRUE(logs);
  EXPECT_TRUE(logs->follow);
  EXPECT_FALSE(parse_logs_args(json{{"container", "web"}, {"follow", "yes"}}));
}

TEST(DockerArgs, Build) {
  berth::testing::TempDir work;
  std::filesystem::create_directories(work.path() / "app" / "src");
  const std::string context = (work.path() / "app").string();
  const json base = {{"context_dir", context}, {"tag", "berth-app/web:abc123"}};
  auto build = parse_build_args(json{{"context_dir", context},
                                     {"dockerfile", "docker/Dockerfile.prod"},
                                     {"tag", "berth-app/web:abc123"},
                                     {"build_args", {{"VERSION", "1; rm -rf /"}}},
                                     {"secret_build_args", {{"NPM_TOKEN", "s3cret"}}},
                                     {"labels", {{"berth.app", "web"}}}},
                                work.path().string());
  ASSERT_TRUE(build) << build.error().message;
  EXPECT_EQ(build->dockerfile, "docker/Dockerfile.prod");
  EXPECT_EQ(build->build_args.at("NPM_TOKEN"), "s3cret");     // secret ones go to Docker too
  EXPECT_EQ(build->build_args.at("VERSION"), "1; rm -rf /");  // a value, sent as JSON
  const auto with = [&](const char* key, json value) {
    json args = base;
    args[key] = std::move(value);
    return parse_build_args(args, work.path().string());
  };
  EXPECT_TRUE(with("dockerfile", "Dockerfile"));
  for (const char* dockerfile :
       {"../Dockerfile", "/etc/passwd", "a/../../b", "-f", "Docker file", "a\nb", ""}) {
    const auto refused = with("dockerfile", dockerfile);
    ASSERT_FALSE(refused) << dockerfile;
    EXPECT_EQ(refused.error().details["field"], "dockerfile");
  }
  for (const std::string& dir : {std::string("/etc"), work.path().string(), context + "/../..",
                                 context + "/missing", std::string("relative"), context + " x"}) {
    const auto refused = with("context_dir", dir);
    ASSERT_FALSE(refused) << dir;
    EXPECT_EQ(refused.error().details["field"], "context_dir");
  }
  std::filesystem::create_directory_symlink("/etc", work.path() / "escape");
  EXPECT_FALSE(with("context_dir", (work.path() / "escape").string()));
  for (const char* tag : {"Web", "web:$(id)", "web;id", "--tag", "web@sha256:x", ""}) {
    EXPECT_FALSE(with("tag", tag)) << tag;
  }
  EXPECT_FALSE(with("build_args", {{"A=B", "x"}}));
  EXPECT_FALSE(with("target", "prod"));
}

}  // namespace
}  // namespace berth::agent::host
