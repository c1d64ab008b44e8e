#pragma once
// A self-signed certificate made in memory for the TLS tests (no openssl binary, no files
// checked in): an EC P-256 key, the given subject alternative names, valid for a day.

#include <filesystem>
#include <string>

namespace berth::testing {

struct TestCertificate {
  std::filesystem::path cert_file;  // PEM
  std::filesystem::path key_file;   // PEM
  std::string sha256;               // 32 raw bytes: the DER certificate's digest (a pin)
};

/// Writes cert.pem and key.pem into `dir`; `san` like "IP:127.0.0.1" or "DNS:other.test".
/// Throws std::runtime_error when OpenSSL fails.
TestCertificate make_self_signed(const std::filesystem::path& dir, const std::string& san);

}  // namespace berth::testing
