// What the agent keeps of Caddy's TLS log lines (the reason a certificate is missing), and
// that they arrive over UDP as Caddy's net log writer sends them.
#include "agent/host/caddy_tls_log.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace berth::agent::host {
namespace {

using Attempts = std::map<std::string, AcmeAttempt, std::less<>>;

// Lines as Caddy 2.6.2 writes them (seen with an unreachable CA).
constexpr const char* kFailed =
    R"({"level":"error","ts":1796507871.71428,"logger":"tls.obtain","msg":"could not get )"
    R"(certificate from issuer","identifier":"a.example.test","issuer":"127.0.0.1:1-dir",)"
    R"("error":"dial tcp 127.0.0.1:1: connect: connection refused"})";
constexpr const char* kWillRetry =
    R"({"level":"error","ts":1796507871.71,"logger":"tls.obtain","msg":"will retry","error":)"
    R"("[a.example.test] Obtain: connection refused","attempt":1,"retrying_in":60})";
constexpr const char* kObtained =
    R"({"level":"info","ts":1796507999.5,"logger":"tls.obtain","msg":"certificate obtained )"
    R"(successfully","identifier":"a.example.test"})";

TEST(CaddyTlsLog, KeepsTheLastFailureUntilACertificateIsObtained) {
  Attempts attempts;
  record_tls_log_line(attempts, kFailed);
  record_tls_log_line(attempts, kWillRetry);  // no identifier: nothing to file it under
  ASSERT_EQ(attempts.size(), 1U);
  const AcmeAttempt& failed = attempts.at("a.example.test");
  EXPECT_EQ(failed.error,
            "could not get certificate from issuer: dial tcp 127.0.0.1:1: connect: connection "
            "refused");
  EXPECT_DOUBLE_EQ(failed.failed_at, 1796507871.71428);
  record_tls_log_line(attempts, kObtained);
  EXPECT_EQ(attempts.at("a.example.test").error, "");
  EXPECT_DOUBLE_EQ(attempts.at("a.example.test").obtained_at, 1796507999.5);
}

TEST(CaddyTlsLog, IgnoresOtherLoggersJunkAndDeepJson) {
  Attempts attempts;
  record_tls_log_line(attempts, R"({"level":"error","logger":"http.log","identifier":"x.test",)"
                                R"("msg":"m","error":"e"})");
  record_tls_log_line(attempts, "not json");
  record_tls_log_line(attempts, std::string(10'000, '[') + std::string(10'000, ']'));
  record_tls_log_line(attempts, R"({"logger":"tls.obtain","identifier":7,"error":"e"})");
  EXPECT_TRUE(attempts.empty());
}

TEST(CaddyTlsLog, BoundsWhatItKeeps) {
  Attempts attempts;
  for (std::size_t i = 0; i < CaddyTlsLog::kMaxTracked + 5; ++i) {
    record_tls_log_line(attempts, R"({"level":"error","logger":"tls.obtain","identifier":"h)" +
                                      std::to_string(i) + R"(.test","msg":"m","error":")" +
                                      std::string(i == 0 ? 5000 : 1, 'x') + R"("})");
  }
  EXPECT_EQ(attempts.size(), CaddyTlsLog::kMaxTracked);
  EXPECT_EQ(attempts.begin()->second.error.size(), CaddyTlsLog::kMaxMessage);
}

TEST(CaddyTlsLog, ReceivesCaddysDatagrams) {
  auto log = CaddyTlsLog::start(0);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ((*log)->caddy_address(), "udp/127.0.0.1:" + std::to_string((*log)->port()));
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>((*log)->port()));
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  const std::string line = kFailed;
  ASSERT_EQ(::sendto(fd, line.data(), line.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(line.size()));
  ::close(fd);
  for (int attempt = 0; attempt < 200 && !(*log)->attempt_of("a.example.test"); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE((*log)->attempt_of("a.example.test"));
  EXPECT_NE((*log)->attempt_of("a.example.test")->error.find("connection refused"),
            std::string::npos);
  EXPECT_FALSE((*log)->attempt_of("b.example.test"));
}

TEST(CaddyTlsLog, TheLoggingSectionSendsOnlyTheTlsLoggers) {
  const auto logging = caddy_tls_logging("udp/127.0.0.1:9");
  EXPECT_EQ(logging["logs"]["berth_tls"]["writer"]["output"], "net");
  EXPECT_EQ(logging["logs"]["berth_tls"]["writer"]["address"], "udp/127.0.0.1:9");
  EXPECT_EQ(logging["logs"]["berth_tls"]["include"][0], "tls.obtain");
}

}  // namespace
}  // namespace berth::agent::host
