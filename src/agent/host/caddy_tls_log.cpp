#include "agent/host/caddy_tls_log.hpp"

#include "core/json_limits.hpp"

namespace berth::agent::host {

void record_tls_log_line(std::map<std::string, AcmeAttempt, std::less<>>& attempts,
                         std::string_view line) {
  auto parsed = parse_untrusted_json(line);
  if (!parsed || !parsed->is_object()) {
    return;
  }
  const nlohmann::json& entry = *parsed;
  const auto text = [&](const char* key) {
    const auto found = entry.find(key);
    return found != entry.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  const std::string logger = text("logger");
  const std::string host = text("identifier");
  if (!logger.starts_with("tls.") || host.empty() || host.size() > 253) {
    return;
  }
  const std::string message = text("msg");
  const bool obtained = message == "certificate obtained successfully";
  const bool failed = text("level") == "error" && !text("error").empty();
  if (!obtained && !failed) {
    return;
  }
  auto slot = attempts.find(host);
  if (slot == attempts.end()) {
    if (attempts.size() >= CaddyTlsLog::kMaxTracked) {
      return;
    }
    slot = attempts.emplace(host, AcmeAttempt{}).first;
  }
  const double at = entry.value("ts", 0.0);
  if (obtained) {
    slot->second.error.clear();
    slot->second.obtained_at = at;
  } else {
    slot->second.error = (message + ": " + text("error")).substr(0, CaddyTlsLog::kMaxMessage);
    slot->second.failed_at = at;
  }
}

Result<std::unique_ptr<CaddyTlsLog>> CaddyTlsLog::start(int port) {
  std::unique_ptr<CaddyTlsLog> log(new CaddyTlsLog());
  auto listener = UdpListener::start(
      "127.0.0.1", port, 64 * 1024,
      [receiver = log.get()](std::string_view line) -> std::optional<std::string> {
        std::lock_guard lock(receiver->mutex_);
        record_tls_log_line(receiver->attempts_, line);
        return std::nullopt;
      },
      "caddy_tls_log", "tls_log_bind");
  if (!listener) {
    return fail(std::move(listener.error()));
  }
  log->listener_ = std::move(*listener);
  return log;
}

std::optional<AcmeAttempt> CaddyTlsLog::attempt_of(std::string_view host) const {
  std::lock_guard lock(mutex_);
  const auto found = attempts_.find(host);
  if (found == attempts_.end()) {
    return std::nullopt;
  }
  return found->second;
}

nlohmann::json caddy_tls_logging(const std::string& address) {
  return {{"logs",
           {{"berth_tls",
             {{"writer", {{"output", "net"}, {"address", address}}},
              {"encoder", {{"format", "json"}}},
              {"include", {"tls.obtain", "tls.renew", "tls.issuance.acme"}}}}}}};
}

}  // namespace berth::agent::host
