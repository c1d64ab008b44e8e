// proxy.certificates without Caddy: the certificate a TLS server serves is read back by name,
// nothing listening or no TLS is a reason rather than a failure of the job, and bad arguments
// are refused.
#include "agent/host/certificate_job.hpp"

#include <gtest/gtest.h>

#include "client/test_certificate.hpp"
#include "client/tiny_http_server.hpp"
#include "support/temp_dir.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;

class Silent : public JobOutput {
 public:
  void write(std::string_view, std::string_view) override {}
};

JobOutcome run(const json& args) {
  Silent output;
  std::atomic<bool> cancelled{false};
  JobContext job{.job_id = "job_1",
                 .kind = "proxy.certificates",
                 .args = args,
                 .timeout = std::chrono::milliseconds(10'000),
                 .output = output,
                 .cancelled = cancelled};
  return run_proxy_certificates(job, nullptr);
}

TEST(CertificateJob, ReadsTheServedCertificateByName) {
  berth::testing::TempDir dir;
  const auto certificate = berth::testing::make_self_signed(dir.path(), "DNS:shop.example.test");
  berth::testing::TinyHttpServer server(
      [](const berth::testing::SeenRequest&, int) { return std::string(); },
      berth::testing::TinyHttpServer::Tls{.cert_file = certificate.cert_file,
                                          .key_file = certificate.key_file});
  const JobOutcome outcome = run({{"hosts", {"shop.example.test"}}, {"https_port", server.port()}});
  ASSERT_EQ(outcome.status, "succeeded") << outcome.error_message;
  const json& report = outcome.result["certificates"][0];
  EXPECT_EQ(report["host"], "shop.example.test");
  EXPECT_EQ(report["certificate"]["sans"], json::array({"shop.example.test"}));
  EXPECT_FALSE(report["certificate"]["not_after"].get<std::string>().empty());
  EXPECT_TRUE(report["error"].is_null());
  EXPECT_TRUE(report["acme"].is_null());
}

TEST(CertificateJob, NothingServedIsAReasonNotAFailure) {
  const int closed = 1;  // nothing listens on port 1
  const JobOutcome outcome =
      run({{"hosts", {"a.example.test", "*.example.test"}}, {"https_port", closed}});
  ASSERT_EQ(outcome.status, "succeeded");
  for (const auto& report : outcome.result["certificates"]) {
    EXPECT_TRUE(report["certificate"].is_null());
    EXPECT_NE(report["error"].get<std::string>().find("cannot connect"), std::string::npos)
        << report.dump();
  }
}

TEST(CertificateJob, RefusesBadArguments) {
  EXPECT_EQ(run({{"hosts", "a.example.test"}}).error_code, "invalid_args");
  EXPECT_EQ(run({{"hosts", {"a b"}}}).error_code, "invalid_args");
  EXPECT_EQ(run({{"hosts", json::array()}, {"https_port", 0}}).error_code, "invalid_args");
  EXPECT_EQ(run({{"hosts", json::array()}, {"extra", 1}}).error_code, "invalid_args");
  EXPECT_EQ(run({{"hosts", json(std::vector<std::string>(1001, "a.test"))}}).error_code,
            "invalid_args");
}

}  // namespace
}  // namespace berth::agent::host
