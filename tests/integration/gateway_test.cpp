// The agent gateway against a hostile or broken peer holding a valid agent token: bad frames
// get an `error` and the connection survives; repeated abuse closes it; another server's job
// cannot be touched. A Beast WebSocket client plays the agent (also for the doctor: an old
// agent version and a skewed clock, staged through its hello and heartbeat).
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/fleet_fixture.hpp"
#include "integration/identity_client.hpp"

namespace berth::testing {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using nlohmann::json;

class FakeAgent {
 public:
  FakeAgent(std::uint16_t port, const std::string& token) {
    asio::ip::tcp::resolver resolver(io_);
    asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type& request) {
      request.set(boost::beast::http::field::authorization, "Bearer " + token);
    }));
    ws_.handshake("127.0.0.1", "/api/v1/agent/connect");
  }
  void send(const std::string& text) { ws_.write(asio::buffer(text)); }
  void send_envelope(const std::string& type, const json& payload, std::int64_t ts = 0) {
    send(json{{"v", 1},
              {"id", "t" + std::to_string(++counter_)},
              {"ts", ts},
              {"type", type},
              {"payload", payload}}
             .dump());
  }
  /// The next frame that is not a ping; nullopt when the connection closed.
  std::optional<json> next() {
    for (;;) {
      boost::beast::flat_buffer buffer;
      boost::system::error_code ec;
      ws_.read(buffer, ec);
      if (ec) {
        return std::nullopt;
      }
      auto message = json::parse(boost::beast::buffers_to_string(buffer.data()));
      if (message["type"] != "ping") {
        return message;
      }
    }
  }
  std::uint16_t close_code() const { return ws_.reason().code; }

 private:
  asio::io_context io_;
  websocket::stream<asio::ip::tcp::socket> ws_{io_};
  int counter_ = 0;
};

class GatewayTest : public FleetTest {
 protected:
  std::pair<std::string, std::string> enrolled() {
    const HttpResponse registered = http_request(
        port(), "POST", "/api/v1/agent/register",
        json{{"install_token", mint_install_token()}, {"facts", {{"hostname", "fake"}}}}.dump(),
        {{"Content-Type", "application/json"}});
    EXPECT_EQ(registered.status, 201) << registered.body;
    return {registered.json()["server_id"], registered.json()["agent_token"]};
  }
};

TEST_F(GatewayTest, BadFramesGetErrorsAndTheConnectionSurvives) {
  start_fleet();
  auto [server_id, token] = enrolled();
  FakeAgent agent(port(), token);
  agent.send("{not json");
  EXPECT_EQ((*agent.next())["payload"]["code"], "malformed_json");
  agent.send_envelope("heartbeat", json::object());
  EXPECT_EQ((*agent.next())["payload"]["code"], "hello_required");
  agent.send(std::string(1024 * 1024, ' '));  // the largest frame allowed
  EXPECT_EQ((*agent.next())["payload"]["code"], "malformed_json");
  agent.send(R"({"v":2,"id":"x","ts":0,"type":"hello","payload":{}})");
  EXPECT_EQ((*agent.next())["payload"]["code"], "unsupported_version");

  agent.send_envelope("hello", {{"agent_version", "fake"},
                                {"facts", json::object()},
                                {"running", json::array()},
                                {"unacked", json::array()}});
  const auto welcome = agent.next();
  ASSERT_TRUE(welcome);
  EXPECT_EQ((*welcome)["type"], "welcome");
  EXPECT_EQ((*welcome)["payload"]["server_id"], server_id);
  wait_server_status(server_id, "online");
}

// The transport's limit is the protocol's: a larger frame never reaches the application (it
// allowed 4 MiB, so up to 4 MiB per frame was buffered for a peer the protocol refuses).
TEST_F(GatewayTest, AFrameOverOneMebibyteClosesWith1009) {
  start_fleet();
  auto [server_id, token] = enrolled();
  FakeAgent agent(port(), token);
  agent.send(std::string(1024 * 1024 + 1, ' '));
  EXPECT_FALSE(agent.next());
  EXPECT_EQ(agent.close_code(), 1009);
}

// nlohmann copies and dumps recursively: before depth was bounded while parsing, each of
// these crashed berthd with a stack overflow.
TEST_F(GatewayTest, DeeplyNestedJsonIsRefusedAndBerthdStaysUp) {
  start_fleet();
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const HttpResponse registered = http_request(
      port(), "POST", "/api/v1/agent/register",
      R"({"install_token":")" + mint_install_token() + R"(","facts":{"a":)" + deep + "}}",
      {{"Content-Type", "application/json"}});
  EXPECT_EQ(registered.status, 400) << registered.body;
  EXPECT_NE(registered.body.find("nests deeper than 64"), std::string::npos) << registered.body;

  auto [server_id, token] = enrolled();
  FakeAgent agent(port(), token);
  agent.send(R"({"v":1,"id":"d1","ts":0,"type":"hello","payload":{"facts":)" + deep + "}}");
  EXPECT_EQ((*agent.next())["payload"]["code"], "too_deep");
  agent.send_envelope("hello", {{"agent_version", "fake"}, {"facts", json::object()}});
  EXPECT_EQ((*agent.next())["type"], "welcome");  // the connection is still usable

  const HttpResponse job = api("POST", "/api/v1/servers/" + server_id + "/jobs",
                               json::parse(R"({"kind":"exec","args":{"argv":["/bin/true"]}})"));
  ASSERT_EQ(job.status, 202) << job.body;
  const HttpResponse deep_args =
      http_request(port(), "POST", "/api/v1/servers/" + server_id + "/jobs",
                   R"({"kind":"exec","args":{"x":)" + deep + "}}",
                   {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + api_key_}});
  EXPECT_EQ(deep_args.status, 400) << deep_args.body;
  EXPECT_EQ(http_request(port(), "GET", "/api/v1/health").status, 200);
}

