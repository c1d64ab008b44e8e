// Zero downtime: clients on kept-alive connections through Caddy keep asking for the page
// while 20 deployments in a row switch the app between two versions. Not one request may fail.
//
// HTTP allows one thing a failure is not: a client may resend a request on a reused keep-alive
// connection that the server closed before sending any byte of the response (RFC 9112 §9.3.1;
// browsers and curl do). Such retries are counted and printed apart; a failed connect, a reset
// or EOF after response bytes began, a timeout or any non-2xx answer is a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

using nlohmann::json;

constexpr int kClients = 8;
constexpr int kDeployments = 20;

struct LoadCounters {
  std::atomic<std::int64_t> ok{0};
  std::atomic<std::int64_t> retries{0};
  std::atomic<std::int64_t> failures{0};
  std::mutex mutex;
  std::vector<std::string> samples;  // the first failures, for the report

  void fail(const std::string& what) {
    failures.fetch_add(1);
    std::lock_guard lock(mutex);
    if (samples.size() < 20) {
      samples.push_back(what);
    }
  }
};

void client_loop(std::uint16_t port, const std::atomic<bool>& stop, LoadCounters& counters) {
  ProxyConnection connection(port);
  while (!stop.load()) {
    const ProxyReply reply = connection.get("zdt.test", "/");
    switch (reply.kind) {
      case ProxyReply::Kind::retryable:
        // The next get() connects anew and sends the same request again.
        counters.retries.fetch_add(1);
        break;
      case ProxyReply::Kind::failed:
        counters.fail("connection: " + reply.error);
        break;
      case ProxyReply::Kind::ok:
        if (reply.status < 200 || reply.status > 299) {
          counters.fail("status " + std::to_string(reply.status) + ": " +
                        reply.body.substr(0, 200));
        } else if (reply.body != "v1\n" && reply.body != "v2\n") {
          counters.fail("unexpected body: " + reply.body.substr(0, 200));
        } else {
          counters.ok.fetch_add(1);
        }
        break;
    }
  }
}

TEST_F(DeployTest, TwentyDeploymentsUnderKeepAliveLoadDropNoRequest) {
  const std::string id = create_app("zdt", image_source(kAppV1));
  ASSERT_FALSE(id.empty());
  const json first = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(first));
  ASSERT_EQ(through_proxy("zdt.test").body, "v1\n");

  LoadCounters counters;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(client_loop, static_cast<std::uint16_t>(http_port_), std::cref(stop),
                         std::ref(counters));
  }
  int deployed = 0;
  std::vector<std::string> containers = {first.value("container_name", "")};
  for (int i = 0; i < kDeployments; ++i) {
    const std::string image = i % 2 == 0 ? kAppV2 : kAppV1;
    const json done = deploy_and_wait(id, {{"image", image}});
    if (done.value("state", "") != "succeeded") {
      ADD_FAILURE() << "deployment " << i + 1 << " of " << image << ": " << describe(done["id"]);
      continue;
    }
    ++deployed;
    containers.push_back(done.value("container_name", ""));
    // The switch happened before the deployment ended: a new connection sees the new version.
    const ProxyReply now = through_proxy("zdt.test");
    EXPECT_EQ(now.body, i % 2 == 0 ? "v2\n" : "v1\n") << "after deployment " << i + 1;
  }
  stop.store(true);
  for (auto& client : clients) {
    client.join();
  }
  std::cout << "zero-downtime: " << deployed << "/" << kDeployments << " deployments, " << kClients
            << " keep-alive clients, " << counters.ok.load() << " requests answered 2xx, "
            << counters.retries.load() << " retried after an idle close (RFC 9112 9.3.1), "
            << counters.failures.load() << " failed\n";
  std::string samples;
  {
    std::lock_guard lock(counters.mutex);
    for (const auto& sample : counters.samples) {
      samples += "\n  failure: " + sample;
    }
  }
  EXPECT_EQ(deployed, kDeployments);
  EXPECT_GT(counters.ok.load(), 0);
  EXPECT_EQ(counters.failures.load(), 0) << samples;
  // Only the last version's container is left.
  const auto present = container_names(true);
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const bool there = std::find(present.begin(), present.end(), containers[i]) != present.end();
    EXPECT_EQ(there, i + 1 == containers.size()) << containers[i];
  }
}

}  // namespace
}  // namespace berth::testing
