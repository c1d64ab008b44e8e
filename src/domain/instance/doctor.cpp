#include "domain/instance/doctor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace berth {

namespace {

DoctorCheck ok(std::string name, std::string detail) {
  return {
      .name = std::move(name), .status = CheckStatus::ok, .detail = std::move(detail), .fix = {}};
}

DoctorCheck warning(std::string name, std::string detail, std::string fix) {
  return {.name = std::move(name),
          .status = CheckStatus::warning,
          .detail = std::move(detail),
          .fix = std::move(fix)};
}

DoctorCheck error(std::string name, std::string detail, std::string fix) {
  return {.name = std::move(name),
          .status = CheckStatus::error,
          .detail = std::move(detail),
          .fix = std::move(fix)};
}

DoctorCheck not_checked(std::string name, const char* what) {
  return warning(std::move(name), fmt::format("not checked: {} cannot be probed here", what),
                 "Run `berthd doctor` on berthd's machine to check this.");
}

struct Url {
  std::string scheme = {};
  std::string host = {};
  std::uint16_t port = 0;
};

// scheme://host[:port][/...], host possibly [v6]; nullopt when it is not such a URL.
std::optional<Url> parse_url(const std::string& text) {
  const auto colon = text.find("://");
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  Url url{.scheme = text.substr(0, colon), .host = {}, .port = 0};
  std::string rest = text.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    rest = rest.substr(at + 1);
  }
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) {
      return std::nullopt;
    }
    url.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') {
      port_text = rest.substr(close + 2);
    }
  } else {
    const auto port_colon = rest.rfind(':');
    url.host = rest.substr(0, port_colon);
    if (port_colon != std::string::npos) {
      port_text = rest.substr(port_colon + 1);
    }
  }
  if (url.host.empty()) {
    return std::nullopt;
  }
  if (!port_text.empty()) {
    char* end = nullptr;
    const long port = std::strtol(port_text.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || port < 1 || port > 65535) {
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  if (url.port == 0) {
    url.port = url.scheme == "https" || url.scheme == "smtps" ? 443 : 80;
    if (url.scheme == "smtps") {
      url.port = 465;
    } else if (url.scheme == "smtp") {
      url.port = 587;
    }
  }
  std::transform(url.host.begin(), url.host.end(), url.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return url;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string joined(const std::vector<std::string>& items, std::size_t limit = 5) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) {
    text += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > limit) {
    text += fmt::format(" and {} more", items.size() - limit);
  }
  return text;
}

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / static_cast<double>(1ULL << 30));
}

// The servers whose agent is enrolled (a pending or revoked one has nothing to say) into
// `enrolled`; or the check `name` reports when they cannot be read.
std::optional<DoctorCheck> read_enrolled(const char* name, const DoctorProbes& probes,
                                         std::vector<ServerRecord>& enrolled) {
  if (!probes.servers) {
    return not_checked(name, "the agents");
  }
  auto servers = probes.servers();
  if (!servers) {
    return error(name, "cannot read the servers: " + servers.error().message,
                 "Check berthd's log for store errors.");
  }
  for (auto& server : *servers) {
    if (!server.agent_token_hash.empty()) {
      enrolled.push_back(std::move(server));
    }
  }
  return std::nullopt;
}

}  // namespace

const char* check_status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok:
      return "ok";
    case CheckStatus::warning:
      return "warning";
    case CheckStatus::error:
      return "error";
  }
  return "error";
}

