// The real berth-agent binary against a fake berthd on 127.0.0.1:0: enrollment, hello and
// welcome, heartbeats, a cmd through to its job_done, graceful stop and the 4001 close.

// clang-format off: Boost 1.74's headers use std::exchange without including <utility>.
#include <utility>
// clang-format on

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/temp_dir.hpp"

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A blocking socket that gives up after a while instead of hanging the test.
void set_deadline(tcp::socket& socket, std::chrono::seconds limit) {
  timeval tv{.tv_sec = limit.count(), .tv_usec = 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

class AgentProcess {
 public:
  explicit AgentProcess(std::vector<std::string> args) {
    args.insert(args.begin(), BERTH_AGENT_BIN);
    std::vector<char*> argv;
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, BERTH_AGENT_BIN, nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~AgentProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  void signal(int number) const { ::kill(pid_, number); }
  // The exit code, or -1 when it did not exit within the deadline.
  int wait(std::chrono::seconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

class FakeGatewayTest : public ::testing::Test {
 protected:
  FakeGatewayTest() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

  void write_state() {
    std::filesystem::create_directories(dir_.path() / "state");
    std::ofstream(dir_.path() / "state" / "agent.json")
        << nlohmann::json{{"server_url", url()}, {"server_id", "srv_1"}, {"agent_token", "tok"}};
  }

  // Accepts the agent's WebSocket, checking its token.
  std::unique_ptr<websocket::stream<tcp::socket>> accept_agent() {
    tcp::socket socket(io_);
    acceptor_.accept(socket);
    set_deadline(socket, 20s);
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request);
    EXPECT_EQ(request.target(), "/api/v1/agent/connect");
    EXPECT_EQ(request[http::field::authorization], "Bearer tok");
    auto ws = std::make_unique<websocket::stream<tcp::socket>>(std::move(socket));
    ws->accept(request);
    return ws;
  }

  static nlohmann::json read_frame(websocket::stream<tcp::socket>& ws) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    return nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
  }
  // Reads until a frame of `type` (skipping heartbeats and others); null if the link ends.
  static nlohmann::json read_until(websocket::stream<tcp::socket>& ws, std::string_view type) {
    try {
      for (int i = 0; i < 100; ++i) {
        auto frame = read_frame(ws);
        if (frame["type"] == type) {
          return frame;
        }
      }
    } catch (const std::exception&) {
    }
    return nullptr;
  }
  static void send(websocket::stream<tcp::socket>& ws, std::string type, nlohmann::json payload,
                   std::string id = "b.1", std::string ref = {}) {
    nlohmann::json frame{{"v", 1}, {"id", id}, {"ts", 1}, {"type", type}, {"payload", payload}};
    if (!ref.empty()) {
      frame["ref"] = ref;
    }
    ws.write(asio::buffer(frame.dump()));
  }

  berth::testing::TempDir dir_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
};

TEST_F(FakeGatewayTest, EnrollStoresTheAgentTokenPrivately) {
  std::thread server([&] {
    tcp::socket socket(io_);
    acceptor_.accept(socket);
    set_deadline(socket, 20s);
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request);
    const auto body = nlohmann::json::parse(request.body());
    EXPECT_EQ(request.target(), "/api/v1/agent/register");
    EXPECT_EQ(body["install_token"], "install-123");
    EXPECT_TRUE(body["facts"].is_object());
    http::response<http::string_body> response{http::status::created, 11};
    response.set(http::field::content_type, "application/json");
    response.body() =
        R"({"server_id":"srv_9","agent_token":"secret","heartbeat_interval_ms":30000})";
    response.prepare_payload();
    http::write(socket, response);
  });
  AgentProcess agent({"enroll", "--server", url(), "--install-token", "install-123", "--state-dir",
                      dir_.file("state")});
  EXPECT_EQ(agent.wait(), 0);
  server.join();
  std::ifstream in(dir_.path() / "state" / "agent.json");
  const auto state = nlohmann::json::parse(in);
  EXPECT_EQ(state["server_id"], "srv_9");
  EXPECT_EQ(state["agent_token"], "secret");
  EXPECT_EQ(state["server_url"], url());
  const auto perms = std::filesystem::status(dir_.path() / "state" / "agent.json").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(FakeGatewayTest, EnrollPrintsBerthdsRefusalAndFails) {
  std::thread server([&] {
    tcp::socket socket(io_);
    acceptor_.accept(socket);
    set_deadline(socket, 20s);
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request);
    http::response<http::string_body> response{http::status::unauthorized, 11};
    response.body() = R"({"error":{"code":"invalid_token","message":"install token expired"}})";
    response.prepare_payload();
    http::write(socket, response);
  });
  AgentProcess agent(
      {"enroll", "--server", url(), "--install-token", "old", "--state-dir", dir_.file("state")});
  EXPECT_EQ(agent.wait(), 1);
  server.join();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state" / "agent.json"));
}

TEST_F(FakeGatewayTest, RunsACmdAndStopsForGoodOn4001) {
  write_state();
  AgentProcess agent(
      {"run", "--state-dir", dir_.file("state"), "--docker-socket", dir_.file("no-docker.sock")});
  auto ws = accept_agent();
  const auto hello = read_frame(*ws);
  ASSERT_EQ(hello["type"], "hello");
  const auto& capabilities = hello["payload"]["capabilities"];
  for (const char* kind :
       {"exec", "docker.run", "docker.build", "git.fetch", "http.probe", "proxy.apply"}) {
    EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), kind), capabilities.end())
        << kind;
  }
  send(*ws, "welcome", {{"server_id", "srv_1"}, {"heartbeat_interval_ms", 1000}}, "b.w",
       hello["id"]);
  const auto heartbeat = read_until(*ws, "heartbeat");
  ASSERT_FALSE(heartbeat.is_null());
  EXPECT_EQ(heartbeat["payload"]["docker"]["status"], "offline");
  EXPECT_TRUE(heartbeat["payload"]["metrics"].contains("cpu_percent"));

  send(*ws, "ping", nlohmann::json::object(), "b.ping");
  EXPECT_EQ(read_until(*ws, "pong")["ref"], "b.ping");

  send(*ws, "cmd",
       {{"job_id", "job_1"}, {"kind", "exec"}, {"args", {{"argv", {"echo", "from the agent"}}}}},
       "b.cmd");
  const auto ack = read_until(*ws, "ack");
  EXPECT_EQ(ack["payload"]["state"], "accepted");
  const auto log = read_until(*ws, "log");
  EXPECT_EQ(log["payload"]["text"], "from the agent\n");
  // The job's end follows once its output is stored.
  send(*ws, "ack", {{"job_id", "job_1"}, {"seq", 1}}, "b.ack", log["id"]);
  const auto done = read_until(*ws, "job_done");
  EXPECT_EQ(done["payload"]["status"], "succeeded");
  EXPECT_EQ(done["payload"]["last_seq"], 1);

  ws->close(websocket::close_reason(static_cast<websocket::close_code>(4001), "revoked"));
  EXPECT_EQ(agent.wait(), 3);
}