TEST_F(GatewayTest, AnAgentCannotWriteAnotherServersJob) {
  start_fleet();
  const std::string real_server = connect_agent("agent-1");
  const std::string job_id =
      submit(real_server, {{"kind", "exec"}, {"args", {{"argv", {"/bin/sleep", "5"}}}}});
  auto [server_id, token] = enrolled();
  FakeAgent intruder(port(), token);
  intruder.send_envelope("hello", {{"agent_version", "fake"}, {"facts", json::object()}});
  ASSERT_EQ((*intruder.next())["type"], "welcome");
  intruder.send_envelope(
      "log", {{"job_id", job_id}, {"stream", "stdout"}, {"seq", 99}, {"text", "pwned"}});
  EXPECT_EQ((*intruder.next())["payload"]["code"], "unknown_job");
  intruder.send_envelope("job_done",
                         {{"job_id", job_id}, {"status", "succeeded"}, {"exit_code", 0}});
  EXPECT_EQ((*intruder.next())["payload"]["code"], "unknown_job");
  EXPECT_NE(api("GET", "/api/v1/jobs/" + job_id).json()["state"], "succeeded");
}

TEST_F(GatewayTest, RepeatedAbuseClosesTheConnection) {
  start_fleet();
  auto [server_id, token] = enrolled();
  FakeAgent agent(port(), token);
  int errors = 0;
  for (int i = 0; i < 40; ++i) {
    agent.send("garbage");
  }
  while (auto frame = agent.next()) {
    ++errors;
  }
  EXPECT_GE(errors, 20);
  EXPECT_EQ(agent.close_code(), 1008);
}

// GET /api/v1/admin/doctor with failures staged for real: an agent on an old version whose
// heartbeats say its clock is 2 minutes ahead, and a mail server nobody listens on.
TEST_F(GatewayTest, DoctorReportsAnOldAgentItsClockSkewAndUnreachableMail) {
  // Port 1 (tcpmux) on loopback: nothing listens there.
  start_fleet({.args = {"--smtp-url", "smtp://127.0.0.1:1", "--smtp-from", "berth@example.com"}});
  IdentityClient admin(port());
  ASSERT_EQ(admin.login("admin@example.com", "a long admin password 1").status, 200);
  // Only instance administrators with a session: an API key (even the owner's) is refused.
  EXPECT_EQ(api("GET", "/api/v1/admin/doctor").status, 403);

  auto [server_id, token] = enrolled();
  FakeAgent agent(port(), token);
  agent.send_envelope("hello", {{"agent_version", "0.0.9"},
                                {"facts", {{"hostname", "elsewhere"}}},
                                {"running", json::array()},
                                {"unacked", json::array()}});
  ASSERT_EQ((*agent.next())["type"], "welcome");
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  agent.send_envelope("heartbeat",
                      {{"agent_version", "0.0.9"},
                       {"docker", {{"status", "online"}}},
                       {"metrics", {{"cpu_percent", 1.0}}}},
                      now_ms + 120'000);

  // Heartbeats are written in batches: poll until the skew is in the doctor's answer.
  json checks;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  const auto find = [&](const std::string& name) {
    for (const auto& check : checks) {
      if (check["name"] == name) {
        return check;
      }
    }
    return json();
  };
  for (;;) {
    const HttpResponse doctor = admin.get("/api/v1/admin/doctor");
    ASSERT_EQ(doctor.status, 200) << doctor.body;
    checks = doctor.json()["checks"];
    if (find("clock_skew")["status"] == "error" || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto skew = find("clock_skew");
  EXPECT_EQ(skew["status"], "error") << skew.dump();
  EXPECT_NE(skew["detail"].get<std::string>().find("(+120."), std::string::npos) << skew.dump();
  const auto versions = find("agent_versions");
  EXPECT_EQ(versions["status"], "warning") << versions.dump();
  EXPECT_NE(versions["detail"].get<std::string>().find("(0.0.9)"), std::string::npos);
  const auto smtp = find("smtp");
  EXPECT_EQ(smtp["status"], "error") << smtp.dump();
  EXPECT_NE(smtp["detail"].get<std::string>().find("127.0.0.1:1"), std::string::npos);
  EXPECT_FALSE(smtp["fix"].get<std::string>().empty());
  // The machine probes ran: statvfs on the data directory (its verdict depends on this disk).
  EXPECT_NE(find("disk_space")["detail"].get<std::string>().find(" GiB free of "),
            std::string::npos)
      << find("disk_space").dump();
  // berthd answers on its own port, and its store is sound and current.
  EXPECT_EQ(find("listen")["status"], "ok") << find("listen").dump();
  EXPECT_EQ(find("store_integrity")["status"], "ok") << find("store_integrity").dump();
  EXPECT_EQ(find("migrations")["status"], "ok") << find("migrations").dump();
}

}  // namespace
}  // namespace berth::testing
