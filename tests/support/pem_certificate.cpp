#include "support/pem_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace berth::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("openssl: ") + what);
  }
}

std::string pem_of(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  check(PEM_write_bio_X509(out.get(), cert) == 1, "write cert");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  check(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

template <class Read, class Free>
auto parse(const std::string& pem, Read read, Free free_fn) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  auto* value = read(in.get(), nullptr, nullptr, nullptr);
  check(value != nullptr, "parse");
  return std::unique_ptr<std::remove_pointer_t<decltype(value)>, Free>(value, free_fn);
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr && X509_add_ext(cert, extension, -1) == 1, "extension");
  X509_EXTENSION_free(extension);
}

Cert new_cert(EVP_PKEY* key, const std::string& common_name, long serial, long from, long to) {
  Cert cert(X509_new(), X509_free);
  check(X509_set_version(cert.get(), 2) == 1, "version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1, "serial");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to);
  check(X509_set_pubkey(cert.get(), key) == 1, "pubkey");
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

}  // namespace

PemPair make_test_ca() {
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  Cert cert = new_cert(key.get(), "berth test CA", 1, -3600, 30L * 86400);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");
  return {.chain = pem_of(cert.get()), .key = pem_of(key.get())};
}

PemPair make_test_leaf(const PemPair& ca, const LeafSpec& spec) {
  auto ca_cert = parse(ca.chain, PEM_read_bio_X509, X509_free);
  auto ca_key = parse(ca.key, PEM_read_bio_PrivateKey, EVP_PKEY_free);
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  static long serial = 100;
  Cert cert = new_cert(key.get(), spec.dns_names.empty() ? "leaf" : spec.dns_names.front(),
                       ++serial, spec.not_before_s, spec.not_after_s);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) == 1, "issuer");
  std::string san;
  for (const auto& name : spec.dns_names) {
    san += (san.empty() ? "DNS:" : ",DNS:") + name;
  }
  if (!san.empty()) {
    add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, san);
  }
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
  check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0, "sign");
  return {.chain = pem_of(cert.get()) + ca.chain, .key = pem_of(key.get())};
}

}  // namespace berth::testing
