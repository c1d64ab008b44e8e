#pragma once
/// Outgoing mail as the domain sees it: an interface only. The composition root chooses the
/// implementation (notify/smtp_mailer.hpp for SMTP); services hold a Mailer&.

#include <string>

#include "core/error.hpp"

namespace berth {

/// One plain-text message to one recipient. `text` may use LF or CRLF line endings.
struct Email {
  std::string to;
  std::string subject;
  std::string text;
};

/// Sends mail; implementations block (call from a worker thread). Thread-safe.
class Mailer {
 public:
  virtual ~Mailer() = default;
  /// Error::invalid for a malformed address/subject (CR/LF, no '@', too long); Error::unavailable
  /// when the server cannot be reached or refuses (detail in internal_detail, no password).
  virtual Result<void> send(const Email& email) = 0;
};

}  // namespace berth
