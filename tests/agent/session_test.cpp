// The protocol session without sockets: frames in, frames out through a callback.

#include "agent/session.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "protocol/envelope.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth::agent {
namespace {

using namespace std::chrono_literals;

std::string frame(std::string_view type, nlohmann::json payload, std::string id = "b.1") {
  return protocol::encode_envelope(protocol::make_envelope(*protocol::parse_message_type(type),
                                                           std::move(id), 1, std::move(payload)));
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { open_session(); }

  void open_session(std::vector<nlohmann::json> lost = {}) {
    session_.reset();
    if (!journal_) {
      journal_.emplace(std::move(*Journal::open({.path = dir_.file("journal")}, &lost)));
    }
    std::map<std::string, Executor> executors;
    executors["exec"] = [this](JobContext& job) {
      ++runs_;
      job.output.write("stdout", job.args.value("print", std::string()));
      if (job.args.value("block", false)) {
        while (!job.cancelled) {
          std::this_thread::sleep_for(1ms);
        }
        JobOutcome out;
        out.status = "canceled";
        return out;
      }
      return JobOutcome{};
    };
    session_ = std::make_unique<Session>(
        SessionOptions{.agent_version = "9.9.9", .facts = {{"hostname", "h"}}}, *journal_,
        std::move(executors), clock_, random_, [](std::chrono::milliseconds) {}, std::move(lost));
  }

  void connect_and_welcome(nlohmann::json welcome = {{"heartbeat_interval_ms", 5000}}) {
    session_->connected([this](std::string text) { sent_.push_back(nlohmann::json::parse(text)); });
    EXPECT_EQ(session_->on_frame(frame("welcome", std::move(welcome))), Session::Event::welcomed);
  }

  // Flushes until a frame of `type` for the job appears; returns it (null on timeout).
  nlohmann::json wait_for(std::string_view type, const std::string& job_id) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      session_->flush();
      for (const auto& message : sent_) {
        if (message["type"] == type && message["payload"].value("job_id", "") == job_id) {
          return message;
        }
      }
      std::this_thread::sleep_for(2ms);
    }
    return nullptr;
  }

  std::vector<nlohmann::json> of_type(std::string_view type) const {
    std::vector<nlohmann::json> out;
    for (const auto& message : sent_) {
      if (message["type"] == type) {
        out.push_back(message);
      }
    }
    return out;
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  testing::CountingRandom random_;
  std::optional<Journal> journal_;
  std::unique_ptr<Session> session_;
  std::vector<nlohmann::json> sent_;
  std::atomic<int> runs_{0};
};

TEST_F(SessionTest, HelloComesFirstAndNothingElseBeforeWelcome) {
  session_->connected([this](std::string text) { sent_.push_back(nlohmann::json::parse(text)); });
  ASSERT_EQ(sent_.size(), 1U);
  EXPECT_EQ(sent_[0]["type"], "hello");
  EXPECT_EQ(sent_[0]["v"], 1);
  const auto& hello = sent_[0]["payload"];
  EXPECT_EQ(hello["agent_version"], "9.9.9");
  EXPECT_EQ(hello["capabilities"], nlohmann::json::array({"exec"}));
  EXPECT_EQ(hello["facts"]["hostname"], "h");
  EXPECT_EQ(hello["running"], nlohmann::json::array());
  EXPECT_EQ(hello["unacked"], nlohmann::json::array());
  session_->flush();
  EXPECT_EQ(sent_.size(), 1U);
}

TEST_F(SessionTest, WelcomeSetsTheHeartbeatIntervalUnlessOverridden) {
  EXPECT_EQ(session_->heartbeat_interval(), 30s);
  connect_and_welcome({{"heartbeat_interval_ms", 5000}});
  EXPECT_EQ(session_->heartbeat_interval(), 5s);
  session_->send_heartbeat({{"status", "offline"}}, {{"cpu_percent", 1.5}});
  const auto heartbeat = of_type("heartbeat").at(0)["payload"];
  EXPECT_EQ(heartbeat["agent_version"], "9.9.9");
  EXPECT_EQ(heartbeat["docker"]["status"], "offline");
  EXPECT_EQ(heartbeat["metrics"]["cpu_percent"], 1.5);
}

