#include "core/x509_summary.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "core/time_format.hpp"

namespace berth {
namespace {

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string entry_text(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) {
    return {};
  }
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    return {};
  }
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return text;
}

std::string one_line(const X509_NAME* name) {
  char buffer[512];
  X509_NAME_oneline(name, buffer, sizeof buffer);
  return buffer;
}

TimePoint time_of(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) {
    return {};
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

X509Summary summary_of(const X509* certificate) {
  X509Summary summary;
  const X509_NAME* subject = X509_get_subject_name(certificate);
  summary.subject = entry_text(subject, NID_commonName);
  if (summary.subject.empty()) {
    summary.subject = one_line(subject);
  }
  const X509_NAME* issuer = X509_get_issuer_name(certificate);
  summary.issuer = entry_text(issuer, NID_commonName);
  const std::string organisation = entry_text(issuer, NID_organizationName);
  if (summary.issuer.empty()) {
    summary.issuer = organisation.empty() ? one_line(issuer) : organisation;
  } else if (!organisation.empty() && summary.issuer.find(organisation) == std::string::npos) {
    summary.issuer += " (" + organisation + ")";
  }
  summary.not_before = time_of(X509_get0_notBefore(certificate));
  summary.not_after = time_of(X509_get0_notAfter(certificate));
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      summary.sans.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                static_cast<std::size_t>(ASN1_STRING_length(dns)));
    }
  }
  GENERAL_NAMES_free(names);
  return summary;
}

}  // namespace

Result<X509Summary> summarize_pem_certificate(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!certificate) {
    return fail(Error::invalid("not a PEM certificate"));
  }
  return summary_of(certificate.get());
}

Result<X509Summary> summarize_der_certificate(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr certificate(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
  if (!certificate) {
    return fail(Error::invalid("not a DER certificate"));
  }
  return summary_of(certificate.get());
}

nlohmann::json x509_summary_json(const X509Summary& summary) {
  return {{"subject", summary.subject},
          {"issuer", summary.issuer},
          {"not_before", format_rfc3339(summary.not_before)},
          {"not_after", format_rfc3339(summary.not_after)},
          {"sans", summary.sans}};
}

}  // namespace berth
