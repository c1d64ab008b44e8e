#pragma once
/// What Caddy says about obtaining certificates, kept per hostname. Caddy's config (see
/// caddy_tls_logging) sends its `tls.*` log lines as JSON datagrams to a UDP address of the
/// agent's; the last failed attempt per hostname (and the last success, which clears it) is
/// kept so that `proxy.certificates` can say why a domain has no certificate ("HTTP-01:
/// connection refused", "rateLimited", ...). Caddy keeps retrying by itself; this only
/// remembers. Bounded: hostnames beyond kMaxTracked are not tracked, messages are cut.

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "agent/host/udp_listener.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

struct AcmeAttempt {
  std::string error = {};  // "" once a certificate was obtained after the last failure
  double failed_at = 0;    // Caddy's `ts` (Unix seconds) of the last failure
  double obtained_at = 0;  // of the last success
};

/// Folds one of Caddy's JSON log lines into `attempts` (lines of other loggers, or without an
/// identifier, change nothing). Exposed for the tests.
void record_tls_log_line(std::map<std::string, AcmeAttempt, std::less<>>& attempts,
                         std::string_view line);

class CaddyTlsLog {
 public:
  static constexpr std::size_t kMaxTracked = 10'000;
  static constexpr std::size_t kMaxMessage = 1'000;

  /// Listens on 127.0.0.1:`port` (0: any free port). Errors as UdpListener::start.
  static Result<std::unique_ptr<CaddyTlsLog>> start(int port);
  CaddyTlsLog(const CaddyTlsLog&) = delete;
  CaddyTlsLog& operator=(const CaddyTlsLog&) = delete;

  /// Caddy's net log writer address: "udp/127.0.0.1:<port>".
  std::string caddy_address() const { return "udp/" + listener_->address(); }
  int port() const { return listener_->port(); }
  std::optional<AcmeAttempt> attempt_of(std::string_view host) const;

 private:
  CaddyTlsLog() = default;

  mutable std::mutex mutex_;
  std::map<std::string, AcmeAttempt, std::less<>> attempts_;
  std::unique_ptr<UdpListener> listener_;  // last: its thread stops before the map goes
};

/// The `logging` section of Caddy's config that sends the tls loggers to `address`.
nlohmann::json caddy_tls_logging(const std::string& address);

}  // namespace berth::agent::host