TEST_F(SessionTest, EventsFromElsewhereGoOutWithTheHeartbeat) {
  connect_and_welcome();
  session_->send_heartbeat({{"status", "online"}}, nlohmann::json::object(),
                           {{{"kind", "proxy_reapplied"}, {"details", {{"routes", 2}}}}});
  const auto events = of_type("event");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["payload"]["kind"], "proxy_reapplied");
  EXPECT_EQ(events[0]["payload"]["details"]["routes"], 2);
  EXPECT_EQ(of_type("heartbeat").size(), 1u);
}

TEST_F(SessionTest, RepeatedGarbageOrAFloodFromTheServerIsAbusive) {
  connect_and_welcome();
  Session::Event last = Session::Event::none;
  int answered = 0;
  for (int i = 0; i < 21; ++i) {
    last = session_->on_frame("garbage");
    answered += last == Session::Event::none ? 1 : 0;
  }
  EXPECT_EQ(answered, 20);
  EXPECT_EQ(last, Session::Event::abusive);
  EXPECT_EQ(of_type("error").size(), 21U);

  connect_and_welcome();
  bool flooded = false;
  for (int i = 0; i < 2500 && !flooded; ++i) {
    flooded = session_->on_frame(frame("ping", nlohmann::json::object(),
                                       "p" + std::to_string(i))) == Session::Event::abusive;
  }
  EXPECT_TRUE(flooded);
}

TEST_F(SessionTest, PingIsAnsweredWithPong) {
  connect_and_welcome();
  session_->on_frame(frame("ping", nlohmann::json::object(), "b.ping7"));
  const auto pong = of_type("pong").at(0);
  EXPECT_EQ(pong["ref"], "b.ping7");
  EXPECT_EQ(pong["payload"], nlohmann::json::object());
}

TEST_F(SessionTest, ACmdIsAckedRunAndReportedWithItsOutput) {
  connect_and_welcome();
  session_->on_frame(
      frame("cmd", {{"job_id", "job_1"}, {"kind", "exec"}, {"args", {{"print", "hi"}}}}, "b.cmd1"));
  const auto ack = of_type("ack").at(0);
  EXPECT_EQ(ack["ref"], "b.cmd1");
  EXPECT_EQ(ack["payload"], (nlohmann::json{{"job_id", "job_1"}, {"state", "accepted"}}));
  const auto log = wait_for("log", "job_1");
  ASSERT_FALSE(log.is_null());
  EXPECT_EQ(log["payload"]["text"], "hi");
  EXPECT_EQ(log["payload"]["seq"], 1);
  // The job's end follows once berthd has stored its output.
  session_->on_frame(frame("ack", {{"job_id", "job_1"}, {"seq", 1}}, "b.ack1"));
  const auto done = wait_for("job_done", "job_1");
  ASSERT_FALSE(done.is_null());
  EXPECT_EQ(done["payload"]["status"], "succeeded");
  EXPECT_EQ(done["payload"]["last_seq"], 1);
  EXPECT_TRUE(done["payload"]["error"].is_null());
  EXPECT_EQ(journal_->state("job_1"), Journal::State::finished);
}

TEST(OutputFlushDelay, AQuietLineGoesOutAtOnceAndAFlowOncePerWindow) {
  const SessionOptions options{.first_flush_delay = 2ms, .flush_delay = 50ms};
  EXPECT_EQ(output_flush_delay(1h, options), 2ms);  // the first line in a long while
  EXPECT_EQ(output_flush_delay(50ms, options), 2ms);
  EXPECT_EQ(output_flush_delay(10ms, options), 40ms);  // still flowing: the window's end
  EXPECT_EQ(output_flush_delay(49ms, options), 2ms);   // never sooner than the first delay
  EXPECT_EQ(output_flush_delay(0ms, options), 50ms);
}

