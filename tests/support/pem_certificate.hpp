#pragma once
// Certificates made in memory for the domain tests (no openssl binary, no files checked in):
// a CA, and leaves it signs for given DNS names and validity, each with its EC P-256 key.

#include <string>
#include <vector>

namespace berth::testing {

struct PemPair {
  std::string chain;  // PEM: the certificate (a leaf is followed by its CA)
  std::string key;    // PEM private key
};

struct LeafSpec {
  std::vector<std::string> dns_names = {};  // subjectAltName DNS entries ("*.x.test" allowed)
  long not_before_s = -60;                  // relative to now
  long not_after_s = 86400;
};

/// A self-signed CA ("berth test CA"). Throws std::runtime_error when OpenSSL fails.
PemPair make_test_ca();

/// A leaf for `spec` signed by `ca` (from make_test_ca): chain = leaf PEM + CA PEM.
PemPair make_test_leaf(const PemPair& ca, const LeafSpec& spec);

}  // namespace berth::testing
