// http.probe against a tiny HTTP server on 127.0.0.1 (plain sockets, one thread).

#include "agent/host/http_probe.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tiny_server.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using testing::closed_port;
using testing::TinyServer;

class Lines : public JobOutput {
 public:
  void write(std::string_view, std::string_view text) override {
    std::lock_guard lock(mutex_);
    text_.append(text);
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  std::mutex mutex_;
  std::string text_;
};

struct Probe {
  Lines output;
  std::atomic<bool> cancelled{false};
  JobOutcome run(json args) {
    JobContext job{.job_id = "job_probe",
                   .kind = "http.probe",
                   .args = std::move(args),
                   .timeout = std::chrono::milliseconds(60'000),
                   .output = output,
                   .cancelled = cancelled};
    return run_http_probe(job);
  }
};

TEST(HttpProbe, PassesOnceTheAppAnswers) {
  TinyServer server(200, 2);
  Probe probe;
  const auto outcome = probe.run({{"port", server.port()},
                                  {"path", "/healthz?x=1"},
                                  {"interval_ms", 10},
                                  {"timeout_ms", 5000},
                                  {"retries", 5}});
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  EXPECT_EQ(outcome.result, json({{"attempts", 3}, {"status", 200}}));
  EXPECT_EQ(server.last_target(), "/healthz?x=1");
  const auto text = probe.output.text();
  EXPECT_NE(text.find("health: attempt 1/5: 503"), std::string::npos) << text;
  EXPECT_NE(text.find("health: attempt 3/5: 200 Whatever in "), std::string::npos) << text;
}

TEST(HttpProbe, ARedirectIsHealthy) {
  TinyServer server(302, 0);
  Probe probe;
  EXPECT_EQ(probe.run({{"port", server.port()}, {"retries", 1}}).result["status"], 302);
}

TEST(HttpProbe, FailsAfterItsRetries) {
  Probe probe;
  const auto outcome = probe.run({{"port", closed_port()}, {"interval_ms", 10}, {"retries", 3}});
  EXPECT_EQ(outcome.status, "failed");
  EXPECT_EQ(outcome.error_code, "health_check_failed");
  EXPECT_NE(outcome.error_message.find("refused"), std::string::npos) << outcome.error_message;
  EXPECT_NE(probe.output.text().find("health: attempt 3/3: "), std::string::npos);
  EXPECT_EQ(probe.output.text().find("attempt 4"), std::string::npos);

  TinyServer sick(500, 0);
  Probe second;
  const auto unhealthy = second.run({{"port", sick.port()}, {"interval_ms", 10}, {"retries", 2}});
  EXPECT_EQ(unhealthy.error_code, "health_check_failed");
  EXPECT_NE(unhealthy.error_message.find("500"), std::string::npos);
}

TEST(HttpProbe, CancelStopsTheWait) {
  Probe probe;
  std::thread canceller([&probe] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    probe.cancelled = true;
  });
  // An hour of start period: only the cancel can end this job.
  const auto outcome = probe.run({{"port", closed_port()}, {"start_period_ms", 3'600'000}});
  canceller.join();
  EXPECT_EQ(outcome.status, "canceled");
}

TEST(HttpProbe, BadArgumentsAreRefused) {
  Probe probe;
  EXPECT_EQ(probe.run({{"port", 80}, {"host", "10.1.1.1"}}).error_code, "invalid_args");
}

}  // namespace
}  // namespace berth::agent::host