TEST_F(SessionTest, OutputFramesArePacedAndUnackedOnesSentAgainWhenOverdue) {
  session_.reset();
  std::map<std::string, Executor> executors;
  std::vector<std::chrono::milliseconds> wakes;
  session_ = std::make_unique<Session>(
      SessionOptions{.agent_version = "9.9.9",
                     .output_frames_per_second = 2,
                     .resend_after = std::chrono::seconds(5)},
      *journal_, std::move(executors), clock_, random_,
      [&wakes](std::chrono::milliseconds delay) { wakes.push_back(delay); });
  for (int i = 0; i < 6; ++i) {
    session_->buffer().write("job_1", "stdout", std::to_string(i));
    session_->buffer().cut_all();
  }
  connect_and_welcome();
  EXPECT_EQ(of_type("log").size(), 4U);  // a burst of twice the rate, then the pace
  ASSERT_FALSE(wakes.empty());
  EXPECT_LE(wakes.back(), std::chrono::milliseconds(501));
  clock_.advance(std::chrono::seconds(1));
  session_->flush();
  EXPECT_EQ(of_type("log").size(), 6U);
  for (int seq = 2; seq <= 6; ++seq) {  // berthd refused the first (it was busy)
    session_->on_frame(frame("ack", {{"job_id", "job_1"}, {"seq", seq}}));
  }
  clock_.advance(std::chrono::seconds(5));
  session_->flush();
  const auto logs = of_type("log");
  ASSERT_EQ(logs.size(), 7U);
  EXPECT_EQ(logs.back()["payload"]["seq"], 1);
}

TEST_F(SessionTest, UnacknowledgedFramesAreResentAfterReconnectUntilAcked) {
  connect_and_welcome();
  session_->on_frame(
      frame("cmd", {{"job_id", "job_1"}, {"kind", "exec"}, {"args", {{"print", "x"}}}}));
  ASSERT_FALSE(wait_for("log", "job_1").is_null());
  session_->on_frame(frame("ack", {{"job_id", "job_1"}, {"seq", 1}}));
  ASSERT_FALSE(wait_for("job_done", "job_1").is_null());
  session_->disconnected();
  sent_.clear();

  session_->connected([this](std::string text) { sent_.push_back(nlohmann::json::parse(text)); });
  EXPECT_EQ(sent_[0]["payload"]["unacked"], nlohmann::json::array({"job_1"}));
  session_->on_frame(frame("welcome", {{"heartbeat_interval_ms", 5000}}));
  ASSERT_EQ(sent_.size(), 2U);  // hello, then the job_done (its output was stored)
  EXPECT_EQ(sent_[1]["type"], "job_done");

  session_->on_frame(frame("ack", {{"job_id", "job_1"}}));
  session_->disconnected();
  sent_.clear();
  connect_and_welcome();
  EXPECT_EQ(sent_.size(), 1U);  // only hello: everything was acknowledged
  EXPECT_EQ(sent_[0]["payload"]["unacked"], nlohmann::json::array());
}

TEST_F(SessionTest, ARepeatedCmdIsNeverRunTwice) {
  connect_and_welcome();
  session_->on_frame(
      frame("cmd", {{"job_id", "job_1"}, {"kind", "exec"}, {"args", {{"block", true}}}}));
  session_->on_frame(frame("cmd", {{"job_id", "job_1"}, {"kind", "exec"}}, "b.again"));
  EXPECT_EQ(of_type("ack").at(1)["payload"]["state"], "running");
  session_->on_frame(frame("cancel", {{"job_id", "job_1"}}));
  const auto done = wait_for("job_done", "job_1");
  EXPECT_EQ(done["payload"]["status"], "canceled");

  sent_.clear();
  session_->on_frame(frame("cmd", {{"job_id", "job_1"}, {"kind", "exec"}}, "b.third"));
  EXPECT_EQ(of_type("ack").at(0)["payload"]["state"], "finished");
  EXPECT_EQ(wait_for("job_done", "job_1")["payload"]["status"], "canceled");
  EXPECT_EQ(runs_, 1);
}

