#pragma once
// The pieces of the system tests that get real certificates through ACME (TESTING.md): a Caddy
// acting as the ACME CA (its `acme_server`) inside a network namespace, names that resolve to
// the host inside that namespace (its own /etc/hosts), and the DNAT that sends what the
// namespace dials on ports 80/443 of the host to the server Caddy's ports.

#include <filesystem>
#include <memory>
#include <string>

#include "system/deploy_fixture.hpp"
#include "system/netns_fixture.hpp"

namespace berth::testing {

/// /etc/netns/<ns>/hosts, which `ip netns exec` mounts over /etc/hosts for what runs in <ns>;
/// removed again with the directory (and /etc/netns when this made it and it is empty).
class NetnsHosts {
 public:
  NetnsHosts(const std::string& ns, const std::string& text);
  ~NetnsHosts();
  NetnsHosts(const NetnsHosts&) = delete;
  NetnsHosts& operator=(const NetnsHosts&) = delete;

 private:
  std::filesystem::path dir_;
  bool made_parent_ = false;
};

/// The whole text of `path` ("" when unreadable).
std::string read_text(const std::filesystem::path& path);

/// Inside `ns`, TCP to the host's veth address on ports 80 and 443 goes to `http_port` and
/// `https_port` there (iptables DNAT in the namespace's own nat table). "" when done, else why
/// not (the test skips).
std::string redirect_web_ports(NetnsFixture& ns, int http_port, int https_port);

/// A Caddy in `ns` that is an ACME CA on :8443 (Caddy's local CA, with names of its own so its
/// certificates cannot be mistaken for a server Caddy's internal ones), its files under `dir`.
/// Stopped with the namespace.
class AcmeTestCa {
 public:
  static constexpr const char* kIntermediateName = "Berth Test ACME Intermediate";

  /// Why the ACME tests cannot run here ("" when they can): no network namespaces (not root, no
  /// iproute2) or no iptables for the DNAT.
  static std::string unavailable_reason();

  /// Starts it and waits (20 s at most) until its directory answers; throws std::runtime_error
  /// with its log otherwise.
  AcmeTestCa(NetnsFixture& ns, const std::filesystem::path& dir);

  /// The ACME directory URL, as a server's proxy settings take it (acme_ca).
  const std::string& directory() const { return directory_; }
  /// Its root certificate (PEM), for curl --cacert and the proxy settings' acme_ca_root.
  const std::filesystem::path& root_file() const { return root_file_; }
  std::string root() const { return read_text(root_file_); }

 private:
  std::string directory_;
  std::filesystem::path root_file_;
};

/// The deployment fixture (a real agent, dockerd and Caddy) for tests whose server gets its
/// certificates from an AcmeTestCa; skipped where the CA cannot run.
class AcmeDeployTest : public DeployTest {
 protected:
  void SetUp() override;

  /// In `ns`: the host's ports 80/443 go to the server Caddy's, the CA runs (ca_), and the
  /// server's proxy settings point its acme issuer at it with its root and `email`
  /// (https_port_ is the Caddy's HTTPS port). "" when done; else why the test has to skip. A
  /// CA that does not start or settings refused are test failures (ca_ stays null).
  std::string point_server_at_ca(NetnsFixture& ns, const std::string& email);

  std::unique_ptr<AcmeTestCa> ca_;
  int https_port_ = 0;
};

}  // namespace berth::testing
