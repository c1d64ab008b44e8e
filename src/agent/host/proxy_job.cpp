#include "agent/host/proxy_job.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "agent/host/caddy_edge.hpp"
#include "agent/host/loopback_http.hpp"
#include "agent/host/upstream_containers.hpp"
#include "agent/state_file.hpp"
#include "core/log.hpp"

namespace berth::agent::host {
namespace {

constexpr const char* kKeptFile = "proxy_routes.json";
constexpr const char* kFrontFile = "proxy_front.json";
constexpr const char* kTlsAskPortFile = "caddy_tls_ask.json";
constexpr const char* kDnsPortFile = "upstream_dns.json";
constexpr const char* kTlsLogPortFile = "caddy_tls_log.json";

Error proxy_failure(std::string code, std::string message) {
  return Error{.kind = ErrorKind::unavailable,
               .code = std::move(code),
               .message = std::move(message),
               .internal_detail = {}};
}

// Caddy's error answers are {"error": "..."}.
std::string caddy_message(const LoopbackAnswer& answer) {
  const auto parsed = nlohmann::json::parse(answer.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    return parsed["error"].get<std::string>();
  }
  return "Caddy answered HTTP " + std::to_string(answer.status) + ": " + answer.body.substr(0, 512);
}

// The port a listener had in the previous run (0 when none is kept).
int kept_port(const std::filesystem::path& file) {
  const auto kept = nlohmann::json::parse(read_text_file(file), nullptr, false);
  if (kept.is_object() && kept.contains("port") && kept["port"].is_number_integer() &&
      kept["port"].get<int>() > 0 && kept["port"].get<int>() <= 65535) {
    return kept["port"].get<int>();
  }
  return 0;
}

void keep_port(const std::filesystem::path& file, int port) {
  if (auto saved = write_private_file(file, nlohmann::json{{"port", port}}.dump()); !saved) {
    log::warn("agent.listener_port_keep_failed",
              {{"file", file.string()}, {"message", saved.error().message}});
  }
}

// The responder on options.dns_address; port 0 tries the previous run's port first: Caddy's
// config names it, and the same port spares Caddy a reload.
std::unique_ptr<UpstreamDns> start_dns(const ProxyOptions& options) {
  // parse_host_port refuses port 0, which here means "any".
  const auto colon = options.dns_address.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const char* end = options.dns_address.data() + options.dns_address.size();
    const auto [ptr, ec] = std::from_chars(options.dns_address.data() + colon + 1, end, port);
    port = ec == std::errc() && ptr == end ? port : -1;
  }
  if (port < 0 || port > 65535) {
    throw std::runtime_error("--upstream-dns must be ip:port, not " + options.dns_address);
  }
  const auto address = HostPort{.ip = options.dns_address.substr(0, colon), .port = port};
  const auto port_file = std::filesystem::path(options.state_dir) / kDnsPortFile;
  if (const char* text = std::getenv(kInheritedDnsFdEnv); text != nullptr) {
    int fd = -1;
    const char* end = text + std::strlen(text);
    const auto [ptr, ec] = std::from_chars(text, end, fd);
    ::unsetenv(kInheritedDnsFdEnv);
    if (ec == std::errc() && ptr == end && fd > 2) {
      if (auto dns = UpstreamDns::start(address.ip, address.port, fd)) {
        keep_port(port_file, (*dns)->port());
        log::info("agent.upstream_dns_kept", {{"address", (*dns)->address()}});
        return std::move(*dns);
      }
    }
  }
  if (address.port == 0) {
    if (const int previous = kept_port(port_file); previous > 0) {
      if (auto dns = UpstreamDns::start(address.ip, previous)) {
        return std::move(*dns);
      }
    }
  }
  auto dns = UpstreamDns::start(address.ip, address.port);
  if (!dns) {
    throw std::runtime_error(dns.error().message);
  }
  keep_port(port_file, (*dns)->port());
  log::info("agent.upstream_dns", {{"address", (*dns)->address()}});
  return std::move(*dns);
}

// The receiver of Caddy's TLS log, on the previous run's port when it is free (the port is in
// Caddy's config, like the DNS responder's). Not fatal: without it certificates are still
// read, only Caddy's reasons for a missing one are not.
std::unique_ptr<CaddyTlsLog> start_tls_log(const ProxyOptions& options) {
  const auto port_file = std::filesystem::path(options.state_dir) / kTlsLogPortFile;
  auto log = CaddyTlsLog::start(kept_port(port_file));
  if (!log) {
    log = CaddyTlsLog::start(0);
  }
  if (!log) {
    log::warn("agent.caddy_tls_log_unavailable", {{"message", log.error().message}});
    return nullptr;
  }
  keep_port(port_file, (*log)->port());
  return std::move(*log);
}

// The on-demand TLS ask on the previous run's port when it is free (Caddy's config names it,
// like the DNS responder's), else any; throws when it cannot listen at all.
std::unique_ptr<TlsAskListener> start_tls_ask(const ProxyOptions& options,
                                              TlsAskListener::Decide decide) {
  const auto port_file = std::filesystem::path(options.state_dir) / kTlsAskPortFile;
  auto ask = TlsAskListener::start(kept_port(port_file), decide);
  if (!ask) {
    ask = TlsAskListener::start(0, std::move(decide));
  }
  if (!ask) {
    throw std::runtime_error(ask.error().message);
  }
  keep_port(port_file, (*ask)->port());
  return std::move(*ask);
}

}  // namespace