TEST_F(SessionTest, AJobRunningWhenTheAgentDiedIsReportedLost) {
  ASSERT_TRUE(journal_->record_started("job_gone"));
  session_.reset();
  journal_.reset();
  open_session();
  connect_and_welcome();
  // The lost job_done is sent right after welcome...
  const auto done = of_type("job_done");
  ASSERT_EQ(done.size(), 1U);
  EXPECT_EQ(done[0]["payload"]["status"], "lost");
  EXPECT_EQ(done[0]["payload"]["error"]["code"], "agent_restarted");
  // ...and a re-sent cmd for it is answered lost, not run.
  session_->on_frame(frame("cmd", {{"job_id", "job_gone"}, {"kind", "exec"}}));
  EXPECT_EQ(of_type("ack").at(0)["payload"]["state"], "lost");
  EXPECT_EQ(runs_, 0);
}

TEST_F(SessionTest, CancelOfAnUnknownJobSettlesItAsCanceled) {
  connect_and_welcome();
  session_->on_frame(frame("cancel", {{"job_id", "job_never"}}));
  const auto done = wait_for("job_done", "job_never");
  EXPECT_EQ(done["payload"]["status"], "canceled");
  // The cmd arriving late finds it settled.
  session_->on_frame(frame("cmd", {{"job_id", "job_never"}, {"kind", "exec"}}));
  EXPECT_EQ(of_type("ack").at(0)["payload"]["state"], "finished");
  EXPECT_EQ(runs_, 0);
}

TEST_F(SessionTest, AnUnknownKindFails) {
  connect_and_welcome();
  session_->on_frame(frame("cmd", {{"job_id", "job_k"}, {"kind", "teleport"}}));
  EXPECT_EQ(of_type("ack").at(0)["payload"]["state"], "accepted");
  const auto done = wait_for("job_done", "job_k");
  EXPECT_EQ(done["payload"]["status"], "failed");
  EXPECT_EQ(done["payload"]["error"]["code"], "unknown_kind");
}

TEST_F(SessionTest, BadFramesAreAnsweredWithErrorsAndTheSessionGoesOn) {
  connect_and_welcome();
  session_->on_frame("{not json");
  session_->on_frame(R"({"v":2,"id":"x","ts":1,"type":"ping","payload":{}})");
  session_->on_frame(std::string(protocol::kMaxFrameBytes + 1, ' '));
  session_->on_frame(frame("cmd", {{"kind", "exec"}}, "b.nojob"));
  session_->on_frame(frame("cmd", {{"job_id", "job_t"}, {"kind", "exec"}, {"timeout_ms", 0}}));
  session_->on_frame(frame("heartbeat", nlohmann::json::object(), "b.hb"));
  const auto errors = of_type("error");
  ASSERT_EQ(errors.size(), 6U);
  EXPECT_EQ(errors[0]["payload"]["code"], "malformed_json");
  EXPECT_EQ(errors[1]["payload"]["code"], "unsupported_version");
  EXPECT_EQ(errors[2]["payload"]["code"], "frame_too_large");
  EXPECT_EQ(errors[3]["payload"]["code"], "invalid_payload");
  EXPECT_EQ(errors[3]["ref"], "b.nojob");
  EXPECT_EQ(errors[4]["payload"]["code"], "invalid_payload");
  EXPECT_EQ(errors[5]["payload"]["code"], "unknown_type");
  session_->on_frame(frame("ping", nlohmann::json::object()));
  EXPECT_EQ(of_type("pong").size(), 1U);
}

TEST_F(SessionTest, HelloListsRunningJobs) {
  connect_and_welcome();
  session_->on_frame(
      frame("cmd", {{"job_id", "job_r"}, {"kind", "exec"}, {"args", {{"block", true}}}}));
  session_->disconnected();
  sent_.clear();
  session_->connected([this](std::string text) { sent_.push_back(nlohmann::json::parse(text)); });
  EXPECT_EQ(sent_[0]["payload"]["running"], nlohmann::json::array({"job_r"}));
  session_->cancel_all();
  EXPECT_TRUE(session_->wait_for_jobs(10s));
}

}  // namespace
}  // namespace berth::agent
