#include "domain/domains/certificate_check.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "core/time_format.hpp"
#include "domain/domains/domain_rules.hpp"

namespace berth::domains {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

using Cert = std::unique_ptr<X509, X509Free>;

Error bad_chain(std::string message) {
  return Error::validation("certificate.chain", std::move(message));
}

Error bad_key(std::string message) {
  return Error::validation("certificate.key", std::move(message));
}

std::unique_ptr<BIO, BioFree> memory_bio(std::string_view text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// An encrypted key is refused rather than prompted for.
int no_password(char*, int, int, void*) { return 0; }

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::vector<std::string> dns_names(X509* cert) {
  std::vector<std::string> out;
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DNS) {
      continue;
    }
    const auto* text = ASN1_STRING_get0_data(name->d.dNSName);
    out.emplace_back(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName)));
  }
  return out;
}

Result<TimePoint> time_of(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) {
    return fail(bad_chain("the certificate's validity dates do not parse"));
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

bool covers(X509* leaf, const std::vector<std::string>& sans, std::string_view hostname) {
  if (is_wildcard(hostname)) {
    for (const auto& san : sans) {
      if (san.size() == hostname.size() &&
          std::equal(san.begin(), san.end(), hostname.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return true;
      }
    }
    return false;
  }
  return X509_check_host(leaf, hostname.data(), hostname.size(),
                         X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

}  // namespace

nlohmann::json certificate_info_json(const CertificateInfo& info) {
  return {{"subject", info.subject},
          {"issuer", info.issuer},
          {"not_after", format_rfc3339(info.not_after)},
          {"sans", info.sans}};
}

Result<CertificateInfo> check_certificate(std::string_view chain_pem, std::string_view key_pem,
                                          std::string_view hostname, TimePoint now) {
  if (chain_pem.empty() || chain_pem.size() > kMaxCertificateChain) {
    return fail(bad_chain("certificate.chain is required: PEM certificates, at most 64 KiB"));
  }
  if (key_pem.empty() || key_pem.size() > kMaxPrivateKey) {
    return fail(bad_key("certificate.key is required: a PEM private key, at most 16 KiB"));
  }
  std::vector<Cert> chain;
  {
    auto in = memory_bio(chain_pem);
    while (true) {
      Cert cert(PEM_read_bio_X509(in.get(), nullptr, no_password, nullptr));
      if (!cert) {
        break;
      }
      chain.push_back(std::move(cert));
    }
    ERR_clear_error();  // the end of the input reads as an error
  }
  if (chain.empty()) {
    return fail(bad_chain("certificate.chain holds no PEM certificate"));
  }
  std::unique_ptr<EVP_PKEY, KeyFree> key;
  {
    auto in = memory_bio(key_pem);
    key.reset(PEM_read_bio_PrivateKey(in.get(), nullptr, no_password, nullptr));
    ERR_clear_error();
  }
  if (!key) {
    return fail(bad_key("certificate.key is not a PEM private key (an encrypted key is refused)"));
  }
  X509* leaf = chain.front().get();
  if (X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return fail(bad_key("certificate.key does not belong to the first certificate of the chain"));
  }
  CertificateInfo info{.subject = name_text(X509_get_subject_name(leaf)),
                       .issuer = name_text(X509_get_issuer_name(leaf)),
                       .not_after = {},
                       .sans = dns_names(leaf)};
  auto not_after = time_of(X509_get0_notAfter(leaf));
  auto not_before = time_of(X509_get0_notBefore(leaf));
  if (!not_after || !not_before) {
    return fail(!not_after ? not_after.error() : not_before.error());
  }
  info.not_after = *not_after;
  if (*not_after <= now) {
    return fail(bad_chain("the certificate expired on " + format_rfc3339(*not_after)));
  }
  if (*not_before > now) {
    return fail(bad_chain("the certificate is valid only from " + format_rfc3339(*not_before)));
  }
  if (!covers(leaf, info.sans, hostname)) {
    return fail(bad_chain("the certificate does not cover " + std::string(hostname)));
  }
  return info;
}

}  // namespace berth::domains