ProxyKeeper::ProxyKeeper(ProxyOptions options)
    : options_(std::move(options)),
      dns_(start_dns(options_)),
      tls_log_(start_tls_log(options_)),
      edge_(std::make_unique<EdgeCaddy>(
          EdgeCaddyOptions{.caddy_binary = options_.caddy_binary,
                           .dir = std::filesystem::path(options_.state_dir) / "edge"})),
      handover_(options_.state_dir.empty()
                    ? std::filesystem::path()
                    : std::filesystem::absolute(options_.state_dir) / "handover") {
  ask_ = start_tls_ask(options_, [this](std::string_view name) {
    std::lock_guard lock(ask_mutex_);
    return ask_names_.contains(std::string(name));
  });
  thread_ = std::thread([this] {
    std::unique_lock lock(wake_mutex_);
    while (true) {
      wake_.wait(lock, [this] { return check_wanted_ || stopping_; });
      if (stopping_) {
        return;
      }
      check_wanted_ = false;
      lock.unlock();
      check();
      lock.lock();
    }
  });
}

ProxyKeeper::~ProxyKeeper() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::filesystem::path ProxyKeeper::acme_root_path(const ProxyTable& table) const {
  return std::filesystem::absolute(options_.state_dir) / acme_root_file_name(table.acme);
}

Result<void> ProxyKeeper::write_acme_root(const ProxyTable& table) const {
  if (table.acme.ca_root.empty()) {
    return {};
  }
  const auto path = acme_root_path(table);
  if (std::filesystem::exists(path) && read_text_file(path) == table.acme.ca_root) {
    return {};
  }
  if (auto written = write_private_file(path, table.acme.ca_root); !written) {
    return written;
  }
  // A public certificate, and Caddy may run as another user than the agent.
  std::error_code failed;
  std::filesystem::permissions(
      path,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      failed);
  if (failed) {
    return fail(
        Error::unavailable("cannot make " + path.string() + " readable: " + failed.message()));
  }
  // Roots of earlier tables go: only this one is named by the config about to be loaded.
  std::vector<std::filesystem::path> stale;
  for (std::filesystem::directory_iterator entry(path.parent_path(), failed), end;
       !failed && entry != end; entry.increment(failed)) {
    const auto name = entry->path().filename().string();
    if (name.starts_with("acme_ca_root-") && name.ends_with(".pem") && entry->path() != path) {
      stale.push_back(entry->path());
    }
  }
  for (const auto& old : stale) {
    std::filesystem::remove(old, failed);
  }
  return {};
}

nlohmann::json ProxyKeeper::config_for(const ProxyTable& table) const {
  auto config =
      caddy_config(table, options_.admin_address, dns_->address(),
                   table.acme.ca_root.empty() ? std::string() : acme_root_path(table).string(),
                   ask_->address(), handover_.ready() ? handover_.dir().string() : std::string());
  if (tls_log_) {
    config["logging"] = caddy_tls_logging(tls_log_->caddy_address());
  }
  return config;
}

Result<void> ProxyKeeper::load(const ProxyTable& table, const std::string& config) {
  loaded_.reset();  // until Caddy says it took this one
  const auto admin = parse_host_port(options_.admin_address);
  if (!admin) {
    return fail(proxy_failure("proxy_unreachable",
                              "the Caddy admin address is not ip:port: " + options_.admin_address));
  }
  if (auto written = write_acme_root(table); !written) {
    return fail(proxy_failure(
        "proxy_error", "cannot keep the ACME CA root for Caddy: " + written.error().message));
  }
  auto answer = loopback_http(admin->ip, admin->port,
                              {.method = "POST",
                               .target = "/load",
                               .host_header = {},
                               .content_type = "application/json",
                               .body = config},
                              options_.call_timeout);
  if (!answer) {
    return fail(
        proxy_failure("proxy_unreachable", "Caddy's admin API at " + options_.admin_address +
                                               " does not answer: " + answer.error().message));
  }
  if (answer->status < 200 || answer->status >= 300) {
    return fail(proxy_failure("proxy_error", caddy_message(*answer)));
  }
  loaded_ = std::hash<std::string>{}(config);
  return {};
}

