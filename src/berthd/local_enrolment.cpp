#include "berthd/local_enrolment.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "berthd/data_dir.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "domain/identity/accounts.hpp"

namespace berth {

namespace {

nlohmann::json read_offer(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return nullptr;
  }
  auto offer = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return offer.is_object() ? offer : nlohmann::json();
}

}  // namespace

std::string local_dial_url(std::string_view listen_address, std::uint16_t port) {
  if (listen_address.empty() || listen_address == "0.0.0.0" || listen_address.starts_with("127.")) {
    return fmt::format("http://127.0.0.1:{}", port);
  }
  if (listen_address == "::" || listen_address == "::1") {
    return fmt::format("http://[::1]:{}", port);
  }
  return listen_address.find(':') != std::string_view::npos
             ? fmt::format("http://[{}]:{}", listen_address, port)
             : fmt::format("http://{}:{}", listen_address, port);
}

void LocalEnrolmentOffer::tick() {
  if (spent_) {
    return;
  }
  const auto current = read_offer(path_);
  if (current.is_object() && current.contains("spent_at")) {
    spent_ = true;
    return;
  }
  const std::string token =
      current.is_object() && current.value("install_token", nlohmann::json()).is_string()
          ? current["install_token"].get<std::string>()
          : std::string();
  if (!token.empty()) {
    auto record = read_value<std::optional<InstallTokenRecord>>(identity_.store(), [&](Tx& tx) {
      return tx.find_install_token_by_hash(crypto::sha256_hex(token));
    });
    if (!record) {
      log::warn("local_enrolment.read_failed", {{"error", record.error().message}});
      return;
    }
    if (*record && (*record)->used_at) {
      const nlohmann::json spent = {{"spent_at", format_rfc3339(*(*record)->used_at)}};
      if (auto done = write_private_file(path_, spent.dump() + "\n"); !done) {
        log::warn("local_enrolment.write_failed", {{"error", done.error().message}});
        return;
      }
      log::info("local_enrolment.spent", {{"file", path_}});
      spent_ = true;
      return;
    }
    if (*record && (*record)->expires_at > identity_.clock().now()) {
      return;  // still waiting for the agent
    }
    // Expired, or unknown to this store (a restored one): offer a new token.
  }
  offer();
}

void LocalEnrolmentOffer::offer() {
  std::string team_id;
  if (auto done = identity_.store().write([&](Tx& tx) -> Result<void> {
        auto team = local_agent_team(identity_, tx);
        if (!team) {
          return fail(std::move(team.error()));
        }
        team_id = std::move(*team);
        return {};
      });
      !done) {
    log::warn("local_enrolment.team_failed", {{"error", done.error().message}});
    return;
  }
  auto minted = enrolment_.mint_for_system(team_id, "", kTokenLifetime);
  if (!minted) {
    log::warn("local_enrolment.token_failed", {{"error", minted.error().message}});
    return;
  }
  const nlohmann::json offer = {{"server", server_url_},
                                {"install_token", minted->token},
                                {"expires_at", format_rfc3339(minted->record.expires_at)}};
  if (auto done = write_private_file(path_, offer.dump() + "\n"); !done) {
    log::warn("local_enrolment.write_failed", {{"error", done.error().message}});
    return;
  }
  // Never the token: only where it is.
  log::info("local_enrolment.offered", {{"file", path_}, {"team_id", team_id}});
}

}  // namespace berth
