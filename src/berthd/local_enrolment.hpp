#pragma once
/// berthd's half of enrolling the agent on its own machine with nothing pasted (the Debian
/// package, docs/install.md): a one-time install token in a file that only root and berthd's
/// user can read, which `berth-agent run --enrol-from FILE` spends. Before anyone has set the
/// instance up the token is for a team made for the first administrator (local_agent_team), so
/// the panel's HTTPS route can come up and the setup link work over https. The file is the
/// offer's whole state:
///   absent                        → written once there is a team to enrol into
///   {"server", "install_token"}   → waiting; written afresh when the token has expired
///   {"spent_at"}                  → an agent has enrolled with it; never offered again (delete
///                                   the file to offer again)

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "domain/fleet/enrolment_service.hpp"
#include "domain/identity/identity_context.hpp"
#include "store/store.hpp"

namespace berth {

/// How an agent on berthd's machine reaches berthd without its public URL: loopback when berthd
/// listens on it or on a wildcard address, else the address berthd listens on.
std::string local_dial_url(std::string_view listen_address, std::uint16_t port);

class LocalEnrolmentOffer {
 public:
  /// `server_url`: where the agent dials, berthd's loopback address (the panel's domain is
  /// served by that very agent's Caddy, so it cannot be the way in).
  LocalEnrolmentOffer(std::string path, std::string server_url, EnrolmentService& enrolment,
                      IdentityContext& identity)
      : path_(std::move(path)),
        server_url_(std::move(server_url)),
        enrolment_(enrolment),
        identity_(identity) {}

  /// Writes, renews or retires the offer; errors are logged. Called by a Ticker (every few
  /// seconds: an agent waiting for the file looks as often); not thread-safe otherwise.
  void tick();

  /// How long an offered token stays valid. Whoever can read the file can read berthd's keys as
  /// well, so a long life costs nothing and spares a new token row every hour.
  static constexpr std::chrono::seconds kTokenLifetime{7 * 24 * 3600};

 private:
  void offer();

  std::string path_;
  std::string server_url_;
  EnrolmentService& enrolment_;
  IdentityContext& identity_;
  bool spent_ = false;
};

}  // namespace berth