bool ProxyKeeper::runs(const nlohmann::json& config) {
  // Caddy answers GET /config/ with the JSON it was loaded with.
  const auto admin = parse_host_port(options_.admin_address);
  if (!admin) {
    return false;
  }
  auto current = loopback_http(admin->ip, admin->port, {.target = "/config/"},
                               std::chrono::milliseconds(2000));
  if (current && current->status == 200 &&
      nlohmann::json::parse(current->body, nullptr, false) == config) {
    loaded_ = std::hash<std::string>{}(config.dump());
    return true;
  }
  return false;
}

Result<bool> ProxyKeeper::converge(const ProxyTable& table) {
  const auto config = config_for(table);
  const std::string body = config.dump();
  // A config other than the one this keeper last loaded must be posted whatever Caddy runs
  // now, so Caddy's is not read first: at 1,000 apps reading and parsing it took a third as
  // long as the load itself (bench/results/proxy.md).
  const bool changed = loaded_ && *loaded_ != std::hash<std::string>{}(body);
  // Otherwise an equal config means nothing to load. Comparing with what Caddy runs, rather
  // than with what this agent last posted, also covers a Caddy restarted or edited behind the
  // agent's back.
  if (!changed && runs(config)) {
    return false;
  }
  if (auto loaded = load(table, body); !loaded) {
    return fail(loaded.error());
  }
  return true;
}

Result<UpstreamServices> ProxyKeeper::services_for(const ProxyTable& table, const FrontPlan& plan) {
  if (!has_any_edge_rules(table) && plan.empty()) {
    return upstream_services(table);
  }
  const auto dns = dns_->address();
  auto port =
      edge_->ensure([&](int listen) { return edge_caddy_config(table, listen, dns, plan); });
  if (!port) {
    return fail(port.error());
  }
  return upstream_services(table, *port, plan);
}

DirectUpstreams ProxyKeeper::direct_for(const UpstreamServices& services) const {
  if (options_.docker_socket.empty()) {
    return {};
  }
  std::set<int> ports;
  for (const auto& [name, port] : services) {
    ports.insert(port);
  }
  DockerClient docker(options_.docker_socket);
  auto direct = find_direct_upstreams(docker, ports, std::chrono::milliseconds(2000));
  if (!direct) {
    log::warn("agent.upstream_containers_unknown", {{"message", direct.error().message}});
    return {};
  }
  return std::move(*direct);
}

void ProxyKeeper::keep_dns_across_exec() const {
  const int fd = dns_->duplicate_for_exec();
  if (fd >= 0) {
    ::setenv(kInheritedDnsFdEnv, std::to_string(fd).c_str(), 1);
  }
}

void ProxyKeeper::settle_edge(int edge_before, bool edge_now) {
  // A change of the edge's routes always means another edge Caddy (its config never changes),
  // so the routes moved when the edge port did; when none is wanted they moved back to the apps.
  const bool stop_current = !edge_now && edge_->port() > 0;
  if (edge_->port() == edge_before && !stop_current) {
    return;
  }
  std::this_thread::sleep_for(kEdgeSettle);
  edge_->retire(/*all=*/stop_current);
}

std::optional<ProxyTable> ProxyKeeper::kept(const char* file) {
  const auto path = std::filesystem::path(options_.state_dir) / file;
  if (!std::filesystem::exists(path)) {
    return std::nullopt;
  }
  auto table = parse_proxy_args(nlohmann::json::parse(read_text_file(path), nullptr, false));
  if (!table) {
    log::warn("agent.proxy_kept_unreadable",
              {{"file", path.string()}, {"message", table.error().message}});
    return std::nullopt;
  }
  return *table;
}

void ProxyKeeper::keep_front(const ProxyTable& table) {
  front_ = table;
  if (auto saved = write_private_file(std::filesystem::path(options_.state_dir) / kFrontFile,
                                      proxy_args_json(table).dump() + "\n");
      !saved) {
    // A restarted agent that misses it loads the front again once: a reload, nothing lost.
    log::warn("agent.proxy_keep_failed", {{"message", saved.error().message}});
  }
}

