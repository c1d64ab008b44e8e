// Which container publishes a routed port, from Docker Engine answers shaped like 20.10's
// GET /containers/json and GET /networks.

#include "agent/host/upstream_containers.hpp"

#include <gtest/gtest.h>

namespace berth::agent::host {
namespace {

using nlohmann::json;

const json kNetworks = json::parse(R"([
  {"Name":"bridge","Id":"b1","Driver":"bridge","Internal":false},
  {"Name":"app_net","Id":"u1","Driver":"bridge","Internal":false},
  {"Name":"backend","Id":"i1","Driver":"bridge","Internal":true},
  {"Name":"host","Id":"h1","Driver":"host","Internal":false},
  {"Name":"none","Id":"n1","Driver":"null","Internal":false}])");

TEST(UpstreamContainers, ThePublishingContainersRoutedBridgeAddressAndPort) {
  const json containers = json::parse(R"([
    {"Id":"web","Ports":[{"IP":"127.0.0.1","PrivatePort":8080,"PublicPort":49153,"Type":"tcp"},
                         {"IP":"127.0.0.1","PrivatePort":53,"PublicPort":49999,"Type":"udp"}],
     "NetworkSettings":{"Networks":{
       "backend":{"NetworkID":"i1","IPAddress":"172.30.0.2"},
       "app_net":{"NetworkID":"u1","IPAddress":"172.20.0.5"}}}},
    {"Id":"api","Ports":[{"IP":"127.0.0.1","PrivatePort":3000,"PublicPort":49154,"Type":"tcp"}],
     "NetworkSettings":{"Networks":{"bridge":{"NetworkID":"b1","IPAddress":"172.17.0.3"}}}},
    {"Id":"other","Ports":[{"IP":"127.0.0.1","PrivatePort":80,"PublicPort":40000,"Type":"tcp"}],
     "NetworkSettings":{"Networks":{"bridge":{"NetworkID":"b1","IPAddress":"172.17.0.4"}}}}])");
  EXPECT_EQ(direct_upstreams(containers, kNetworks, {49153, 49154, 49999}),
            DirectUpstreams({{49153, DirectUpstream{.ip = "172.20.0.5", .port = 8080}},
                             {49154, DirectUpstream{.ip = "172.17.0.3", .port = 3000}}}));
}

TEST(UpstreamContainers, HostNetworkInternalOnlyAndUnknownPortsAreLeftOut) {
  const json containers = json::parse(R"([
    {"Id":"hostnet","Ports":[],"HostConfig":{"NetworkMode":"host"},
     "NetworkSettings":{"Networks":{"host":{"NetworkID":"h1","IPAddress":""}}}},
    {"Id":"internal","Ports":[{"PrivatePort":80,"PublicPort":49155,"Type":"tcp"}],
     "NetworkSettings":{"Networks":{"backend":{"NetworkID":"i1","IPAddress":"172.30.0.3"}}}},
    {"Id":"odd","Ports":[{"PrivatePort":"80","PublicPort":49156,"Type":"tcp"}],
     "NetworkSettings":{"Networks":{"bridge":{"NetworkID":"b1","IPAddress":"172.17.0.9"}}}},
    {"Id":"no_settings","Ports":[{"PrivatePort":80,"PublicPort":49157,"Type":"tcp"}]},
    "garbage"])");
  EXPECT_EQ(direct_upstreams(containers, kNetworks, {8000, 49155, 49156, 49157}),
            DirectUpstreams{});
  EXPECT_EQ(direct_upstreams(json::object(), kNetworks, {49155}), DirectUpstreams{});
  // Without the network list nothing is known to be routed.
  const json bridged = json::parse(R"([{"Ports":[{"PrivatePort":80,"PublicPort":5,"Type":"tcp"}],
    "NetworkSettings":{"Networks":{"bridge":{"NetworkID":"b1","IPAddress":"172.17.0.2"}}}}])");
  EXPECT_EQ(direct_upstreams(bridged, json(), {5}), DirectUpstreams{});
  EXPECT_EQ(direct_upstreams(bridged, kNetworks, {5}).at(5).ip, "172.17.0.2");
}

TEST(UpstreamContainers, AnUnreachableEngineIsAnError) {
  DockerClient docker("/nonexistent/docker.sock");
  const auto found = find_direct_upstreams(docker, {49153}, std::chrono::milliseconds(500));
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, "docker_unreachable");
  // Nothing routed: Docker is not asked.
  EXPECT_TRUE(find_direct_upstreams(docker, {}, std::chrono::milliseconds(500)));
}

}  // namespace
}  // namespace berth::agent::host