DoctorCheck check_public_url(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "public_url";
  const auto url = parse_url(settings.public_url);
  if (!url || (url->scheme != "http" && url->scheme != "https")) {
    return error(name,
                 fmt::format("the public URL '{}' is not an http(s) URL", settings.public_url),
                 "Set public-url in berthd's config to the https:// address users open.");
  }
  if (is_loopback(url->host)) {
    return warning(
        name, fmt::format("{} is on loopback: only this machine can reach it", settings.public_url),
        "Set public-url to https://<your panel's domain> so browsers and agents "
        "elsewhere can reach berthd.");
  }
  if (!probes.resolve || !probes.local_addresses) {
    return not_checked(name, "DNS");
  }
  const auto addresses = probes.resolve(url->host);
  if (addresses.empty()) {
    return error(
        name, fmt::format("{} does not resolve", url->host),
        fmt::format("Create an A (or AAAA) record for {} pointing at this machine.", url->host));
  }
  const auto mine = probes.local_addresses();
  const bool here = std::any_of(addresses.begin(), addresses.end(), [&](const std::string& a) {
    return std::find(mine.begin(), mine.end(), a) != mine.end();
  });
  if (!here) {
    return warning(name,
                   fmt::format("{} resolves to {}, none of this machine's addresses ({})",
                               url->host, joined(addresses), joined(mine)),
                   fmt::format("Point {}'s A record at this machine, unless a proxy or CDN in "
                               "front of it forwards to berthd.",
                               url->host));
  }
  if (url->scheme == "http") {
    return warning(name,
                   fmt::format("{} resolves here, but is plain http: sign-ins and agent "
                               "credentials cross the network in clear",
                               url->host),
                   "Serve the panel over HTTPS (docs/install.md) and set public-url to https://.");
  }
  if (!probes.verify_tls) {
    return not_checked(name, "TLS");
  }
  if (auto verified = probes.verify_tls(url->host, url->port); !verified) {
    return error(name,
                 fmt::format("{} resolves here, but its certificate on port {} is not valid: {}",
                             url->host, url->port, verified.error().message),
                 "Open ports 80 and 443 to the internet and check the DNS record: the agent on "
                 "this machine gets the certificate through its Caddy (docs/install.md), whose "
                 "log says why it has none.");
  }
  return ok(name,
            fmt::format("{} resolves to this machine and serves a valid certificate", url->host));
}

DoctorCheck check_listen(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "listen";
  if (!probes.connect) {
    return not_checked(name, "the listen port");
  }
  std::string host = settings.listen_host;
  if (host.empty() || host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "::") {
    host = "::1";
  }
  if (auto reached = probes.connect(host, settings.listen_port); !reached) {
    return error(name,
                 fmt::format("nothing answers on {}:{}: {}", host, settings.listen_port,
                             reached.error().message),
                 "Start berthd (systemctl start berthd) and read why it stopped with "
                 "journalctl -u berthd.");
  }
  return ok(name, fmt::format("berthd answers on {}:{}", host, settings.listen_port));
}

DoctorCheck check_local_runtime(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "local_runtime";
  if (!probes.hostname) {
    return not_checked(name, "the local agent");
  }
  std::vector<ServerRecord> servers;
  if (auto failed = read_enrolled(name, probes, servers)) {
    return *failed;
  }
  const std::string hostname = probes.hostname();
  const auto local = std::find_if(servers.begin(), servers.end(), [&](const ServerRecord& s) {
    return s.facts.is_object() && s.facts.value("hostname", "") == hostname;
  });
  if (local == servers.end() && settings.local_agent_expected) {
    return warning(name,
                   fmt::format("berthd offers the agent on this machine ({}) an install token, "
                               "but no agent here has enrolled",
                               hostname),
                   "Start it: systemctl start berth-agent (berthd.service wants it), then "
                   "journalctl -u berth-agent.");
  }
  if (local == servers.end()) {
    return ok(name, fmt::format("no agent runs on this machine ({}); apps run on other servers",
                                hostname));
  }
  if (local->status == "offline") {
    return error(name, fmt::format("the agent on this machine ({}) is offline", local->name),
                 "Start it: systemctl restart berth-agent, then journalctl -u berth-agent.");
  }
  const auto docker = local->docker.is_object() ? local->docker.value("status", "") : "";
  if (docker != "online") {
    const auto reason = local->docker.is_object() ? local->docker.value("reason", "") : "";
    return error(
        name,
        fmt::format("Docker on this machine ({}) is {}{}{}", local->name,
                    docker.empty() ? "unknown" : docker, reason.empty() ? "" : ": ", reason),
        "Start Docker: systemctl start docker (apps on this machine cannot run "
        "without it).");
  }
  const auto caddy = local->docker.is_object() && local->docker.contains("caddy")
                         ? local->docker.value("caddy", nlohmann::json::object())
                         : nlohmann::json::object();
  if (caddy.is_object() && caddy.contains("status") && caddy.value("status", "") != "online") {
    return error(name,
                 fmt::format("Caddy on this machine ({}) is {}", local->name,
                             caddy.value("status", "unknown")),
                 "Start Caddy: systemctl start caddy (domains and HTTPS need it).");
  }
  return ok(name, fmt::format("the agent on this machine ({}) is {} and Docker answers",
                              local->name, local->status));
}