// A dockerd that takes connections and never answers: the heartbeat's Docker probe waits on it
// (up to 2 s) without holding up the connection, so a ping is answered meanwhile.
TEST_F(FakeGatewayTest, AHangingDockerProbeDoesNotHoldUpTheConnection) {
  write_state();
  const std::string docker_path = dir_.file("hanging-docker.sock");
  const int docker = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(docker, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(docker_path.size(), sizeof address.sun_path);
  std::copy(docker_path.begin(), docker_path.end(), address.sun_path);
  ASSERT_EQ(::bind(docker, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(docker, 4), 0);
  AgentProcess agent({"run", "--state-dir", dir_.file("state"), "--docker-socket", docker_path,
                      "--heartbeat-override-ms", "60000"});
  auto ws = accept_agent();
  const auto hello = read_frame(*ws);
  send(*ws, "welcome", {{"heartbeat_interval_ms", 60000}}, "b.w", hello["id"]);
  // The first heartbeat's probe has connected: from here it waits for an answer.
  const int probe = ::accept4(docker, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(probe, 0);
  send(*ws, "ping", nlohmann::json::object(), "b.ping");
  nlohmann::json frame;
  do {
    frame = read_frame(*ws);
  } while (frame["type"] != "pong" && frame["type"] != "heartbeat");
  EXPECT_EQ(frame["type"], "pong") << "the connection waited for the Docker probe";
  ::close(probe);
  ::close(docker);
  agent.signal(SIGINT);
  EXPECT_EQ(agent.wait(), 0);
}

TEST_F(FakeGatewayTest, SigtermClosesGracefullyAndUnackedJobDoneIsResent) {
  write_state();
  {
    AgentProcess agent({"run", "--state-dir", dir_.file("state"), "--docker-socket",
                        dir_.file("no-docker.sock"), "--heartbeat-override-ms", "5000"});
    auto ws = accept_agent();
    const auto hello = read_frame(*ws);
    send(*ws, "welcome", {{"heartbeat_interval_ms", 1000}}, "b.w", hello["id"]);
    send(*ws, "cmd", {{"job_id", "job_2"}, {"kind", "exec"}, {"args", {{"argv", {"true"}}}}});
    ASSERT_FALSE(read_until(*ws, "job_done").is_null());  // never acknowledged
    agent.signal(SIGTERM);
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!ec) {
      ws->read(buffer, ec);
    }
    EXPECT_EQ(ec, websocket::error::closed);
    EXPECT_EQ(ws->reason().code, websocket::close_code::normal);
    EXPECT_EQ(agent.wait(), 0);
  }
  // A new agent process: the journal answers for the finished job, never running it again.
  AgentProcess agent(
      {"run", "--state-dir", dir_.file("state"), "--docker-socket", dir_.file("no-docker.sock")});
  auto ws = accept_agent();
  const auto hello = read_frame(*ws);
  send(*ws, "welcome", {{"heartbeat_interval_ms", 1000}}, "b.w", hello["id"]);
  send(*ws, "cmd", {{"job_id", "job_2"}, {"kind", "exec"}, {"args", {{"argv", {"true"}}}}});
  EXPECT_EQ(read_until(*ws, "ack")["payload"]["state"], "finished");
  EXPECT_EQ(read_until(*ws, "job_done")["payload"]["job_id"], "job_2");
  agent.signal(SIGINT);
  EXPECT_EQ(agent.wait(), 0);
}

}  // namespace
