#include "domain/identity/second_factor.hpp"

#include <algorithm>
#include <cctype>

#include "core/totp.hpp"

namespace berth {

namespace {

constexpr int kRecoveryCodes = 10;

// Recovery codes are compared without dashes, spaces or case.
std::string normalize_recovery_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

bool looks_like_totp(std::string_view code) {
  return code.size() == static_cast<std::size_t>(totp::kDigits) &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::vector<std::uint8_t>> totp_secret_of(const IdentityContext& ctx,
                                                 const UserRecord& user) {
  auto base32 = crypto::open_sealed(ctx.services.master_key, user.totp_secret_enc);
  if (!base32) {
    return fail(std::move(base32.error()));
  }
  auto secret = crypto::base32_decode(*base32);
  if (!secret) {
    return fail(Error::internal("stored TOTP secret is not base32"));
  }
  return std::move(*secret);
}

Result<bool> accept_second_factor(IdentityContext& ctx, Tx& tx, UserRecord& user,
                                  std::string_view code) {
  if (user.totp_secret_enc.empty()) {
    return false;
  }
  if (looks_like_totp(code)) {
    auto secret = totp_secret_of(ctx, user);
    if (!secret) {
      return fail(std::move(secret.error()));
    }
    const auto step = totp::verify(*secret, code, ctx.clock().now(), user.totp_last_step);
    if (!step) {
      return false;
    }
    user.totp_last_step = *step;
    return true;
  }
  const std::string normalized = normalize_recovery_code(code);
  if (normalized.size() != 10) {
    return false;
  }
  return tx.use_recovery_code(user.id, crypto::sha256_hex(normalized), ctx.clock().now());
}

Result<std::vector<std::string>> issue_recovery_codes(IdentityContext& ctx, Tx& tx,
                                                      std::string_view user_id) {
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    std::array<std::uint8_t, 7> raw{};
    ctx.random().fill(raw);
    const std::string digits = crypto::base32_encode(raw).substr(0, 10);
    codes.push_back(digits.substr(0, 5) + "-" + digits.substr(5));
    hashes.push_back(crypto::sha256_hex(digits));
  }
  if (auto done = tx.replace_recovery_codes(user_id, hashes); !done) {
    return fail(std::move(done.error()));
  }
  return codes;
}

}  // namespace berth