DoctorCheck check_clock_skew(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "clock_skew";
  std::vector<ServerRecord> servers;
  if (auto failed = read_enrolled(name, probes, servers)) {
    return *failed;
  }
  const auto limit = settings.max_clock_skew.count();
  std::vector<std::string> warned;
  std::vector<std::string> failed;
  std::size_t measured = 0;
  for (const auto& server : servers) {
    const auto& metrics = server.metrics;
    if (!metrics.is_object() || !metrics.contains("clock_skew_ms") ||
        !metrics["clock_skew_ms"].is_number_integer()) {
      continue;
    }
    ++measured;
    const auto skew = metrics["clock_skew_ms"].get<std::int64_t>();
    const auto size = skew < 0 ? -skew : skew;
    const auto text = fmt::format("{} ({:+.1f} s)", server.name, static_cast<double>(skew) / 1000);
    if (size > 6 * limit) {
      failed.push_back(text);
    } else if (size > limit) {
      warned.push_back(text);
    }
  }
  const std::string fix =
      "Turn on time synchronisation on those servers (timedatectl set-ntp true).";
  if (!failed.empty()) {
    auto all = failed;
    all.insert(all.end(), warned.begin(), warned.end());
    return error(name, "clocks far off berthd's: " + joined(all), fix);
  }
  if (!warned.empty()) {
    return warning(name,
                   "clocks off berthd's by more than " +
                       fmt::format("{:.0f} s: ", static_cast<double>(limit) / 1000) +
                       joined(warned),
                   fix);
  }
  return ok(name, measured == 0 ? std::string("no agent has reported its clock yet")
                                : fmt::format("{} agent(s) within {:.0f} s of berthd's clock",
                                              measured, static_cast<double>(limit) / 1000));
}

DoctorCheck check_disk_space(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "disk_space";
  if (!probes.disk_space) {
    return not_checked(name, "the data directory's disk");
  }
  auto space = probes.disk_space(settings.data_dir);
  if (!space) {
    return error(name,
                 fmt::format("cannot read the free space of {}: {}", settings.data_dir,
                             space.error().message),
                 "Check that the data directory exists and berthd may read it.");
  }
  const double percent = space->total_bytes == 0
                             ? 0.0
                             : 100.0 * static_cast<double>(space->available_bytes) /
                                   static_cast<double>(space->total_bytes);
  const auto detail =
      fmt::format("{} free of {} ({:.1f}%) where {} is", gib(space->available_bytes),
                  gib(space->total_bytes), percent, settings.data_dir);
  const std::string fix =
      "Free space on that disk (old images: docker system prune; old backups) or grow it.";
  if (percent < 2.0 || space->available_bytes < kMinFreeBytes) {
    return error(name, detail, fix);
  }
  if (percent < 10.0) {
    return warning(name, detail, fix);
  }
  return ok(name, detail);
}

DoctorCheck check_store_integrity(const DoctorSettings& /*settings*/, const DoctorProbes& probes) {
  const char* name = "store_integrity";
  if (!probes.store_health) {
    return not_checked(name, "the store");
  }
  auto health = probes.store_health();
  if (!health) {
    return error(name, "cannot check the store: " + health.error().message,
                 "Check berthd's log; restore the last backup if the store cannot be opened.");
  }
  if (health->quick_check != "ok") {
    return error(name, "SQLite's quick_check found damage: " + health->quick_check,
                 "Stop berthd and restore the latest backup (docs/backups.md).");
  }
  return ok(name, "PRAGMA quick_check: ok");
}

