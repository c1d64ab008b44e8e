#include "backup/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace berth::backup {

namespace {

std::string hex_of(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &size) == nullptr) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  return {reinterpret_cast<const char*>(out.data()), size};
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Trimmed, with inner runs of spaces folded into one (SigV4's "Trimall").
std::string trimall(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out.push_back(' ');
      space = false;
    }
    out.push_back(c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> canonical_headers(const SigV4Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(lower(name), trimall(value));
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Repeated headers become one, values joined by commas in the order given.
  std::vector<std::pair<std::string, std::string>> merged;
  for (auto& header : headers) {
    if (!merged.empty() && merged.back().first == header.first) {
      merged.back().second += "," + header.second;
    } else {
      merged.push_back(std::move(header));
    }
  }
  return merged;
}

std::string credential_scope(const SigV4Credentials& credentials, std::string_view amz_date) {
  return std::string(amz_date.substr(0, 8)) + "/" + credentials.region + "/" + credentials.service +
         "/aws4_request";
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return hex_of(digest.data(), digest.size());
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 0x0f]);
    }
  }
  return out;
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += name + "=" + value;
  }
  return out;
}

std::string signed_headers(const SigV4Request& request) {
  std::string out;
  for (const auto& [name, value] : canonical_headers(request)) {
    if (!out.empty()) {
      out.push_back(';');
    }
    out += name;
  }
  return out;
}

std::string canonical_request(const SigV4Request& request) {
  std::string headers;
  for (const auto& [name, value] : canonical_headers(request)) {
    headers += name + ":" + value + "\n";
  }
  return request.method + "\n" + request.path + "\n" + canonical_query(request.query) + "\n" +
         headers + "\n" + signed_headers(request) + "\n" + request.payload_hash;
}

std::string string_to_sign(const SigV4Request& request, const SigV4Credentials& credentials,
                           std::string_view amz_date) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" +
         credential_scope(credentials, amz_date) + "\n" + sha256_hex(canonical_request(request));
}

std::string signature(const SigV4Request& request, const SigV4Credentials& credentials,
                      std::string_view amz_date) {
  const std::string date_key = hmac("AWS4" + credentials.secret_access_key, amz_date.substr(0, 8));
  const std::string region_key = hmac(date_key, credentials.region);
  const std::string service_key = hmac(region_key, credentials.service);
  const std::string signing_key = hmac(service_key, "aws4_request");
  const std::string signed_text = hmac(signing_key, string_to_sign(request, credentials, amz_date));
  return hex_of(reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
}

std::string authorization(const SigV4Request& request, const SigV4Credentials& credentials,
                          std::string_view amz_date) {
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
         credential_scope(credentials, amz_date) + ", SignedHeaders=" + signed_headers(request) +
         ", Signature=" + signature(request, credentials, amz_date);
}

}  // namespace berth::backup