Result<ProxyKeeper::Installed> ProxyKeeper::install(const ProxyTable& table, bool may_defer) {
  std::optional<FrontPlan> plan;
  // The same front routes (a deployment's switch, a rule change): nothing to plan, the path of
  // a load (converge), which renders the config once and loads it only when it changed.
  if (may_defer && front_ && front_routes_differ(*front_, table)) {
    plan = plan_without_reload(*front_, table, handover_.ready());
    // Nothing pending: the path of a load (converge), which loads only when Caddy runs another
    // config. Else Caddy must still run the front's config (not restarted without it); when
    // the front needs a load anyway, it takes every host.
    if (plan && (plan->empty() || !runs(config_for(*front_)))) {
      plan.reset();
    }
  }
  FrontPlan wanted = plan ? *plan : FrontPlan{};
  if (plan) {
    // A host no longer handed over is one the front's own routes serve as they are again.
    handover_.keep_only(wanted.handed_hosts);
  }
  {
    // Before any request can reach a new host: Caddy may ask at its first handshake.
    std::lock_guard lock(ask_mutex_);
    ask_names_.merge(tls_ask_names(table));
  }
  // The DNS table first: a host new to Caddy's config must already resolve when Caddy loads it.
  const auto previous = dns_->services();
  const int edge_before = edge_->port();
  auto services = services_for(table, wanted);
  if (!services && plan && !has_any_edge_rules(table)) {
    // No edge Caddy (no caddy binary, or it would not start): the front takes the new hosts.
    log::warn("agent.edge_caddy_unavailable", {{"message", services.error().message}});
    plan.reset();
    wanted = {};
    services = services_for(table, wanted);
  }
  if (!services) {
    return fail(services.error());
  }
  // A deployment's switch: the new container runs and publishes its port by now.
  const auto previous_direct = dns_->direct();
  auto direct = direct_for(*services);
  Installed done{.reloaded = false,
                 .switched = *services != previous || direct != previous_direct,
                 .pending = 0};
  // Names only the config the front runs until its load uses (a catch-all still sending a host
  // to the edge Caddy, a removed host pointed there) keep their answer until it is loaded.
  UpstreamServices during = *services;
  for (const auto& [name, port] : previous) {
    during.emplace(name, port);
  }
  DirectUpstreams during_direct = direct;
  for (const auto& [port, container] : previous_direct) {
    during_direct.emplace(port, container);
  }
  dns_->set_direct(std::move(during_direct));
  dns_->set_services(during);
  if (!plan) {
    auto reloaded = converge(table);
    if (!reloaded) {
      // Caddy runs the previous config: it resolves by this table.
      dns_->set_services(previous);
      dns_->set_direct(previous_direct);
      return fail(reloaded.error());
    }
    done.reloaded = *reloaded;
    if (!front_ || proxy_args_json(*front_) != proxy_args_json(table)) {
      keep_front(table);
    }
    handover_.keep_only({});  // the loaded config routes every host as the table has it
  }
  plan_ = wanted;
  done.pending = wanted.pending_hosts.size();
  {
    std::lock_guard lock(ask_mutex_);
    ask_names_ = tls_ask_names(table);
  }
  // Returns once the front Caddy sends the routes where they are served now.
  settle_edge(edge_before, has_any_edge_rules(table) || !wanted.empty());
  dns_->set_services(std::move(*services));
  dns_->set_direct(std::move(direct));
  // Last: by now the catch-all the markers send to finds the edge Caddy holding these hosts.
  handover_.add(wanted.handed_hosts);
  return done;
}

JobOutcome ProxyKeeper::apply(JobContext& job) {
  auto table = parse_proxy_args(job.args);
  if (!table) {
    return JobOutcome::failed("invalid_args", table.error().message);
  }
  std::lock_guard lock(mutex_);
  auto installed = install(*table, /*may_defer=*/true);
  if (!installed) {
    return JobOutcome::failed(installed.error().code, installed.error().message);
  }
  const auto hosts = std::to_string(table->routes.size()) + " host(s)";
  const auto pending = installed->pending > 0
                           ? ", " + std::to_string(installed->pending) +
                                 " through the edge Caddy until Caddy's next load"
                           : std::string();
  job.output.write("system",
                   installed->reloaded ? "Caddy now routes " + hosts + "\n"
                   : installed->switched
                       ? "upstream switched without a Caddy reload (" + hosts + pending + ")\n"
                       : "nothing changed: Caddy routes " + hosts + pending + "\n");
  if (auto saved = write_private_file(std::filesystem::path(options_.state_dir) / kKeptFile,
                                      proxy_args_json(*table).dump() + "\n");
      !saved) {
    // Caddy has the table; only a later re-apply after a Caddy restart would miss it.
    log::warn("agent.proxy_keep_failed", {{"message", saved.error().message}});
    job.output.write("stderr", "cannot keep the route table: " + saved.error().message + "\n");
  }
  JobOutcome out;
  out.result = {{"routes", table->routes.size()}};
  return out;
}

