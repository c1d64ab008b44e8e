// berth_client's certificate checks against a TLS server with a self-signed certificate: the
// agent's enrolment relies on these (a CA file with host-name checks, or a pinned SHA-256).
#include <gtest/gtest.h>

#include "client/client.hpp"
#include "client/test_certificate.hpp"
#include "client/tiny_http_server.hpp"
#include "support/temp_dir.hpp"

namespace berth::client {
namespace {

using testing::SeenRequest;
using testing::TinyHttpServer;

class ClientTls : public ::testing::Test {
 protected:
  // A server whose certificate names `san`.
  std::unique_ptr<TinyHttpServer> serve(const std::string& san) {
    cert_ = testing::make_self_signed(dir_.path(), san);
    return std::make_unique<TinyHttpServer>(
        [](const SeenRequest&, int) { return TinyHttpServer::answer(200, R"({"ok":true})"); },
        TinyHttpServer::Tls{.cert_file = cert_.cert_file, .key_file = cert_.key_file});
  }
  static Result<Response> get(const TinyHttpServer& server, ClientOptions options) {
    options.base_url = server.url();
    options.max_attempts = 1;
    return Client(std::move(options)).request("GET", "/api/v1/health");
  }

  testing::TempDir dir_;
  testing::TestCertificate cert_;
};

TEST_F(ClientTls, TheSystemRootsRefuseASelfSignedCertificate) {
  const auto server = serve("IP:127.0.0.1");
  const auto answer = get(*server, {});
  ASSERT_FALSE(answer);
  EXPECT_TRUE(is_network_error(answer.error()));
}

TEST_F(ClientTls, ACaFileIsTrustedForTheNameItCertifies) {
  const auto server = serve("IP:127.0.0.1");
  const auto answer = get(*server, {.base_url = "", .ca_file = cert_.cert_file.string()});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
}

TEST_F(ClientTls, ACaFileDoesNotCoverAnotherName) {
  const auto server = serve("DNS:other.test");
  const auto answer = get(*server, {.base_url = "", .ca_file = cert_.cert_file.string()});
  ASSERT_FALSE(answer);
}

TEST_F(ClientTls, APinnedCertificateIsTrustedWhateverItsNameAndChain) {
  const auto server = serve("DNS:other.test");
  const auto answer = get(*server, {.base_url = "", .pin_sha256 = cert_.sha256});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->json()["ok"], true);
}

TEST_F(ClientTls, AnotherPinIsRefused) {
  const auto server = serve("IP:127.0.0.1");
  std::string wrong = cert_.sha256;
  wrong[0] = static_cast<char>(wrong[0] ^ 1);
  const auto answer = get(*server, {.base_url = "", .pin_sha256 = wrong});
  ASSERT_FALSE(answer);
  EXPECT_TRUE(is_network_error(answer.error()));
}

}  // namespace
}  // namespace berth::client
