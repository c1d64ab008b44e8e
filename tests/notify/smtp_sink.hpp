#pragma once
// A real SMTP server for tests: Debian's python3-aiosmtpd on 127.0.0.1 with a free port,
// storing every message it accepts in a Maildir. Started with posix_spawn (argv, no shell),
// polled with a deadline until it greets, killed and reaped by the destructor.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace berth::testing {

class SmtpSink {
 public:
  /// Starts the sink with its Maildir and log under `dir`; null (with the reason in `why`)
  /// when no Python with aiosmtpd can be started here.
  static std::unique_ptr<SmtpSink> start(const std::filesystem::path& dir, std::string& why);

  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;
  ~SmtpSink();

  std::uint16_t port() const { return port_; }
  /// The messages delivered so far, as stored (LF line endings), oldest first.
  std::vector<std::string> messages() const;
  /// What the sink printed.
  std::string log() const;

 private:
  SmtpSink(pid_t pid, std::uint16_t port, std::filesystem::path dir)
      : pid_(pid), port_(port), dir_(std::move(dir)) {}

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
};

/// A loopback port that is bound but not listening, so connecting to it is refused at once.
/// Held until destruction, so nothing else can take it meanwhile.
class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace berth::testing
