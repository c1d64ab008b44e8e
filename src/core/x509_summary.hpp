#pragma once
/// What is shown of an X.509 certificate — subject, issuer, validity and DNS names — read with
/// OpenSSL. berthd shows it for an uploaded certificate; berth-agent reports it for the
/// certificate Caddy serves for a hostname. Pure; thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace berth {

struct X509Summary {
  std::string subject = {};  // the subject's CN, else its whole one-line form
  std::string issuer = {};   // the issuer's CN (and O when there is one)
  TimePoint not_before = {};
  TimePoint not_after = {};
  std::vector<std::string> sans = {};  // the DNS names of subjectAltName
};

/// The first certificate of a PEM text; Error::invalid when there is none or it cannot be read.
Result<X509Summary> summarize_pem_certificate(std::string_view pem);
/// One DER-encoded certificate.
Result<X509Summary> summarize_der_certificate(std::string_view der);

/// {subject, issuer, not_before, not_after (RFC 3339), sans}.
nlohmann::json x509_summary_json(const X509Summary& summary);

}  // namespace berth