DoctorCheck check_migrations(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "migrations";
  if (!probes.store_health) {
    return not_checked(name, "the store");
  }
  auto health = probes.store_health();
  if (!health) {
    return error(name, "cannot read the store's schema version: " + health.error().message,
                 "Check berthd's log; restore the last backup if the store cannot be opened.");
  }
  const int recorded = health->schema_version;
  const int known = settings.known_schema_version;
  if (recorded > known) {
    return error(name,
                 fmt::format("the store is at schema version {}, newer than berthd {} knows ({})",
                             recorded, settings.version, known),
                 "Install the newer Berth again, or restore the pre-upgrade copy "
                 "(docs/install.md#rolling-back).");
  }
  if (recorded < known) {
    return warning(name,
                   fmt::format("{} migration(s) pending: the store is at {}, berthd {} at {}",
                               known - recorded, recorded, settings.version, known),
                   "Restart berthd (it migrates at start), or run berthd migrate.");
  }
  return ok(name, fmt::format("the store is at schema version {}, as berthd {} expects", recorded,
                              settings.version));
}

DoctorCheck check_agent_versions(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "agent_versions";
  std::vector<ServerRecord> servers;
  if (auto failed = read_enrolled(name, probes, servers)) {
    return *failed;
  }
  std::vector<std::string> old;
  for (const auto& server : servers) {
    if (!server.agent_version.empty() && server.agent_version != settings.version) {
      old.push_back(fmt::format("{} ({})", server.name, server.agent_version));
    }
  }
  if (!old.empty()) {
    return warning(
        name, fmt::format("agents not at berthd's version {}: {}", settings.version, joined(old)),
        "Upgrade those agents: rerun the install command on each, or apt install the same berth "
        "package there.");
  }
  return ok(name, fmt::format("{} agent(s), all at {}", servers.size(), settings.version));
}

DoctorCheck check_smtp(const DoctorSettings& settings, const DoctorProbes& probes) {
  const char* name = "smtp";
  if (settings.smtp_url.empty()) {
    return warning(name, "no mail server: invitation and password-reset links go to whoever asks",
                   "Set smtp-url and smtp-from in berthd's config to send them by mail.");
  }
  const auto url = parse_url(settings.smtp_url);
  if (!url || (url->scheme != "smtp" && url->scheme != "smtps")) {
    return error(name, "smtp-url is not smtp:// or smtps://",
                 "Set smtp-url to smtp://host:587 or smtps://host:465.");
  }
  if (!probes.connect) {
    return not_checked(name, "the mail server");
  }
  if (auto reached = probes.connect(url->host, url->port); !reached) {
    return error(name,
                 fmt::format("cannot reach the mail server {}:{}: {}", url->host, url->port,
                             reached.error().message),
                 "Check smtp-url and that this machine may connect out to that port.");
  }
  return ok(name, fmt::format("the mail server {}:{} answers", url->host, url->port));
}

std::vector<DoctorCheck> run_doctor(const DoctorSettings& settings, const DoctorProbes& probes) {
  return {check_public_url(settings, probes),    check_listen(settings, probes),
          check_local_runtime(settings, probes), check_clock_skew(settings, probes),
          check_disk_space(settings, probes),    check_store_integrity(settings, probes),
          check_migrations(settings, probes),    check_agent_versions(settings, probes),
          check_smtp(settings, probes)};
}

CheckStatus worst_status(const std::vector<DoctorCheck>& checks) {
  CheckStatus worst = CheckStatus::ok;
  for (const auto& check : checks) {
    worst = std::max(worst, check.status);
  }
  return worst;
}

void InstanceDoctor::set_listen(std::string host, std::uint16_t port, std::string public_url) {
  settings_.listen_host = std::move(host);
  settings_.listen_port = port;
  settings_.public_url = std::move(public_url);
}

}  // namespace berth
