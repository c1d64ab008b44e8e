#pragma once
/// A custom certificate as an admin uploads it (PEM chain and private key), checked with
/// OpenSSL before it is stored: it parses, the key matches the first (leaf) certificate, the
/// leaf covers the domain's hostname and is valid now. Pure (the time is given).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace berth::domains {

inline constexpr std::size_t kMaxCertificateChain = 64 * 1024;
inline constexpr std::size_t kMaxPrivateKey = 16 * 1024;

/// What is shown of a certificate (never the key).
struct CertificateInfo {
  std::string subject = {};
  std::string issuer = {};
  TimePoint not_after = {};
  std::vector<std::string> sans = {};  // the DNS names
};

nlohmann::json certificate_info_json(const CertificateInfo& info);

/// Refused as 400 validation_failed naming "certificate.chain" or "certificate.key": empty or
/// over the size bound, not PEM, an encrypted key, a key of another certificate, a leaf that
/// does not cover `hostname` (a wildcard domain needs the same wildcard among the names),
/// expired or not yet valid at `now`.
Result<CertificateInfo> check_certificate(std::string_view chain_pem, std::string_view key_pem,
                                          std::string_view hostname, TimePoint now);

}  // namespace berth::domains
