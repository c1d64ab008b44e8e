#include "agent/local_enrol.hpp"

#include <fmt/format.h>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "agent/enroll.hpp"
#include "core/log.hpp"

namespace berth::agent {

namespace {

volatile std::sig_atomic_t g_stop_waiting = 0;

extern "C" void stop_waiting(int /*signal*/) { g_stop_waiting = 1; }

/// SIGTERM and SIGINT end the wait while this lives (systemd stops a unit that waits), and get
/// their default action back afterwards, for the connection's own handling.
class StopSignals {
 public:
  StopSignals() {
    g_stop_waiting = 0;
    std::signal(SIGTERM, stop_waiting);
    std::signal(SIGINT, stop_waiting);
  }
  ~StopSignals() {
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGINT, SIG_DFL);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

/// Sleeps `seconds` unless a stop signal comes; false when one did.
bool pause_unless_stopped(int seconds) {
  for (int waited = 0; waited < seconds * 10 && g_stop_waiting == 0; ++waited) {
    const timespec step{.tv_sec = 0, .tv_nsec = 100'000'000};
    ::nanosleep(&step, nullptr);
  }
  return g_stop_waiting == 0;
}

struct Offer {
  std::string server;
  std::string install_token;
};

Offer read_offer(const std::string& path) {
  std::ifstream in(path);
  const auto offer = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!offer.is_object() || !offer.value("server", nlohmann::json()).is_string() ||
      !offer.value("install_token", nlohmann::json()).is_string()) {
    return {};
  }
  return {offer["server"].get<std::string>(), offer["install_token"].get<std::string>()};
}

}  // namespace

bool enrol_from_offer(const std::string& offer_file, const std::string& state_dir,
                      const nlohmann::json& facts) {
  if (std::filesystem::exists(std::filesystem::path(state_dir) / "agent.json")) {
    return true;
  }
  const StopSignals signals;
  constexpr int kLook = 2;
  constexpr int kRetry = 10;
  bool said_waiting = false;
  for (;;) {
    const Offer offer = read_offer(offer_file);
    if (offer.install_token.empty()) {
      if (!said_waiting) {
        log::info("agent.enrol_waiting",
                  {{"file", offer_file},
                   {"detail",
                    "not enrolled yet: waiting for berthd on this machine to offer an "
                    "install token (its --local-enrolment-file)"}});
        said_waiting = true;
      }
      if (!pause_unless_stopped(kLook)) {
        return false;
      }
      continue;
    }
    // The token is never logged or printed: enroll() says only what happened.
    if (enroll({.server_url = offer.server,
                .install_token = offer.install_token,
                .state_dir = state_dir,
                .facts = facts}) == 0) {
      log::info("agent.enrolled_from_offer", {{"server", offer.server}});
      return true;
    }
    if (!pause_unless_stopped(kRetry)) {
      return false;
    }
  }
}

}  // namespace berth::agent
