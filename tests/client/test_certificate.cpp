#include "client/test_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace berth::testing {
namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("openssl: ") + what);
  }
}

}  // namespace

TestCertificate make_self_signed(const std::filesystem::path& dir, const std::string& san) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  check(X509_set_version(cert.get(), 2) == 1, "version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1, "serial");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string common_name = "berth test";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
  X509V3_CTX context;
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair{NID_subject_alt_name, san},
        std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    check(extension != nullptr && X509_add_ext(cert.get(), extension, -1) == 1, "extension");
    X509_EXTENSION_free(extension);
  }
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");

  TestCertificate out{.cert_file = dir / "cert.pem", .key_file = dir / "key.pem", .sha256 = {}};
  FILE* cert_out = std::fopen(out.cert_file.c_str(), "w");
  FILE* key_out = std::fopen(out.key_file.c_str(), "w");
  check(cert_out != nullptr && key_out != nullptr, "fopen");
  check(PEM_write_X509(cert_out, cert.get()) == 1, "write cert");
  check(PEM_write_PrivateKey(key_out, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  std::fclose(cert_out);
  std::fclose(key_out);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  check(X509_digest(cert.get(), EVP_sha256(), digest.data(), &length) == 1, "digest");
  out.sha256.assign(reinterpret_cast<const char*>(digest.data()), length);
  return out;
}

}  // namespace berth::testing