void ProxyKeeper::restore() {
  std::lock_guard lock(mutex_);
  const auto table = kept(kKeptFile);
  if (!table) {
    return;
  }
  front_ = kept(kFrontFile);
  const int edge_before = edge_->port();
  auto installed = install(*table, /*may_defer=*/true);
  if (installed) {
    log::info("agent.proxy_restored", {{"routes", static_cast<std::int64_t>(table->routes.size())},
                                       {"reloaded", installed->reloaded}});
    return;
  }
  // No edge Caddy: the front takes every host, and the routes with rules get no answer (the
  // front retries, then fails them) rather than reach their app without the rules; the next
  // check tries again.
  log::warn("agent.proxy_restore_failed", {{"message", installed.error().message}});
  auto without_rules = *table;
  std::erase_if(without_rules.routes, has_edge_rules);
  auto services = upstream_services(without_rules);
  dns_->set_direct(direct_for(services));
  dns_->set_services(std::move(services));
  const auto reloaded = converge(*table);
  if (!reloaded) {
    log::warn("agent.proxy_restore_failed", {{"message", reloaded.error().message}});
    return;
  }
  keep_front(*table);
  plan_ = {};
  handover_.keep_only({});
  if (edge_before > 0) {
    settle_edge(edge_before, has_any_edge_rules(*table));
  }
}

void ProxyKeeper::check() {
  std::lock_guard lock(mutex_);
  const auto table = kept(kKeptFile);
  const auto admin = parse_host_port(options_.admin_address);
  if (!table || !admin) {
    std::lock_guard events_lock(events_mutex_);
    caddy_status_ = nullptr;
    return;
  }
  if ((has_any_edge_rules(*table) || !plan_.empty()) && !edge_->alive()) {
    // The edge Caddy died (or the machine restarted): a new one, and the routes pointed at it.
    const int edge_before = edge_->port();
    if (auto services = services_for(*table, plan_); !services) {
      log::warn("agent.edge_caddy_restart_failed", {{"message", services.error().message}});
    } else {
      dns_->set_services(std::move(*services));
      settle_edge(edge_before, true);
      log::info("agent.edge_caddy_restarted", {{"port", std::int64_t{edge_->port()}}});
    }
  }
  auto answer = loopback_http(admin->ip, admin->port,
                              {.target = std::string("/config/apps/http/servers/") + kCaddyServer},
                              std::chrono::milliseconds(2000));
  {
    std::lock_guard events_lock(events_mutex_);
    caddy_status_ =
        answer ? nlohmann::json{{"status", "online"}}
               : nlohmann::json{{"status", "offline"},
                                {"reason", "its admin API at " + options_.admin_address +
                                               " does not answer: " + answer.error().message}};
  }
  if (!answer) {
    return;  // Caddy is down: nothing to configure until it is back
  }
  const auto server = nlohmann::json::parse(answer->body, nullptr, false);
  if (answer->status == 200 && server.is_object()) {
    return;
  }
  // Caddy lost the config (restarted without it): a load that takes every host.
  if (auto loaded = install(*table, /*may_defer=*/false); !loaded) {
    log::warn("agent.proxy_reapply_failed", {{"message", loaded.error().message}});
    return;
  }
  log::info("agent.proxy_reapplied", {{"routes", static_cast<std::int64_t>(table->routes.size())}});
  std::lock_guard events_lock(events_mutex_);
  events_.push_back(
      {{"kind", "proxy_reapplied"},
       {"details", {{"routes", table->routes.size()}, {"admin", options_.admin_address}}}});
}

void ProxyKeeper::check_async() {
  {
    std::lock_guard lock(wake_mutex_);
    check_wanted_ = true;
  }
  wake_.notify_one();
}

nlohmann::json ProxyKeeper::caddy_status() const {
  std::lock_guard lock(events_mutex_);
  return caddy_status_;
}

std::vector<nlohmann::json> ProxyKeeper::take_events() {
  std::lock_guard lock(events_mutex_);
  return std::exchange(events_, {});
}

}  // namespace berth::agent::host
