#pragma once
/// Mailer over SMTP with libcurl: one connection per message, STARTTLS or SMTPS unless the
/// options allow plain text (loopback test sinks only). Thread-safe; send() blocks.

#include <chrono>
#include <string>

#include "core/error.hpp"
#include "core/random.hpp"
#include "domain/notify/mailer.hpp"

namespace berth {

struct SmtpOptions {
  std::string url;   // smtp://host:port (STARTTLS required when require_tls) or smtps://host:port
  std::string from;  // envelope and header From, e.g. berth@example.com
  std::string username = {};
  std::string password = {};
  bool require_tls = true;  // false only for loopback test sinks: STARTTLS is then opportunistic
  std::chrono::seconds timeout{10};  // for connecting and for the whole exchange; at least 1 s
};

class SmtpMailer final : public Mailer {
 public:
  /// Initialises libcurl once per process; throws std::runtime_error when it cannot.
  explicit SmtpMailer(SmtpOptions options);

  /// Delivers `email` to the server in `url` and returns once the server accepted it.
  /// Error::invalid (code validation_failed, details.field to|subject|from) for a malformed
  /// address or subject; Error::unavailable when the server cannot be reached, the TLS
  /// requirement cannot be met or the server refuses; internal_detail says why, never the password.
  Result<void> send(const Email& email) override;

 private:
  SmtpOptions options_;
  SodiumRandom random_;  // Message-ID
};

}  // namespace berth
